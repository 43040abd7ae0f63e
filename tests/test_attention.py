"""F.scaled_dot_product_attention against torch (float64): every option, both code paths.

The fused FlashAttention Op is exercised on CPU through its NumPy forward/backward (the
reference its CUDA kernels are tested against in test_attention_kernels.py).
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.ops import attention as A


def sdpa(**kw):
    return (lambda q, k, v, *m: F.scaled_dot_product_attention(q, k, v, *m, **kw),
            lambda q, k, v, *m: TF.scaled_dot_product_attention(q, k, v, *m, **kw))


def fused(is_causal=False, scale=None):
    """The fused Op's path (NumPy forward/backward on CPU), with sdpa's broadcasting."""
    def fn(q, k, v, m=None):
        lead = A._broadcast_lead(q, k, v, m)
        s = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
        return A._fused(q, k, v, m, is_causal, s, lead)
    return fn, lambda q, k, v, *m: TF.scaled_dot_product_attention(
        q, k, v, *m, is_causal=is_causal, scale=scale)


PATHS = [pytest.param(sdpa, id="reference"), pytest.param(fused, id="fused-op")]


def randn(*shape):
    return np.random.default_rng().standard_normal(shape)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("shapes", [
    ((2, 3, 5, 4), (2, 3, 7, 4), (2, 3, 7, 4)),      # L != S
    ((2, 3, 7, 4), (2, 3, 5, 4), (2, 3, 5, 4)),      # L > S
    ((6, 8), (1, 8), (1, 8)),                        # 2-D, S = 1
    ((2, 3, 5, 4), (1, 3, 6, 4), (1, 1, 6, 4)),      # broadcast leading dims
])
def test_plain(path, shapes):
    check_op(*path(), [randn(*s) for s in shapes])


def test_value_dim_and_double_backward():
    mg_fn, t_fn = sdpa()
    check_op(mg_fn, t_fn, [randn(2, 4, 3), randn(2, 5, 3), randn(2, 5, 6)], double=True)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("L,S", [(5, 5), (3, 7), (7, 3), (1, 4)])
def test_causal(path, L, S):
    check_op(*path(is_causal=True), [randn(2, 2, L, 4), randn(2, 2, S, 4), randn(2, 2, S, 4)])


@pytest.mark.parametrize("path", PATHS)
def test_scale(path):
    check_op(*path(scale=0.37), [randn(2, 5, 3), randn(2, 6, 3), randn(2, 6, 3)])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("mshape", [(5, 6), (1, 1, 6), (2, 1, 5, 6), (3, 5, 1)])
def test_bool_mask_broadcast(path, mshape):
    rng = np.random.default_rng()
    mask = rng.random(mshape) < 0.7
    mask[..., 0] = True                                  # no fully masked rows here
    check_op(*path(), [randn(2, 3, 5, 4), randn(2, 3, 6, 4), randn(2, 3, 6, 4), mask])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("mshape", [(5, 6), (3, 5, 6), (2, 1, 5, 6), (1, 6)])
def test_float_mask_gradient(path, mshape):
    # the bias gets a gradient summed over its broadcast dims (a learnable position bias)
    check_op(*path(), [randn(2, 3, 5, 4), randn(2, 3, 6, 4), randn(2, 3, 6, 4), randn(*mshape)])


@pytest.mark.parametrize("path", PATHS)
def test_float_mask_with_minus_inf(path):
    m = randn(5, 6)
    m[np.random.default_rng().random((5, 6)) < 0.3] = -np.inf
    m[:, 2] = 0.5
    check_op(*path(), [randn(2, 5, 4), randn(2, 6, 4), randn(2, 6, 4), m])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_fully_masked_rows_give_zeros(path, kind):
    # torch 2.13's SDPA returns 0 (not NaN) for a row that attends nothing, with zero gradients
    if kind == "bool":
        m = np.ones((2, 5, 6), bool)
        m[0, 1] = False
        m[1, 4] = False
    else:
        m = randn(2, 5, 6)
        m[0, 1] = -np.inf
        m[1, 4] = -np.inf
    outs = check_op(*path(), [randn(2, 5, 4), randn(2, 6, 4), randn(2, 6, 4), m])
    first = outs[0].detach().numpy()
    assert np.all(first[0, 1] == 0) and np.all(first[1, 4] == 0)


@pytest.mark.parametrize("hk", [1, 2])
def test_gqa(hk):
    check_op(*sdpa(enable_gqa=True), [randn(2, 6, 5, 4), randn(2, hk, 7, 4), randn(2, hk, 7, 3)])


def test_gqa_with_mask_and_fused_op():
    q, k, v, m = randn(2, 4, 5, 8), randn(2, 2, 6, 8), randn(2, 2, 6, 8), randn(4, 5, 6)
    mg_ref = F.scaled_dot_product_attention(*(mg.tensor(a) for a in (q, k, v, m)),
                                            enable_gqa=True)
    t = TF.scaled_dot_product_attention(*(torch.tensor(a) for a in (q, k, v, m)),
                                        enable_gqa=True)
    np.testing.assert_allclose(mg_ref.numpy(), t.numpy(), rtol=1e-10, atol=1e-12)


def test_float32_stays_float32():
    q = mg.randn(2, 5, 8)
    assert F.scaled_dot_product_attention(q, q, q).dtype == mg.float32


def test_dropout_zero_one_and_seeded():
    q, k, v = (mg.tensor(randn(2, 5, 4)) for _ in range(3))
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    assert np.all(out.numpy() == 0)
    mg.manual_seed(3)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4).numpy()
    mg.manual_seed(3)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4).numpy()
    c = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_is_unbiased():
    # E[dropout(P)] = P, so the mean output over many draws approaches the dropout-free one
    q, k, v = (randn(1, 4, 3) for _ in range(3))
    mq, mk, mv = (mg.tensor(np.broadcast_to(a, (20000, 4, 3)).copy()) for a in (q, k, v))
    out = F.scaled_dot_product_attention(mq, mk, mv, dropout_p=0.3).numpy().mean(0)
    ref = TF.scaled_dot_product_attention(*(torch.tensor(a) for a in (q, k, v)))[0].numpy()
    np.testing.assert_allclose(out, ref, atol=0.03)


def test_dropout_gradient_matches_its_mask():
    # with the generator re-seeded before each call the function is deterministic: gradcheck
    q, k, v = (mg.tensor(randn(2, 4, 3), requires_grad=True) for _ in range(3))

    def fn(q, k, v):
        mg.manual_seed(11)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert mg.testing.gradcheck(fn, [q, k, v])


def test_fused_op_double_backward():
    check_op(*fused(is_causal=True), [randn(2, 4, 3), randn(2, 5, 3), randn(2, 5, 3)],
             double=True)
    check_op(*fused(), [randn(2, 4, 3), randn(2, 5, 3), randn(2, 5, 3), randn(4, 5)],
             double=True)


def test_fused_op_causal_plus_bias():
    # the kernel takes both at once (torch's API does not): compare with the combined mask
    q, k, v, b = randn(2, 4, 3), randn(2, 6, 3), randn(2, 6, 3), randn(4, 6)
    combined = np.where(np.tril(np.ones((4, 6), bool)), b, -np.inf)
    ts = [torch.tensor(a, requires_grad=True) for a in (q, k, v, combined)]
    ms = [mg.tensor(a, requires_grad=True) for a in (q, k, v, b)]
    out = A._fused(*ms, True, 0.5, (2,))
    ref = TF.scaled_dot_product_attention(*ts, scale=0.5)
    w = randn(2, 4, 3)
    out.backward(mg.tensor(w))
    ref.backward(torch.tensor(w))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    for m, t in zip(ms, ts):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_fused_dispatch_rules():
    def f32(*s):
        return mg.randn(*s)
    q, k, v = f32(2, 5, 8), f32(2, 6, 8), f32(2, 6, 8)
    assert A.fused_unsupported(q, k, v, None, 0.0) is None
    assert A.fused_unsupported(q, k, v, mg.ones(5, 6, dtype=mg.bool), 0.0) is None
    assert A.fused_unsupported(q, k, v, mg.zeros(5, 6), 0.0) is None
    assert "dropout" in A.fused_unsupported(q, k, v, None, 0.1)
    assert "dtype" in A.fused_unsupported(q.double(), k.double(), v.double(), None, 0.0)
    assert "value" in A.fused_unsupported(q, k, f32(2, 6, 4), None, 0.0)
    assert "head dim" in A.fused_unsupported(f32(2, 5, 160), f32(2, 6, 160), f32(2, 6, 160),
                                             None, 0.0)
    assert "attn_mask" in A.fused_unsupported(q, k, v, mg.zeros(5, 6, dtype=mg.float64), 0.0)
    assert not A._use_fused(q, k, v, None, 0.0)          # NumPy arrays never take the kernel


@pytest.mark.parametrize("kwargs,match", [
    ({"attn_mask": np.ones((5, 6), bool), "is_causal": True}, "is_causal"),
    ({"dropout_p": 1.5}, "dropout_p"),
    ({"attn_mask": np.ones((5, 6), np.int64)}, "bool or float"),
    ({"attn_mask": np.ones((4, 6), bool)}, "attn_mask"),
])
def test_errors(kwargs, match):
    q, k, v = mg.randn(2, 5, 8), mg.randn(2, 6, 8), mg.randn(2, 6, 8)
    if "attn_mask" in kwargs:
        kwargs["attn_mask"] = mg.tensor(kwargs["attn_mask"])
    with pytest.raises(RuntimeError, match=match):
        F.scaled_dot_product_attention(q, k, v, **kwargs)


def test_shape_errors():
    q = mg.randn(2, 6, 5, 8)
    with pytest.raises(RuntimeError, match="last dim"):
        F.scaled_dot_product_attention(q, mg.randn(2, 6, 5, 7), mg.randn(2, 6, 5, 8))
    with pytest.raises(RuntimeError, match="sequence length"):
        F.scaled_dot_product_attention(q, mg.randn(2, 6, 5, 8), mg.randn(2, 6, 4, 8))
    with pytest.raises(RuntimeError, match="heads"):
        F.scaled_dot_product_attention(q, mg.randn(2, 4, 5, 8), mg.randn(2, 4, 5, 8),
                                       enable_gqa=True)
    with pytest.raises(RuntimeError, match="broadcast"):
        F.scaled_dot_product_attention(q, mg.randn(2, 4, 5, 8), mg.randn(2, 4, 5, 8))
    with pytest.raises(RuntimeError, match="dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
