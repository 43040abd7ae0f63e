"""Forward-mode rules of the fused and random ops against torch's forward AD in float64:
flash attention and its backward op (called directly: on the CPU the fused path runs its
NumPy reference), dropout's shared mask, gumbel's straight-through, prelu, embedding's
gradient scaling, the chunked linear_cross_entropy and BlockGrad (forward over reverse), and
reverse over forward (the gradient of a tangent) through a few rules."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import forward_ad as fw
from minigrad.ops.attention import FlashAttention, FlashAttentionBackward
from tests.test_forward_ad_math import MG, TORCH, P, R, _np, check_hvp, check_jvp
from tests.test_forward_ad_losses import I, Targets, check_adjoint

torch = pytest.importorskip("torch")
tfw = torch.autograd.forward_ad


# ---- attention -------------------------------------------------------------------------------
def _sdpa(L, q, k, v, bias=None, causal=False, scale=0.4):
    if L is MG:
        return FlashAttention.apply(q, k, v, bias, causal, scale)[0]
    return L.F.scaled_dot_product_attention(q, k, v, attn_mask=bias, is_causal=causal,
                                            scale=scale)


@pytest.mark.parametrize("causal,bias", [(False, False), (True, False), (False, True)])
def test_flash_attention_jvp(causal, bias):
    arrays = [R(2, 4, 3), R(2, 5, 3, seed=1), R(2, 5, 3, seed=2)] + ([R(4, 5)] if bias else [])
    f = lambda L, *xs: _sdpa(L, *xs[:3], xs[3] if bias else None, causal)   # noqa: E731
    check_jvp(f, arrays, tuple(range(len(arrays))))
    check_jvp(f, arrays, (1,))


def test_flash_attention_backward_jvp_is_torchs_forward_over_reverse():
    """FlashAttentionBackward (the gradient without create_graph) under forward mode: its
    tangents are those of torch's gradient of SDPA taken inside the dual level."""
    rng = np.random.default_rng(7)
    q, k, v, b, do = R(2, 4, 3), R(2, 5, 3, seed=1), R(2, 5, 3, seed=2), R(4, 5), R(2, 4, 3)
    prim = [q, k, v, b, do]
    tan = [rng.standard_normal(a.shape) for a in prim]
    with fw.dual_level():
        d = [fw.make_dual(mg.tensor(a), mg.tensor(t)) for a, t in zip(prim, tan)]
        o, lse = FlashAttention.apply(d[0], d[1], d[2], d[3], False, 0.4)
        grads = FlashAttentionBackward.apply(d[0], d[1], d[2], d[3], o, lse, d[4], False, 0.4,
                                             True)
        ours = [_np(fw.unpack_dual(g).tangent) for g in grads]
    with tfw.dual_level():
        leaves = [torch.tensor(a, requires_grad=True) for a in prim[:4]]
        d = [tfw.make_dual(x, torch.tensor(t)) for x, t in zip(leaves, tan[:4])]
        out = TORCH.F.scaled_dot_product_attention(*d[:3], attn_mask=d[3], scale=0.4)
        grads = torch.autograd.grad(out, d, tfw.make_dual(torch.tensor(do), torch.tensor(tan[4])),
                                    create_graph=True)
        theirs = [_np(tfw.unpack_dual(g).tangent) for g in grads]
    for a, b_ in zip(ours, theirs):
        np.testing.assert_allclose(a, b_, rtol=1e-9, atol=1e-11)


def test_flash_attention_hvp_through_the_composed_backward():
    from minigrad.ops.linalg import Matmul
    if Matmul.jvp is None:
        pytest.skip("the composed backward needs matmul's forward rule (not written yet)")
    arrays = [R(1, 3, 2), R(1, 4, 2, seed=1), R(1, 4, 2, seed=2)]
    check_hvp(lambda L, *xs: _sdpa(L, *xs, causal=True), arrays, (0, 1, 2))


# ---- dropout: the same mask ------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["dropout", "dropout1d", "dropout2d", "alpha_dropout",
                                "feature_alpha_dropout", "drop_path"])
def test_dropout_tangent_uses_the_forward_mask(fn):
    x, v = R(4, 3, 5) + 3.0, R(4, 3, 5, seed=1)
    mg.manual_seed(3)
    with fw.dual_level():
        if fn == "drop_path":
            y = mg.nn.functional.drop_path(fw.make_dual(mg.tensor(x), mg.tensor(v)), 0.4, True)
        else:
            y = getattr(mg.nn.functional, fn)(fw.make_dual(mg.tensor(x), mg.tensor(v)), 0.4,
                                              True)
        p, t = (_np(a) for a in fw.unpack_dual(y))
    mg.manual_seed(3)                       # the same draw, through the primal alone:
    y2 = (mg.nn.functional.drop_path(mg.tensor(x + 1), 0.4, True) if fn == "drop_path" else
          getattr(mg.nn.functional, fn)(mg.tensor(x + 1), 0.4, True)).numpy()
    np.testing.assert_allclose(t, (y2 - p) * v, rtol=1e-10, atol=1e-12)   # the affine map's
    assert np.any(t == 0) and np.any(t != 0)                             # slope, per element


def test_gumbel_hard_tangent_is_the_soft_samples():
    x, v = R(3, 5), R(3, 5, seed=1)
    out = []
    for hard in (True, False):
        mg.manual_seed(11)
        with fw.dual_level():
            y = mg.nn.functional.gumbel_softmax(fw.make_dual(mg.tensor(x), mg.tensor(v)), 0.5,
                                                hard)
            out.append(_np(fw.unpack_dual(y).tangent))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-12)


