"""F.multi_head_attention_forward and nn.MultiheadAttention's options against torch (float64)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as tF
from torch.nn.attention import SDPBackend, sdpa_kernel

import minigrad as mg
from conftest import check_op
from minigrad.testing import assert_close

F = mg.nn.functional
E, H = 4, 2


def randn(*shape):
    return np.random.default_rng().standard_normal(shape)


def mha(lib, q, k, v, w, b, ow, ob, bk=None, bv=None, **kw):
    """lib's multi_head_attention_forward with (q, k, v) sequence first, both outputs."""
    kw.setdefault("training", False)
    args = (q, k, v, q.shape[-1], H, w, b, bk, bv, kw.pop("add_zero_attn", False),
            kw.pop("dropout_p", 0.0), ow, ob)
    if lib is torch:        # torch's math SDPA backend has double backward, its flash one not
        with sdpa_kernel(SDPBackend.MATH):
            out, wts = tF.multi_head_attention_forward(*args, **kw)
    else:
        out, wts = F.multi_head_attention_forward(*args, **kw)
    return out if wts is None else (out, wts)


def packed(L=3, S=5, N=2):
    return [randn(L, N, E), randn(S, N, E), randn(S, N, E), randn(3 * E, E), randn(3 * E),
            randn(E, E), randn(E)]


@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_packed_projection_cross_attention(need_weights, average):
    kw = {"need_weights": need_weights, "average_attn_weights": average}
    check_op(lambda *a: mha(mg, *a, **kw), lambda *a: mha(torch, *a, **kw), packed(),
             double=True)


@pytest.mark.parametrize("need_weights", [True, False])
def test_self_and_encoder_decoder_attention(need_weights):
    # q is k is v (one projection GEMM) and k is v (the key/value GEMM shared), as torch
    a = packed()
    del a[1:3]
    kw = {"need_weights": need_weights}
    check_op(lambda x, *r: mha(mg, x, x, x, *r, **kw),
             lambda x, *r: mha(torch, x, x, x, *r, **kw), a, double=True)
    a = packed()
    del a[2]
    check_op(lambda q, m, *r: mha(mg, q, m, m, *r, **kw),
             lambda q, m, *r: mha(torch, q, m, m, *r, **kw), a)


@pytest.mark.parametrize("need_weights", [True, False])
def test_separate_weights_bias_kv_zero_attn_masks(need_weights):
    L, S, N = 3, 5, 2
    kpm = np.zeros((N, S), bool)
    kpm[1, 2:] = True
    mask = randn(N * H, L, S)

    def run(lib, q, k, v, wq, wk, wv, b, bk, bv, ow, ob, m):
        T = torch.tensor if lib is torch else mg.tensor
        return mha(lib, q, k, v, None, b, ow, ob, bk, bv, add_zero_attn=True,
                   use_separate_proj_weight=True, q_proj_weight=wq, k_proj_weight=wk,
                   v_proj_weight=wv, key_padding_mask=T(kpm), attn_mask=m,
                   need_weights=need_weights, average_attn_weights=False)

    check_op(lambda *a: run(mg, *a), lambda *a: run(torch, *a),
             [randn(L, N, E), randn(S, N, 3), randn(S, N, 5), randn(E, E), randn(E, 3),
              randn(E, 5), randn(3 * E), randn(1, 1, E), randn(1, 1, E), randn(E, E), randn(E),
              mask], double=True)


@pytest.mark.parametrize("mask", ["bool2d", "float2d", "bool3d", "kpm_float", "causal_hint"])
@pytest.mark.parametrize("need_weights", [True, False])
def test_masks(mask, need_weights):
    L, S, N = 4, 4, 3
    rng = np.random.default_rng()
    kw = {"need_weights": need_weights}
    if mask == "bool2d":
        m = rng.random((L, S)) < 0.3
        m[:, 0] = False
        kw["attn_mask"] = m
    elif mask == "float2d":
        kw["attn_mask"] = randn(L, S)
    elif mask == "bool3d":
        m = rng.random((N * H, L, S)) < 0.3
        m[..., 0] = False
        kw["attn_mask"] = m
    elif mask == "kpm_float":
        kw["key_padding_mask"] = randn(N, S)
        kw["attn_mask"] = randn(L, S)
    else:       # is_causal: a hint; without a kpm and weights torch applies the causal mask
        kw["attn_mask"] = rng.random((L, S)) < 0.5
        kw["is_causal"] = True

    def run(lib, *a):
        T = torch.tensor if lib is torch else mg.tensor
        return mha(lib, *a, **{k: T(v) if isinstance(v, np.ndarray) else v
                               for k, v in kw.items()})

    check_op(lambda *a: run(mg, *a), lambda *a: run(torch, *a), packed(L, S, N))


