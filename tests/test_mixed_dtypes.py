"""Mixed dtypes beyond the promotion sweep of tests/test_promotion.py, against torch 2.13:
gradients of mixed-dtype operands, clamp's tensor bounds, bool arithmetic errors,
constructor dtypes and the dtypes losses and norms reject."""

import numpy as np
import pytest
import torch

import minigrad as mg

# both libraries at torch's own default dtype, float32 (tests/test_promotion.py's fixture)
from test_promotion import _default_dtypes  # noqa: E402, F401


# ---- gradients of mixed-dtype operands -------------------------------------------------
def _grads(lib, fn, arrays, dtypes):
    ts = [lib.tensor(a, dtype=getattr(lib, d), requires_grad=True) for a, d in zip(arrays, dtypes)]
    out = fn(lib, *ts)
    g = np.random.default_rng(0).standard_normal(tuple(out.shape))
    out.backward(lib.tensor(g, dtype=out.dtype))
    return out, [t.grad for t in ts]


MIXED = {
    "add": lambda L, a, b: a + b, "sub": lambda L, a, b: a - b, "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b, "pow": lambda L, a, b: a ** b,
    "maximum": lambda L, a, b: L.maximum(a, b), "minimum": lambda L, a, b: L.minimum(a, b),
    "remainder": lambda L, a, b: L.remainder(a, b), "fmod": lambda L, a, b: L.fmod(a, b),
    "add_alpha": lambda L, a, b: L.add(a, b, alpha=2.5),
}


@pytest.mark.parametrize("name", list(MIXED))
@pytest.mark.parametrize("shapes,dtypes", [(((3,), ()), ("float32", "float64")),
                                           (((3,), ()), ("float64", "float32")),
                                           (((2, 3), (3,)), ("float32", "float64")),
                                           (((), ()), ("float64", "float32"))])
def test_mixed_dtype_gradients(name, shapes, dtypes, rng):
    arrays = [rng.uniform(0.5, 2.0, s) for s in shapes]
    out, gm = _grads(mg, MIXED[name], arrays, dtypes)
    tout, gt = _grads(torch, MIXED[name], arrays, dtypes)
    assert str(out.dtype) == str(tout.dtype)[6:]
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-6)
    for a, b in zip(gm, gt):
        assert str(a.dtype) == str(b.dtype)[6:]
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtypes", [("float64", "float64", "float64"),
                                    ("float32", "float64", "float32"),
                                    ("float64", "float32", "float32")])
def test_where_gradients_with_mixed_branches(dtypes, rng):
    cond = rng.random((2, 3)) < 0.5
    arrays = [rng.standard_normal((2, 3)), rng.standard_normal((3,)), rng.standard_normal(())]

    def run(lib):
        x, a, b = [lib.tensor(v, dtype=getattr(lib, d), requires_grad=True)
                   for v, d in zip(arrays, dtypes)]
        out = lib.where(lib.tensor(cond), x * a, b)
        out.backward(lib.ones(out.shape, dtype=out.dtype))
        return out, [x.grad, a.grad, b.grad]

    (o, gm), (to, gt) = run(mg), run(torch)
    assert str(o.dtype) == str(to.dtype)[6:]
    for a, b in zip(gm, gt):
        assert str(a.dtype) == str(b.dtype)[6:]
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_clamp_with_tensor_bounds_gradients(rng):
    x = rng.standard_normal((4, 3))
    lo = rng.standard_normal((3,)) - 0.5
    hi = rng.standard_normal((4, 1)) + 0.5
    x[0, 0], lo[1], hi[2, 0] = lo[0], 1.0, -1.0       # a tie, and lo > hi in a row

    def run(lib, use_hi=True, use_lo=True):
        ts = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in (x, lo, hi)]
        out = lib.clamp(ts[0], ts[1] if use_lo else None, ts[2] if use_hi else None)
        out.backward(lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(out.shape)))
        return out, [t.grad for t in ts]

    for flags in [(True, True), (False, True), (True, False)]:
        (o, gm), (to, gt) = run(mg, *flags), run(torch, *flags)
        np.testing.assert_allclose(o.detach().numpy(), to.detach().numpy())
        for a, b in zip(gm, gt):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a.numpy(), b.numpy())