# ---- prelu, embedding, device moves, group_norm's empty groups -------------------------------
@pytest.mark.parametrize("w", [P(3) * 0.2, P(1) * 0.3])
def test_prelu_and_its_backward_op(w):
    f = lambda L, x, w_: L.F.prelu(x, w_)   # noqa: E731
    check_jvp(f, [R(2, 3, 4), w], (0, 1))
    check_hvp(f, [R(2, 3, 4), w], (0, 1))
    check_hvp(lambda L, x, w_: f(L, x, w_) * x, [R(2, 3, 4), w], (0, 1))


@pytest.mark.parametrize("kw", [dict(padding_idx=0), dict(scale_grad_by_freq=True),
                                dict(padding_idx=2, scale_grad_by_freq=True)])
def test_embedding_tangent_is_the_plain_lookup_as_torch(kw):
    ids = Targets(np.array([[0, 2, 2], [1, 0, 3]]))
    check_jvp(lambda L, w: L.F.embedding(ids(L), w, **kw), [R(5, 3)])
    for L in (MG, TORCH):                   # and the gradient is still torch's
        w = L.t(R(5, 3), requires_grad=True)
        (L.F.embedding(ids(L), w, **kw) * L.t(R(2, 3, 3, seed=4))).sum().backward()
        if L is MG:
            ours = w.grad.numpy()
    np.testing.assert_allclose(ours, w.grad.numpy(), rtol=1e-12)


def test_to_device_and_empty_group_norm():
    from minigrad.ops.convert import ToDevice
    from minigrad.ops.norm_group import _NaNGradOf
    x, v = R(2, 3), R(2, 3, seed=1)
    with fw.dual_level():
        d = fw.make_dual(mg.tensor(x), mg.tensor(v))
        moved = ToDevice.apply(d, mg.backend.Device("cpu"))
        np.testing.assert_array_equal(fw.unpack_dual(moved).tangent.numpy(), v)
        np.testing.assert_array_equal(
            fw.unpack_dual(_NaNGradOf.apply(d, mg.tensor(P(3)))).tangent.numpy(), v)
    check_jvp(lambda L, x, w: L.F.group_norm(x, 1, w), [np.zeros((2, 3, 0)), P(3)], (0, 1))


# ---- the chunked linear_cross_entropy and BlockGrad ------------------------------------------
def _lce(reduction, probs=False):
    t = Targets(I(6, 5))

    def f(L, x, w, b, *p):
        opts = mg.nn.LinearCrossEntropyOptions(batch_chunk_size=2) if L is MG else None
        target = p[0].softmax(1) if probs else t(L)
        return L.F.linear_cross_entropy(x, w, target, linear_bias=b, reduction=reduction,
                                        label_smoothing=0.1, options=opts)
    return f


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_chunked_linear_cross_entropy_jvp_and_hvp(reduction):
    arrays = [R(5, 4), R(6, 4, seed=1), R(6, seed=2)]
    check_jvp(_lce(reduction), arrays, (0, 1, 2))
    check_jvp(_lce(reduction, True), arrays + [R(5, 6, seed=3)], (0, 3))
    check_hvp(_lce(reduction), arrays, (0, 1, 2))         # BlockGrad's rule (J v = H v)
    check_hvp(_lce(reduction), arrays, (1,))


# ---- reverse over forward: the gradient of a tangent -----------------------------------------
ROF = [
    ("log_softmax", lambda L, x: L.F.log_softmax(x, 1)),
    ("layer_norm", lambda L, x: L.F.layer_norm(x, (4,))),
    ("cross_entropy", lambda L, x: L.F.cross_entropy(x, L.t(np.array([0, 3, 1])),
                                                     label_smoothing=0.1)),
    ("logaddexp", lambda L, x: L.m.logaddexp(x, x * x - 1)),
    ("bce_with_logits", lambda L, x: L.F.binary_cross_entropy_with_logits(x, x.sigmoid())),
]


@pytest.mark.parametrize("name,f", ROF, ids=[c[0] for c in ROF])
def test_reverse_over_forward(name, f):
    """d/dx <J(x) v, u> by minigrad's reverse over forward, against torch's reverse over
    reverse d/dx <v, J(x)^T u> (the same number; torch's own reverse over forward fails
    for log_softmax, and differs for layer_norm, whose tangent formula it does not
    differentiate fully)."""
    x, v = R(3, 4), R(3, 4, seed=1)
    xx = mg.tensor(x, requires_grad=True)
    with fw.dual_level():
        t = fw.unpack_dual(f(MG, fw.make_dual(xx, mg.tensor(v)))).tangent
    u = np.random.default_rng(5).standard_normal(tuple(t.shape))
    ours, = mg.autograd.grad((t * mg.tensor(u)).sum(), xx)
    xt = torch.tensor(x, requires_grad=True)
    g, = torch.autograd.grad(f(TORCH, xt), xt, torch.tensor(u), create_graph=True)
    theirs, = torch.autograd.grad((g * torch.tensor(v)).sum(), xt)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-9, atol=1e-11)


def test_multilabel_margin_jvp_0d_class_and_adjoint():
    check_adjoint(lambda L, x: L.F.multilabel_margin_loss(x, L.t(np.array([2, 0, -1, 1]))),
                  [R(4)])