def test_static_kv_and_unbatched_and_empty():
    L, S, N = 3, 6, 2
    a = packed(L, 5, N)

    def run(lib, q, k, v, w, b, ow, ob, sk, sv):
        return mha(lib, q, k, v, w, b, ow, ob, static_k=sk, static_v=sv)
    check_op(lambda *x: run(mg, *x), lambda *x: run(torch, *x),
             a + [randn(N * H, S, E // H), randn(N * H, S, E // H)])
    # unbatched (L, E) with a 3-D (H, L, S) mask and a 1-D key_padding_mask
    kw = {"attn_mask": randn(H, L, 5), "key_padding_mask": np.array([0, 1, 0, 0, 0], bool)}

    def run2(lib, *x):
        T = torch.tensor if lib is torch else mg.tensor
        return mha(lib, *x, average_attn_weights=False, **{k: T(v) for k, v in kw.items()})
    check_op(lambda *x: run2(mg, *x), lambda *x: run2(torch, *x),
             [randn(L, E), randn(5, E), randn(5, E)] + a[3:])
    for L_, S_, N_ in [(0, 5, 2), (3, 5, 0)]:
        for nw in (True, False):
            check_op(lambda *x: mha(mg, *x, need_weights=nw),
                     lambda *x: mha(torch, *x, need_weights=nw), packed(L_, S_, N_))


def test_non_contiguous_and_float32():
    a = packed(3, 5, 2)
    q = randn(2, 3, E).transpose(1, 0, 2)            # a transposed view, (3, 2, E)
    w = randn(E, 3 * E).T
    out = check_op(lambda *x: mha(mg, *x), lambda *x: mha(torch, *x),
                   [q, a[1], a[2], w] + a[4:])
    a32 = [x.astype(np.float32) for x in a]
    out = check_op(lambda *x: mha(mg, *x), lambda *x: mha(torch, *x), a32, rtol=1e-4,
                   atol=1e-4)
    assert out[0].dtype == mg.float32 and out[1].dtype == mg.float32


def test_mixed_dtypes_raise_as_torch():
    a = packed()
    a[3] = a[3].astype(np.float32)                   # float32 weight, float64 query
    with pytest.raises(RuntimeError):
        mha(torch, *map(torch.tensor, a))
    with pytest.raises(RuntimeError):
        mha(mg, *map(mg.tensor, a))


def _error_cases():
    L, S, N = 3, 5, 2
    ok = dict(q=(L, N, E), k=(S, N, E), v=(S, N, E), w=(3 * E, E), b=(3 * E,))
    return [
        ("query 1-D", dict(ok, q=(E,), k=(E,), v=(E,)), {}),
        ("key 2-D", dict(ok, k=(S, E)), {}),
        ("kpm 1-D", ok, {"key_padding_mask": ("b", (S,))}),
        ("mask 4-D", ok, {"attn_mask": ("b", (1, 1, L, S))}),
        ("mask 2-D shape", ok, {"attn_mask": ("f", (L, S + 1))}),
        ("mask 3-D shape", ok, {"attn_mask": ("f", (N, L, S))}),
        ("int mask", ok, {"attn_mask": ("i", (L, S))}),
        ("int kpm", ok, {"key_padding_mask": ("i", (N, S))}),
        ("kpm shape", ok, {"key_padding_mask": ("b", (N, S + 1))}),
        ("embed dim", dict(ok, q=(L, N, E + 1)), {}),
        ("key/value", dict(ok, v=(S + 1, N, E)), {}),
        ("value batch", dict(ok, v=(S, N + 1, E)), {}),
        ("key and value batch", dict(ok, k=(S, N + 1, E), v=(S, N + 1, E)), {}),
        ("causal without mask", ok, {"is_causal": True}),
        ("no in_proj_weight", dict(ok, w=None), {}),
        ("separate without q_proj", ok, {"use_separate_proj_weight": True}),
        ("bias_k alone", ok, {"bias_k": ("f", (1, 1, E))}),
        ("static_k batch", ok, {"static_k": ("f", (N, S, E // H))}),
        ("static_v head dim", ok, {"static_v": ("f", (N * H, S, E))}),
        ("static_k with bias", ok, {"static_k": ("f", (N * H, S, E // H)),
                                    "bias_k": ("f", (1, 1, E)), "bias_v": ("f", (1, 1, E))}),
    ]


@pytest.mark.parametrize("label,shapes,extra", _error_cases(), ids=lambda x: str(x)[:20])
def test_errors_same_type_as_torch(label, shapes, extra):
    rng = np.random.default_rng()
    arrays = {k: None if s is None else rng.standard_normal(s) for k, s in shapes.items()}
    made = {"f": lambda s: rng.standard_normal(s), "b": lambda s: rng.random(s) < 0.5,
            "i": lambda s: rng.integers(0, 2, s)}

    def call(lib):
        T = torch.tensor if lib is torch else mg.tensor
        kw = {k: T(made[v[0]](v[1])) if isinstance(v, tuple) else v for k, v in extra.items()}
        x = {k: None if a is None else T(a) for k, a in arrays.items()}
        return mha(lib, x["q"], x["k"], x["v"], x["w"], x["b"], T(randn(E, E)), T(randn(E)),
                   kw.pop("bias_k", None), kw.pop("bias_v", None), **kw)
    with pytest.raises(Exception) as t_err:
        call(torch)
    with pytest.raises(t_err.type):
        call(mg)


def test_num_heads_not_dividing():
    a = [mg.tensor(x) for x in packed()]
    with pytest.raises(AssertionError, match="divisible"):
        F.multi_head_attention_forward(a[0], a[1], a[2], E, 3, a[3], a[4], None, None, False,
                                       0.0, a[5], a[6])


def test_dropout_in_training_is_bernoulli_scaled():
    q, k, v, w, b, ow, ob = packed(8, 16, 4)
    x = [mg.tensor(a) for a in (q, k, v, w, b, ow, ob)]
    clean = mha(mg, *x, average_attn_weights=False)[1].numpy()
    _, wd = mha(mg, *x, dropout_p=0.25, training=True, average_attn_weights=False)
    wd = wd.numpy()
    kept = wd != 0
    np.testing.assert_allclose(wd[kept], clean[kept] / 0.75, rtol=1e-12)
    assert abs(1 - kept.mean() - 0.25) < 0.06          # 1024 draws: 5 sigma is ~0.07
    # need_weights=False (the SDPA path): the mean of many draws is the clean output
    base = mha(mg, *x, need_weights=False).numpy()
    runs = [mha(mg, *x, need_weights=False, dropout_p=0.3, training=True).numpy()
            for _ in range(300)]
    assert not np.allclose(runs[0], base)
    assert np.abs(np.mean(runs, 0) - base).mean() < 0.15 * np.abs(base).mean() + 0.05
    # training=False ignores dropout_p
    np.testing.assert_array_equal(mha(mg, *x, dropout_p=0.9, need_weights=False).numpy(), base)


# ---- nn.MultiheadAttention ------------------------------------------------------------------
def pair(*args, **kw):
    tm = torch.nn.MultiheadAttention(*args, **kw).double()
    for p in tm.parameters():
        torch.nn.init.normal_(p, std=0.5)
    mm = mg.nn.MultiheadAttention(*args, dtype=mg.float64, **kw)
    mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return mm, tm


def run_pair(mm, tm, arrays, **kw):
    """Outputs, weights and every gradient of both modules on the same inputs."""
    mx = [mg.tensor(a, requires_grad=True) for a in arrays]
    tx = [torch.tensor(a, requires_grad=True) for a in arrays]
    conv = {k: (v, torch.tensor(v)) if isinstance(v, np.ndarray) else (v, v) for k, v in kw.items()}
    mo, mw = mm(*mx, **{k: mg.tensor(v[0]) if isinstance(v[0], np.ndarray) else v[0]
                        for k, v in conv.items()})
    to, tw = tm(*tx, **{k: v[1] for k, v in conv.items()})
    assert_close(mo, to.detach(), 1e-9, 1e-11, "output: ")
    assert (mw is None) == (tw is None)
    g = randn(*to.shape)
    ml, tl = (mo * mg.tensor(g)).sum(), (to * torch.tensor(g)).sum()
    if tw is not None:
        assert_close(mw, tw.detach(), 1e-9, 1e-11, "weights: ")
        gw = randn(*tw.shape)
        ml, tl = ml + (mw * mg.tensor(gw)).sum(), tl + (tw * torch.tensor(gw)).sum()
    ml.backward()
    tl.backward()
    for a, b in zip(mx, tx):
        assert_close(a.grad, b.grad, 1e-9, 1e-11, "input grad: ")
    tp = dict(tm.named_parameters())
    assert [n for n, _ in mm.named_parameters()] == list(tp)
    for n, p in mm.named_parameters():
        assert_close(p.grad, tp[n].grad, 1e-9, 1e-11, f"grad of {n}: ")


@pytest.mark.parametrize("opts", [{"add_bias_kv": True}, {"add_zero_attn": True},
                                  {"add_bias_kv": True, "add_zero_attn": True, "kdim": 3,
                                   "vdim": 5, "batch_first": True},
                                  {"bias": False, "add_bias_kv": True}])
@pytest.mark.parametrize("need_weights", [True, False])
def test_module_bias_kv_zero_attn(opts, need_weights):
    mm, tm = pair(E, H, **opts)
    bf = opts.get("batch_first", False)
    shp = (lambda s, d: (2, s, d)) if bf else (lambda s, d: (s, 2, d))
    kpm = np.zeros((2, 5), bool)
    kpm[0, 3:] = True
    m = np.random.default_rng().random((3, 5)) < 0.3
    m[:, 0] = False
    for train in (True, False):
        mm.train(train)
        tm.train(train)
        run_pair(mm, tm, [randn(*shp(3, E)), randn(*shp(5, opts.get("kdim", E))),
                          randn(*shp(5, opts.get("vdim", E)))],
                 key_padding_mask=kpm, attn_mask=m, need_weights=need_weights)


def test_module_defaults_parameters_and_init():
    tm = torch.nn.MultiheadAttention(16, 4, add_bias_kv=True, kdim=6, vdim=7)
    mm = mg.nn.MultiheadAttention(16, 4, add_bias_kv=True, kdim=6, vdim=7)
    assert mm.batch_first is False and mm.dropout == 0.0 and mm.add_zero_attn is False
    assert [(n, tuple(p.shape)) for n, p in mm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert mm.in_proj_weight is None and mm.bias_k.dtype == mg.float32
    assert set(mm.state_dict()) == set(tm.state_dict())
    big = mg.nn.MultiheadAttention(256, 4, add_bias_kv=True)
    bound = np.sqrt(6 / (256 * 4))                   # xavier_uniform_ on (3E, E)
    w = big.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not big.in_proj_bias.detach().numpy().any()
    assert not big.out_proj.bias.detach().numpy().any()
    for p in (big.bias_k, big.bias_v):              # xavier_normal_: std 1/sqrt(E) on (1, 1, E)
        assert abs(p.detach().numpy().std() * 16 - 1) < 0.3


def test_merge_masks_as_torch():
    mm, tm = pair(E, H, batch_first=True)
    q = randn(2, 3, E)
    am, kpm = randn(3, 3), randn(2, 3)
    for a, k in [(am, kpm), (None, kpm), (am, None), (randn(2 * H, 3, 3), kpm)]:
        mine = mm.merge_masks(None if a is None else mg.tensor(a),
                              None if k is None else mg.tensor(k), mg.tensor(q))
        theirs = tm.merge_masks(None if a is None else torch.tensor(a),
                                None if k is None else torch.tensor(k), torch.tensor(q))
        assert mine[1] == theirs[1]
        assert_close(mine[0], theirs[0], 0, 0)


def test_module_dropout_is_random_in_training_only():
    mm, _ = pair(E, H, dropout=0.5)
    x = mg.tensor(randn(3, 2, E))
    a, b = mm(x, x, x)[0].detach().numpy(), mm(x, x, x)[0].detach().numpy()
    assert not np.allclose(a, b)
    mm.eval()
    np.testing.assert_array_equal(mm(x, x, x)[0].detach().numpy(), mm(x, x, x)[0].detach().numpy())


def test_module_dropout_weights_distribution():
    mm, _ = pair(8, 2, dropout=0.4)
    x = mg.tensor(randn(16, 4, 8))
    mm.eval()
    clean = mm(x, x, x, average_attn_weights=False)[1].detach().numpy()
    mm.train()
    w = mm(x, x, x, average_attn_weights=False)[1].detach().numpy()
    kept = w != 0
    np.testing.assert_allclose(w[kept], clean[kept] / 0.6, rtol=1e-12)
    assert abs(1 - kept.mean() - 0.4) < 0.04        # 2048 draws: 5 sigma is ~0.054 / 1.4


# ---- F.scaled_dot_product_attention(enable_gqa=True) -------------------------------------
def _sdpa(lib, **kw):
    if lib is torch:
        def run(*a):
            with sdpa_kernel(SDPBackend.MATH):
                return tF.scaled_dot_product_attention(*a, **kw)
        return run
    return lambda *a: F.scaled_dot_product_attention(*a, **kw)


@pytest.mark.parametrize("shapes", [((2, 6, 3, 4), (2, 3, 5, 4), (2, 1, 5, 2)),
                                    ((4, 3, 4), (2, 5, 4), (1, 5, 4)),       # 3-D: dim 0
                                    ((2, 4, 0, 4), (2, 2, 5, 4), (1, 4, 5, 4)),
                                    ((2, 4, 3, 4), (1, 2, 0, 4), (2, 4, 0, 3))])
def test_gqa_values_gradients_double(shapes):
    kw = {"enable_gqa": True, "scale": 0.7, "is_causal": True}
    check_op(_sdpa(mg, **kw), _sdpa(torch, **kw), [randn(*s) for s in shapes], double=True)


@pytest.mark.parametrize("shapes", [((2, 4, 3, 4), (2, 3, 5, 4), (2, 3, 5, 4)),
                                    ((2, 2, 3, 4), (2, 4, 5, 4), (2, 4, 5, 4)),
                                    ((2, 4, 3, 4), (2, 2, 5, 4), (2, 3, 5, 4))])
def test_gqa_heads_must_divide(shapes):
    t = [torch.tensor(randn(*s)) for s in shapes]
    with pytest.raises(RuntimeError):
        tF.scaled_dot_product_attention(*t, enable_gqa=True)
    with pytest.raises(RuntimeError, match="divide"):
        F.scaled_dot_product_attention(*(mg.tensor(a.numpy()) for a in t), enable_gqa=True)
    # without enable_gqa the head counts must broadcast, as torch
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(*(mg.tensor(a.numpy()) for a in t))


def test_empty_inputs_that_would_broadcast_are_refused():
    # torch's CPU kernel gives query's leading shape (1, 4) here, its math path (2, 4)
    q, k = mg.randn(1, 4, 0, 4), mg.randn(2, 4, 5, 4)
    with pytest.raises(RuntimeError, match="empty"):
        F.scaled_dot_product_attention(q, k, k)


def test_gqa_zero_kv_heads_is_refused():
    # torch returns zeros (or crashes when only one of key/value has 0 heads): minigrad raises
    q, k = mg.randn(2, 4, 3, 8), mg.randn(2, 0, 5, 8)
    with pytest.raises(RuntimeError, match="divide"):
        F.scaled_dot_product_attention(q, k, k, enable_gqa=True)