def test_clamp_dtypes_and_errors():
    for margs, targs in [((mg.tensor([1, 2]), 0.5), (torch.tensor([1, 2]), 0.5)),
                         ((mg.ones(3), mg.tensor([0.5], dtype=mg.float64)),
                          (torch.ones(3), torch.tensor([0.5], dtype=torch.float64))),
                         ((mg.ones(3), mg.tensor(0.5, dtype=mg.float64)),
                          (torch.ones(3), torch.tensor(0.5, dtype=torch.float64)))]:
        assert str(mg.clamp(*margs).dtype) == str(torch.clamp(*targs).dtype)[6:]
    for lo, hi in [(0.0, 1), (1.5, None), (None, 0.5)]:    # a 0-d tensor bound with a number
        m = mg.clamp(mg.tensor([1, 5]), mg.tensor(lo) if lo is not None else None, hi)
        t = torch.clamp(torch.tensor([1, 5]), torch.tensor(lo) if lo is not None else None, hi)
        assert str(m.dtype) == str(t.dtype)[6:] and m.tolist() == t.tolist()


def test_floor_divide_backward_raises_like_torch():
    t = torch.tensor([3.0, -5.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        (t // 2).sum().backward()
    m = mg.tensor([3.0, -5.0], requires_grad=True)
    y = m // 2
    assert y.requires_grad
    with pytest.raises(RuntimeError, match="floor_divide"):
        y.sum().backward()
    m2 = mg.tensor([3.0, -5.0], requires_grad=True)
    t2 = torch.tensor([3.0, -5.0], requires_grad=True)
    mg.div(m2, 2, rounding_mode="floor").sum().backward()
    torch.div(t2, 2, rounding_mode="floor").sum().backward()
    assert m2.grad.numpy().tolist() == t2.grad.tolist()


def test_bool_arithmetic_errors_match_torch():
    b = np.array([True, False])
    for fn in (lambda x: x - x, lambda x: -x, lambda x: x - 1, lambda x: 1.5 - x,
               lambda x: x ** x, lambda x: x // x):
        pytest.raises(RuntimeError, fn, torch.tensor(b))
        pytest.raises(RuntimeError, fn, mg.tensor(b))
    assert mg.tensor(b).__add__(mg.tensor(b)).dtype == mg.bool


# ---- construction -----------------------------------------------------------------------
CONSTRUCT = [
    lambda L: L.tensor(np.float64(1.0)), lambda L: L.tensor(np.int32(1)),
    lambda L: L.tensor([1, 2.5]), lambda L: L.tensor([True, 1]), lambda L: L.tensor([True]),
    lambda L: L.tensor([np.float64(1), 2]), lambda L: L.tensor([np.float32(1), 2.5]),
    lambda L: L.tensor([np.int32(1), 2]), lambda L: L.tensor([]), lambda L: L.tensor(3),
    lambda L: L.tensor(np.arange(3, dtype=np.int16)), lambda L: L.tensor(2.5),
    lambda L: L.Tensor([1, 2]), lambda L: L.Tensor(2, 3), lambda L: L.Tensor(),
    lambda L: L.Tensor((2, 3)), lambda L: L.Tensor(np.array([1, 2])), lambda L: L.Tensor([True]),
    lambda L: L.full((2,), 1.5), lambda L: L.full((2,), 1), lambda L: L.full((2,), True),
    lambda L: L.arange(0, 1, 0.5), lambda L: L.arange(3), lambda L: L.arange(np.float64(3)),
    lambda L: L.linspace(0, 1, 3), lambda L: L.eye(2), lambda L: L.randn(2), lambda L: L.rand(2),
    lambda L: L.empty(2), lambda L: L.as_tensor([1, 2]), lambda L: L.as_tensor(np.ones(2)),
    lambda L: L.as_tensor(np.ones(2), dtype=L.float32), lambda L: L.zeros(2, dtype=L.int32),
]


@pytest.mark.parametrize("k", range(len(CONSTRUCT)))
def test_constructor_dtypes_match_torch(k):
    m, t = CONSTRUCT[k](mg), CONSTRUCT[k](torch)
    assert str(m.dtype) == str(t.dtype)[6:]
    assert tuple(m.shape) == tuple(t.shape)


@pytest.mark.parametrize("bad", [[1, [2]], [[1], [2, 3]], "a", None, object(), [None],
                                 np.array(["a"])])
def test_bad_constructor_data_raises_like_torch(bad):
    with pytest.raises(Exception) as te:
        torch.tensor(bad)
    with pytest.raises(Exception) as me:
        mg.tensor(bad)
    assert isinstance(me.value, (TypeError, ValueError, RuntimeError))
    assert "tensor" in str(me.value)
    if not isinstance(bad, list):      # torch's kinds differ only for nested ragged lists
        assert type(me.value) is type(te.value)


def test_from_numpy_and_as_tensor_share_memory():
    a = np.array([1.0, 2.0])
    t = mg.from_numpy(a)
    a[0] = 9.0
    t.data[1] = 7.0
    assert t.tolist() == [9.0, 7.0] and a.tolist() == [9.0, 7.0] and t.dtype == mg.float64
    s = mg.as_tensor(a)
    a[1] = 5.0
    assert s.tolist() == [9.0, 5.0]
    c = mg.as_tensor(a, dtype=mg.float32)
    a[1] = 4.0
    assert c.tolist() == [9.0, 5.0]            # a cast copies, as torch's
    for bad in (np.array(["x"]), np.array([1], dtype=object)):
        pytest.raises(TypeError, torch.from_numpy, bad)
        pytest.raises(TypeError, mg.from_numpy, bad)
    pytest.raises(ValueError, torch.from_numpy, np.array([1.0], dtype=">f4"))
    pytest.raises(ValueError, mg.from_numpy, np.array([1.0], dtype=">f4"))
    pytest.raises(TypeError, mg.from_numpy, [1.0])


# ---- dtype rejection where torch rejects -------------------------------------------------
def test_losses_and_norms_reject_dtypes_like_torch():
    F, TF = mg.nn.functional, torch.nn.functional
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    tgt = np.array([0, 1, 2, 0])
    w64 = np.ones(3)
    cases = [
        (lambda L, F: F.cross_entropy(L.tensor(x), L.tensor(tgt), weight=L.tensor(w64))),
        (lambda L, F: F.nll_loss(L.tensor(x), L.tensor(tgt), weight=L.tensor(w64))),
        (lambda L, F: F.binary_cross_entropy(L.tensor([0.2, 0.5]), L.tensor([0.0, 1.5]))),
        (lambda L, F: F.binary_cross_entropy(L.tensor([0.2, 0.5]),
                                             L.tensor([0.0, 1.0], dtype=L.float64))),
        (lambda L, F: F.layer_norm(L.tensor([[1, 2]]), (2,))),
        (lambda L, F: F.batch_norm(L.tensor([[1, 2]]), L.zeros(2), L.ones(2))),
    ]
    for case in cases:
        pytest.raises(RuntimeError, case, torch, TF)
        pytest.raises(RuntimeError, case, mg, F)
    accepted = [
        lambda L, F: F.cross_entropy(L.tensor(x), L.tensor(x.astype(np.float64))),
        lambda L, F: F.binary_cross_entropy_with_logits(L.tensor([0.2, 0.5]), L.tensor([0., 1.5])),
        lambda L, F: F.mse_loss(L.tensor([0.2, 0.5]), L.tensor([0.0, 1.0], dtype=L.float64)),
    ]
    for case in accepted:
        assert str(case(mg, F).dtype) == str(case(torch, TF).dtype)[6:]


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_float_results_of_integer_reductions_follow_the_default_dtype(default):
    mg.set_default_dtype(getattr(mg, default))
    torch.set_default_dtype(getattr(torch, default))
    a = np.array([[1, 2], [3, 5]])
    ours, theirs = mg.logsumexp(mg.tensor(a), 1), torch.logsumexp(torch.tensor(a), 1)
    assert str(ours.dtype) == default and str(theirs.dtype) == f"torch.{default}"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("data", [0.2, [0.2, 1e-30, 1 / 3], [[0.1], [2.7]], True, 7])
@pytest.mark.parametrize("dtype", ["float64", "float16"])
def test_python_numbers_go_straight_into_the_requested_float_dtype(data, dtype):
    """tensor(0.2, dtype=float64) is 0.2 exactly, not 0.2 rounded to the float32 default."""
    m = mg.tensor(data, dtype=getattr(mg, dtype)).numpy()
    t = torch.tensor(data, dtype=getattr(torch, dtype)).numpy()
    assert m.dtype == t.dtype
    np.testing.assert_array_equal(m, t)


@pytest.mark.parametrize("data", [-1, [-200], 300, [300], 2**63 - 1, [True, 2]])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16"])
def test_python_ints_into_small_integer_dtypes_overflow_like_torch(data, dtype):
    try:
        want = torch.tensor(data, dtype=getattr(torch, dtype)).numpy()
    except RuntimeError:
        with pytest.raises(RuntimeError, match="tensor: value .* without overflow"):
            mg.tensor(data, dtype=getattr(mg, dtype))
        return
    np.testing.assert_array_equal(mg.tensor(data, dtype=getattr(mg, dtype)).numpy(), want)
