"""The methods and functions of tensor_extra.py and the ops it calls against torch: in-place
comparisons, absolute_, addr, index_reduce, put, nonzero_static, histogram(dd), the
complex-number functions on real tensors, gradient, binomial, fill and the element-wise
callbacks. Values, dtypes, gradients (second derivatives where torch has them) in float64,
0-d/empty/non-contiguous inputs and torch's errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
from conftest import check_op

torch = pytest.importorskip("torch")

CMP = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_",
       "less_equal_", "not_equal_"]
DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool", "float16"]


def _pair(a):
    return mg.tensor(a.copy()), torch.tensor(a.copy())


def _same_error(mg_call, torch_call, fragment=None):
    with pytest.raises(Exception) as te, warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (torch: "index_reduce() is in beta")
        torch_call()
    kind = next(k for k in type(te.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(kind) as me:
        mg_call()
    if fragment is not None:
        assert fragment in str(me.value), (str(me.value), str(te.value))
    return str(me.value)


# ---- in-place comparisons ----
@pytest.mark.parametrize("op", CMP)
@pytest.mark.parametrize("dtype", DTYPES)
def test_inplace_comparison_matches_torch(op, dtype):
    rng = np.random.default_rng(abs(hash((op, dtype))) % 2**32)
    a = rng.integers(0, 3, (3, 4)).astype(dtype)
    b = rng.integers(0, 3, (4,)).astype(dtype)
    for other in (b, 1, 1.5, True):
        x, t = _pair(a)
        o_m = mg.tensor(other) if isinstance(other, np.ndarray) else other
        o_t = torch.tensor(other) if isinstance(other, np.ndarray) else other
        out = getattr(x, op)(o_m)
        getattr(t, op)(o_t)
        assert out is x and str(x.dtype) == str(t.dtype).replace("torch.", "")
        np.testing.assert_array_equal(x.numpy(), t.numpy())


@pytest.mark.parametrize("op", ["eq_", "lt_", "greater_equal_"])
def test_inplace_comparison_edge_cases(op):
    # 0-d, empty, a transposed view written through to its base, nan, broadcast errors
    for a in (np.array(0.5), np.zeros((0, 3)), np.array([np.nan, 1.0, -0.0])):
        x, t = _pair(a)
        getattr(x, op)(0.0)
        getattr(t, op)(0.0)
        np.testing.assert_array_equal(x.numpy(), t.numpy())
    base = np.random.default_rng(0).standard_normal((4, 3))
    xm, tm = _pair(base)
    getattr(xm.t(), op)(mg.tensor([0.1, -0.2, 0.3, 0.0]))
    getattr(tm.t(), op)(torch.tensor([0.1, -0.2, 0.3, 0.0]))
    np.testing.assert_array_equal(xm.numpy(), tm.numpy())
    for dt in ("float64", "bool"):
        x, t = _pair(np.ones(3, dt))
        _same_error(lambda: getattr(x, op)(mg.ones(2, 3)),
                    lambda: getattr(t, op)(torch.ones(2, 3)), "broadcast shape [2, 3]")
    _same_error(lambda: getattr(mg.ones(3), op)(None), lambda: getattr(torch.ones(3), op)(None),
                op)


def test_inplace_comparison_gradient_is_zero_as_torch():
    a = np.random.default_rng(1).standard_normal(5)
    x, t = _pair(a)
    x.requires_grad_()
    t.requires_grad_()
    ym, yt = x * 2, t * 2
    ym.lt_(0.3)
    yt.lt_(0.3)
    assert ym.requires_grad and yt.requires_grad
    (ym * mg.tensor(a)).sum().backward()
    (yt * torch.tensor(a)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    o_m, o_t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    gm = mg.grad((x.detach() * 1).eq_(o_m).sum(), o_m)[0]
    gt = torch.autograd.grad((t.detach() * 1).eq_(o_t).sum(), o_t)[0]
    np.testing.assert_array_equal(gm.numpy(), gt.numpy())


def test_absolute_():
    for dt in ("float64", "int64", "int8"):
        x, t = _pair(np.array([-3, 0, 2], dt))
        assert x.absolute_() is x
        t.absolute_()
        np.testing.assert_array_equal(x.numpy(), t.numpy())
    _same_error(lambda: mg.tensor([True]).absolute_(), lambda: torch.tensor([True]).absolute_(),
                "Bool")


# ---- addr ----
@pytest.mark.parametrize("kw", [{}, {"beta": 2.0, "alpha": -0.5}, {"beta": 0}, {"alpha": 3}])
@pytest.mark.parametrize("shape", [(3, 4), (4,), (), (1, 4), (3, 1)])
def test_addr_values_and_gradients(kw, shape):
    rng = np.random.default_rng(len(shape))
    arrays = [rng.standard_normal(shape), rng.standard_normal(3), rng.standard_normal(4)]
    check_op(lambda a, b, c: mg.addr(a, b, c, **kw), lambda a, b, c: torch.addr(a, b, c, **kw),
             arrays, double=True)
    check_op(lambda a, b, c: a.addr(b, c, **kw), lambda a, b, c: a.addr(b, c, **kw), arrays)


def test_addr_dtypes_and_rules():
    v, w = np.array([1, 2]), np.array([3, 4, 5])
    cases = [("int64", v, w, {"alpha": 2}), ("bool", v > 1, w > 3, {"beta": 2}),
             ("bool", v > 1, w > 3, {"alpha": False}), ("bool", v * 1.0, w * 1.0, {}),
             ("float32", v * 1.0, w.astype("float64"), {}), ("int32", v, w, {"beta": 0})]
    for dt, a, b, kw in cases:
        inp = np.full((2, 3), 7, dt) if dt != "bool" else np.zeros((2, 3), bool)
        out = mg.addr(mg.tensor(inp), mg.tensor(a), mg.tensor(b), **kw)
        ref = torch.addr(torch.tensor(inp), torch.tensor(a), torch.tensor(b), **kw)
        assert str(out.dtype) == str(ref.dtype).replace("torch.", "")
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
    nan = mg.addr(mg.full((2, 3), float("nan")), mg.ones(2), mg.ones(3), beta=0)
    assert not np.isnan(nan.numpy()).any()
    i2, iv = np.zeros((2, 3), "int64"), np.array([1, 2])
    for kw, frag in (({"alpha": 2.5}, "alpha must not be a floating"),
                     ({"beta": 0.5}, "beta must not be a floating"),
                     ({"alpha": True}, "Boolean alpha only supported")):
        _same_error(lambda: mg.addr(mg.tensor(i2), mg.tensor(iv), mg.tensor(w), **kw),
                    lambda: torch.addr(torch.tensor(i2), torch.tensor(iv), torch.tensor(w), **kw),
                    frag)
    _same_error(lambda: mg.addr(mg.zeros(3, 3), mg.ones(2), mg.ones(3)),
                lambda: torch.addr(torch.zeros(3, 3), torch.ones(2), torch.ones(3)), "addr")
    _same_error(lambda: mg.addr(mg.zeros(2, 3), mg.ones(2, 1), mg.ones(3)),
                lambda: torch.addr(torch.zeros(2, 3), torch.ones(2, 1), torch.ones(3)), "vec1")
    _same_error(lambda: mg.addr(mg.zeros(2, 3), mg.ones(2), mg.ones(3), beta=None),
                lambda: torch.addr(torch.zeros(2, 3), torch.ones(2), torch.ones(3), beta=None),
                "beta")
    _same_error(lambda: mg.zeros(2, 3, dtype=mg.int64).addr_(mg.ones(2), mg.ones(3)),
                lambda: torch.zeros(2, 3, dtype=torch.long).addr_(torch.ones(2), torch.ones(3)),
                "can't be cast")
    _same_error(lambda: mg.zeros(3).addr_(mg.ones(2), mg.ones(3)),
                lambda: torch.zeros(3).addr_(torch.ones(2), torch.ones(3)), "2D")
    x, t = _pair(np.ones((2, 3)))
    assert x.addr_(mg.ones(2), mg.ones(3), alpha=2) is x
    t.addr_(torch.ones(2), torch.ones(3), alpha=2)
    np.testing.assert_array_equal(x.numpy(), t.numpy())


# ---- index_reduce ----
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_reduce_values_and_gradients(reduce, include_self, dim):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 4))
    idx = np.array([0, 2, 0, 1, 2]) % x.shape[dim]
    shape = list(x.shape)
    shape[dim] = idx.size
    src = rng.standard_normal(shape)
    check_op(lambda a, s: mg.index_reduce(a, dim, mg.tensor(idx), s, reduce,
                                          include_self=include_self),
             lambda a, s: torch.index_reduce(a, dim, torch.tensor(idx), s, reduce,
                                             include_self=include_self), [x, src])
    xm, xt = _pair(x)
    xm.index_reduce_(dim, mg.tensor(idx), mg.tensor(src), reduce, include_self=include_self)
    xt.index_reduce_(dim, torch.tensor(idx), torch.tensor(src), reduce,
                     include_self=include_self)
    np.testing.assert_allclose(xm.numpy(), xt.numpy(), rtol=1e-12)


def test_index_reduce_integers_0d_and_errors():
    s = np.array([[2, 3], [4, 5], [6, 7], [8, 9]])
    i = np.array([0, 2, 0, 2])
    for r in ("mean", "prod", "amax"):
        a = mg.ones(3, 2, dtype=mg.int64).index_reduce(0, mg.tensor(i), mg.tensor(s), r)
        b = torch.ones(3, 2, dtype=torch.long).index_reduce(0, torch.tensor(i), torch.tensor(s), r)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    a = mg.index_reduce(mg.ones(()), 0, mg.tensor(0), mg.tensor(2.0), "prod")
    assert a.shape == () and float(a) == 2.0
    x, src, ix = mg.ones(3, 2), mg.tensor(s * 1.0).float(), mg.tensor(i)
    tx, tsrc, tix = torch.ones(3, 2).float(), torch.tensor(s * 1.0).float(), torch.tensor(i)
    _same_error(lambda: x.index_reduce(0, ix, src, "sum"),
                lambda: tx.index_reduce(0, tix, tsrc, "sum"), "prod, mean, amax or amin")
    _same_error(lambda: x.long().index_reduce(0, ix, src, "mean"),
                lambda: tx.long().index_reduce(0, tix, tsrc, "mean"), "same scalar type")
    _same_error(lambda: x.index_reduce(0, ix.float(), src, "mean"),
                lambda: tx.index_reduce(0, tix.float(), tsrc, "mean"), "int32/int64")
    _same_error(lambda: x.index_reduce(0, mg.tensor([0, 5, 0, 1]), src, "mean"),
                lambda: tx.index_reduce(0, torch.tensor([0, 5, 0, 1]), tsrc, "mean"),
                "out of range")
    _same_error(lambda: x.index_reduce(0, ix[:3], src, "mean"),
                lambda: tx.index_reduce(0, tix[:3], tsrc, "mean"), "Number of indices (3)")
    _same_error(lambda: x.index_reduce(0, ix, src[:, :1], "mean"),
                lambda: tx.index_reduce(0, tix, tsrc[:, :1], "mean"), "source tensor shape")


# ---- put ----
@pytest.mark.parametrize("accumulate", [True, False])
def test_put_values_and_gradients(accumulate):
    rng = np.random.default_rng(3)
    idx = np.array([0, -1, 4, 7]) if not accumulate else np.array([0, 3, 3, -12, 5])
    x, src = rng.standard_normal((3, 4)).T, rng.standard_normal(idx.size)     # (transposed)
    check_op(lambda a, s: mg.put(a, mg.tensor(idx), s, accumulate),
             lambda a, s: torch.put(a, torch.tensor(idx), s, accumulate), [x, src])
    xm, xt = _pair(x)
    assert xm.put_(mg.tensor(idx), mg.tensor(src), accumulate) is xm
    xt.put_(torch.tensor(idx), torch.tensor(src), accumulate)
    np.testing.assert_allclose(xm.numpy(), xt.numpy(), rtol=1e-15)


def test_put_errors():
    x, t = mg.zeros(2, 3), torch.zeros(2, 3)
    _same_error(lambda: x.put(mg.tensor([0, 9]), mg.tensor([1.0, 2.0])),
                lambda: t.put(torch.tensor([0, 9]), torch.tensor([1.0, 2.0])), "index 9")
    _same_error(lambda: x.put(mg.tensor([0, 1]), mg.tensor([1.0, 2, 3])),
                lambda: t.put(torch.tensor([0, 1]), torch.tensor([1.0, 2, 3])), "same number")
    _same_error(lambda: x.put(mg.tensor([0.0, 1]), mg.tensor([1.0, 2])),
                lambda: t.put(torch.tensor([0.0, 1]), torch.tensor([1.0, 2])), "long tensor")
    _same_error(lambda: x.put(mg.tensor([0, 1]), mg.tensor([1, 2])),
                lambda: t.put(torch.tensor([0, 1]), torch.tensor([1, 2])), "same dtype")


# ---- nonzero_static ----
def test_nonzero_static():
    for a in (np.array([[1, 0], [0, 1]]), np.array(1.0), np.zeros((0, 3)), np.eye(3)[:, ::2]):
        for size, fill in ((0, -1), (1, 5), (4, -1)):
            m = mg.nonzero_static(mg.tensor(a), size=size, fill_value=fill)
            t = torch.nonzero_static(torch.tensor(a), size=size, fill_value=fill)
            assert m.dtype == mg.int64 and m.shape == tuple(t.shape)
            np.testing.assert_array_equal(m.numpy(), t.numpy())
    x, t = mg.ones(2), torch.ones(2)
    _same_error(lambda: x.nonzero_static(size=-1), lambda: t.nonzero_static(size=-1),
                "non-negative")
    _same_error(lambda: x.nonzero_static(size=2.0), lambda: t.nonzero_static(size=2.0), "size")
    _same_error(lambda: x.nonzero_static(size=2, fill_value=1.5),
                lambda: t.nonzero_static(size=2, fill_value=1.5), "fill_value")


# ---- histograms ----
def _hist_same(m, t):
    mh, me = m
    th, te = t
    assert str(mh.dtype) == str(th.dtype).replace("torch.", "")
    np.testing.assert_array_equal(mh.numpy(), th.numpy())
    me = me if isinstance(me, tuple) else (me,)
    te = te if isinstance(te, tuple) else (te,)
    for a, b in zip(me, te, strict=True):
        # (edges: 1 ulp apart, from mg.linspace against torch's vectorized linspace)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6 if a.dtype == mg.float32
                                   else 1e-14)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histogram_matches_torch(dtype):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((40, 5)).astype(dtype)[:, ::2]
    w = rng.uniform(0, 2, a.shape).astype(dtype)
    for kw in ({"bins": 7}, {"bins": 3, "range": (-1.0, 0.5)}, {"bins": 4, "density": True},
               {"bins": 5, "weight": True}, {"bins": 2, "range": (1.0, 1.0)}):
        km, kt = dict(kw), dict(kw)
        if "weight" in kw:
            km["weight"], kt["weight"] = mg.tensor(w), torch.tensor(w)
        _hist_same(mg.histogram(mg.tensor(a), **km), torch.histogram(torch.tensor(a), **kt))
        _hist_same(mg.tensor(a).histogram(**km), torch.tensor(a).histogram(**kt))
    edges = np.array([-1.0, 0.0, 0.25, 2.0], dtype)
    _hist_same(mg.histogram(mg.tensor(a), mg.tensor(edges), density=True),
               torch.histogram(torch.tensor(a), torch.tensor(edges), density=True))
    for a in (np.array([1.0, 1.0], dtype), np.zeros(0, dtype), np.array(3.0, dtype),
              np.array([5.0, 7.0, 7.0], dtype)):
        _hist_same(mg.histogram(mg.tensor(a), 2), torch.histogram(torch.tensor(a), 2))
    r = mg.histogram(mg.tensor([1.0, 2.0]), 2)
    assert type(r).__name__ == "histogram" and r.hist is r[0] and r.bin_edges is r[1]


def test_histogramdd_matches_torch():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((30, 3))
    w = rng.uniform(0, 1, 30)
    for bins, kw in ((4, {}), ([2, 3, 4], {"density": True}),
                     (2, {"range": [-1.0, 1.0, 0.0, 2.0, -3.0, 3.0]}),
                     ([mg.tensor([-2.0, 0.0, 2.0]).double(), mg.tensor([-1.0, 1.0]).double(),
                       mg.tensor([-5.0, 0.0, 0.5, 5.0]).double()], {})):
        tb = [torch.tensor(b.numpy()) if isinstance(b, mg.Tensor) else b for b in bins] \
            if isinstance(bins, list) else bins
        _hist_same(mg.histogramdd(mg.tensor(a), bins, weight=mg.tensor(w), **kw),
                   torch.histogramdd(torch.tensor(a), tb, weight=torch.tensor(w), **kw))
    _hist_same(mg.histogramdd(mg.zeros(3, 0, dtype=mg.float64), bins=[]),
               torch.histogramdd(torch.zeros(3, 0), bins=[]))


def test_histogram_errors():
    x, t = mg.tensor([1.0, 2.0, 5.0]), torch.tensor([1.0, 2.0, 5.0])
    for call, frag in (
            (lambda L, v: L.histogram(v.long(), 2), "Long"),
            (lambda L, v: L.histogram(v.half(), 2), "Half"),
            (lambda L, v: L.histogram(v, 0), "bins must be > 0"),
            (lambda L, v: L.histogram(v, 2, range=(3.0, 1.0)), "min should not exceed max"),
            (lambda L, v: L.histogram(L.tensor([1.0, float("nan")]), 2), "not finite"),
            (lambda L, v: L.histogram(v, 2, weight=L.tensor([1.0, 2.0])), "weight"),
            (lambda L, v: L.histogram(v, 2, weight=L.tensor([1, 2, 3])), "same dtype"),
            (lambda L, v: L.histogram(v, L.tensor([1.0])), "bins must be > 0"),
            (lambda L, v: L.histogram(v, L.tensor([[1.0, 2.0]])), "one dimension"),
            (lambda L, v: L.histogram(v.double(), L.tensor([1.0, 2.0]).float()), "same dtype"),
            (lambda L, v: L.histogram(v, 2.5), "bins"),
            (lambda L, v: L.histogramdd(v, 2), "at least 2 dimensions"),
            (lambda L, v: L.histogramdd(v.reshape(3, 1).double(), [L.tensor([0.0, 1.0]), 2]),
             "bins"),
            (lambda L, v: L.histogramdd(v.reshape(3, 1), [2, 2]), "size of bins"),
            (lambda L, v: L.histogramdd(v.reshape(3, 1), 2, range=[0.0, 1.0, 2.0, 3.0]),
             "range should have 2 elements")):
        _same_error(lambda: call(mg, x), lambda: call(torch, t), frag)


# ---- complex-number functions on real tensors ----
def test_angle_matches_torch():
    a = np.array([1.0, -2.0, np.nan, 0.0, -0.0, -np.inf, np.inf])
    check_op(mg.angle, torch.angle, [a])
    check_op(lambda v: v.angle(), lambda v: v.angle(), [np.random.default_rng(0).standard_normal(
        (3, 4)).T])
    for dt in ("int64", "uint8", "bool", "float32", "float16"):
        v = np.array([3, 0, 1]).astype(dt) if dt in ("uint8", "bool") else \
            np.array([-3, 0, 2]).astype(dt)
        for default in (torch.float32, torch.float64):
            prev, prev_m = torch.get_default_dtype(), mg.get_default_dtype()
            torch.set_default_dtype(default)
            mg.set_default_dtype(getattr(mg, str(default).replace("torch.", "")))
            try:
                m, t = mg.angle(mg.tensor(v)), torch.angle(torch.tensor(v))
            finally:
                torch.set_default_dtype(prev)
                mg.set_default_dtype(prev_m)
            assert str(m.dtype) == str(t.dtype).replace("torch.", "")
            np.testing.assert_allclose(m.numpy(), t.numpy())


def test_conj_family_and_adjoint():
    a = np.random.default_rng(2).standard_normal((2, 3, 4))
    x, t = _pair(a)
    for name in ("conj", "resolve_conj", "resolve_neg", "real"):
        assert getattr(mg, name)(x) is x and getattr(torch, name)(t) is t
    assert x.real is x and not x.is_conj() and not mg.is_neg(x)
    assert mg.is_conj(x) == torch.is_conj(t)
    check_op(mg.conj_physical, torch.conj_physical, [a])
    assert mg.conj_physical_(x) is x
    assert mg.isreal(x).dtype == mg.bool and bool(mg.isreal(x).all())
    check_op(mg.adjoint, torch.adjoint, [a])
    check_op(lambda v: v.mH, lambda v: v.mH, [a])
    check_op(lambda v: v.H, lambda v: v.H, [a[0]])
    check_op(lambda v: v.adjoint(), lambda v: v.adjoint(), [np.array(2.0)])
    assert mg.adjoint(x)._base is x          # a view, as torch's
    _same_error(lambda: x.imag, lambda: t.imag, "non-complex")
    _same_error(lambda: mg.imag(x), lambda: torch.imag(t), "non-complex")
    _same_error(lambda: x.H, lambda: t.H, "tensor.mH")
    _same_error(lambda: x[0, 0].H, lambda: t[0, 0].H, "Got 1-D")
    _same_error(lambda: x[0, 0].mH, lambda: t[0, 0].mH, "Got 1-D")
    _same_error(lambda: x[0, 0].adjoint(), lambda: t[0, 0].adjoint(), "Got 1-D")


# ---- gradient ----
@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_matches_torch_with_second_derivatives(edge_order):
    rng = np.random.default_rng(edge_order)
    a = rng.standard_normal((4, 5))
    for kw in ({}, {"spacing": 0.7}, {"spacing": [2.0, -0.5], "dim": (1, 0)}, {"dim": -1}):
        check_op(lambda x, kw=kw: mg.gradient(x, edge_order=edge_order, **kw),
                 lambda x, kw=kw: torch.gradient(x, edge_order=edge_order, **kw), [a],
                 double=True)
    coords = np.cumsum(rng.uniform(0.5, 1.5, 5))
    check_op(lambda x, c: mg.gradient(x, spacing=[c], dim=1, edge_order=edge_order),
             lambda x, c: torch.gradient(x, spacing=[c], dim=1, edge_order=edge_order),
             [a, coords], double=True)
    # integer samples give the default float dtype
    m = mg.gradient(mg.tensor([1, 4, 9, 16, 25]), spacing=2, edge_order=edge_order)[0]
    t = torch.gradient(torch.tensor([1, 4, 9, 16, 25]), spacing=2, edge_order=edge_order)[0]
    assert m.dtype == mg.get_default_dtype() or str(t.dtype) != "torch.float32"
    np.testing.assert_allclose(m.numpy(), t.numpy())


def test_gradient_errors():
    x, t = mg.ones(5), torch.ones(5)
    for call, frag in ((lambda L, v: L.gradient(v, edge_order=3), "edge_order=1"),
                       (lambda L, v: L.gradient(v[:2], edge_order=2), "at least edge_order+1"),
                       (lambda L, v: L.gradient(v, spacing=(2.0, 3.0)), "spacing"),
                       (lambda L, v: L.gradient(v, spacing=[L.tensor(2.0)]), "one dimension"),
                       (lambda L, v: L.gradient(v, spacing="a"), "spacing"),
                       (lambda L, v: L.gradient(L.ones(3, 4), dim=[1, 1]), "multiple times"),
                       (lambda L, v: L.gradient(L.ones(3, 0)), "at least edge_order+1"),
                       (lambda L, v: L.gradient(v.bool()), "bool")):
        _same_error(lambda: call(mg, x), lambda: call(torch, t), frag)
    assert mg.gradient(mg.tensor(1.0)) == () == torch.gradient(torch.tensor(1.0))


# ---- binomial ----
def test_binomial_distribution_shapes_and_errors():
    g = mg.Generator().manual_seed(0)
    count, prob = mg.full((20000,), 12.0, dtype=mg.float64), mg.tensor(0.3, dtype=mg.float64)
    s = mg.binomial(count, prob, generator=g)
    assert s.dtype == mg.float64 and s.shape == (20000,)
    a = s.numpy()
    assert abs(a.mean() - 3.6) < 0.05 and abs(a.var() - 12 * 0.3 * 0.7) < 0.1
    assert (a == np.round(a)).all() and a.min() >= 0 and a.max() <= 12
    same = mg.binomial(count, prob, generator=mg.Generator().manual_seed(0))
    np.testing.assert_array_equal(same.numpy(), a)
    edge = mg.binomial(mg.tensor([0.0, 7.0, 7.0]), mg.tensor([0.5, 0.0, 1.0]))
    np.testing.assert_array_equal(edge.numpy(), [0.0, 0.0, 7.0])
    assert mg.binomial(mg.zeros(0), mg.zeros(0)).shape == (0,)
    assert mg.binomial(mg.tensor(4.0), mg.tensor(0.5)).shape == ()
    c, p = mg.tensor([10.0, 5.0], requires_grad=True), mg.tensor([0.5, 0.5])
    out = mg.binomial(c, p)
    assert out.requires_grad
    with pytest.raises(RuntimeError, match="derivative for 'binomial'"):
        out.sum().backward()
    for call, frag in ((lambda L: L.binomial(L.tensor([10, 5]), L.tensor([0.5, 1.0])),
                        "floating-point"),
                       (lambda L: L.binomial(L.tensor([10.0]).float(), L.tensor([0.5]).double()),
                        "expected Float"),
                       (lambda L: L.binomial(L.tensor([1.0]).half(), L.tensor([0.5]).half()),
                        "Half"),
                       (lambda L: L.binomial(L.tensor([1.0]), L.tensor([0.5]), generator=3),
                        "generator")):
        _same_error(lambda: call(mg), lambda: call(torch), frag)
    for c, q in ((-1.0, 0.5), (1.5, 0.5), (float("nan"), 0.5), (2.0, 1.5), (2.0, -0.1)):
        bad = (mg.tensor([c]), mg.tensor([q]))
        with pytest.raises(RuntimeError, match="binomial"):
            mg.binomial(*bad)       # (torch: silent, or hangs on NaN)


# ---- fill and the other top-level forms ----
def test_fill_and_top_level_forms():
    check_op(lambda x, v: mg.fill(x, v), lambda x, v: torch.fill(x, v),
             [np.random.default_rng(0).standard_normal((3, 2)).T, np.array(1.5)], double=True)
    for dt in ("int64", "bool", "float32"):
        m = mg.fill(mg.zeros(2, dtype=getattr(mg, dt)), 3.7)
        t = torch.fill(torch.zeros(2, dtype=getattr(torch, dt)), 3.7)
        assert str(m.dtype) == str(t.dtype).replace("torch.", "")
        np.testing.assert_array_equal(m.numpy(), t.numpy())
    _same_error(lambda: mg.fill(mg.zeros(2), mg.ones(1)), lambda: torch.fill(torch.zeros(2),
                                                                             torch.ones(1)),
                "0-dimension")
    v = mg.tensor(1.0, requires_grad=True)
    _same_error(lambda: mg.fill(mg.zeros(2, dtype=mg.int64), v),
                lambda: torch.fill(torch.zeros(2, dtype=torch.long),
                                   torch.tensor(1.0, requires_grad=True)), None)
    x = mg.tensor([1.0, 2.0], requires_grad=True) * 2
    assert mg.detach_(x) is x and not x.requires_grad and x.grad_fn is None
    assert mg.typename(mg.zeros(2, dtype=mg.int32)) == torch.typename(torch.zeros(2).int())
    assert mg.typename(3) == torch.typename(3) == "int"
    assert mg.typename(np.ndarray) == torch.typename(np.ndarray)
    for name, arg in (("i0_", 0.5), ("sinc_", 0.5), ("rad2deg_", 0.5), ("logit_", 0.25)):
        m, t = mg.tensor([arg, 0.75]), torch.tensor([arg, 0.75])
        assert getattr(mg, name)(m) is m
        getattr(torch, name)(t)
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-6)


# ---- element-wise Python callbacks ----
def test_apply_map_map2():
    for dt in ("float64", "int64", "bool", "uint8"):
        a = np.array([[1, 0, 3], [2, 5, 0]]).astype(dt)
        x, t = _pair(a)
        x.t().apply_(lambda v: v * 2.7 + 1)         # through a view, float -> dtype
        t.t().apply_(lambda v: v * 2.7 + 1)
        np.testing.assert_array_equal(x.numpy(), t.numpy())
        y = np.array([1, 1, 0]).astype(dt)
        x.map_(mg.tensor(y), lambda p, q: p - q if dt != "bool" else p and q)
        t.map_(torch.tensor(y), lambda p, q: p - q if dt != "bool" else p and q)
        np.testing.assert_array_equal(x.numpy(), t.numpy())
        x.map2_(mg.tensor(y), mg.tensor(a[:1]), lambda p, q, r: p + q * r)
        t.map2_(torch.tensor(y), torch.tensor(a[:1]), lambda p, q, r: p + q * r)
        np.testing.assert_array_equal(x.numpy(), t.numpy())
    x, t = mg.ones(3), torch.ones(3)
    _same_error(lambda: x.map_(mg.ones(3, dtype=mg.int64), lambda p, q: p),
                lambda: t.map_(torch.ones(3, dtype=torch.long), lambda p, q: p), "map_")
    _same_error(lambda: x.map_(mg.ones(2, 3), lambda p, q: p),
                lambda: t.map_(torch.ones(2, 3), lambda p, q: p), None)
    _same_error(lambda: x.apply_(lambda v: "a"), lambda: t.apply_(lambda v: "a"), None)
    _same_error(lambda: x.requires_grad_().apply_(lambda v: v),
                lambda: t.requires_grad_().apply_(lambda v: v), "requires grad")
