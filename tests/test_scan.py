"""Scans and the reductions of issue 15 against torch: cumsum, cumprod, cummax, cummin,
logcumsumexp, prod, all, any, count_nonzero, nansum, nanmean (values, dtypes, gradients,
second derivatives; zeros, ties, NaN, 0-d, empty and non-contiguous inputs; errors)."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

NAN = float("nan")


def _both(fn):
    return fn(mg), fn(torch)


def _call(name, *a, **kw):
    return (lambda t: getattr(t, name)(*a, **kw)), (lambda t: getattr(t, name)(*a, **kw))


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_scans(name, dim, rng, device):
    x = rng.standard_normal((4, 5, 3))
    check_op(*_call(name, dim), [x], device=device, double=True)


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
@pytest.mark.parametrize("shape,dim", [((), 0), ((), -1), ((0,), 0), ((3, 0, 2), 1),
                                       ((3, 0, 2), 0)])
def test_scans_0d_and_empty(name, shape, dim, rng):
    x = rng.standard_normal(shape)
    check_op(*_call(name, dim), [x])


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"])
def test_scans_non_contiguous(name, rng):
    x = rng.standard_normal((6, 4))
    mg_fn, t_fn = _call(name, 1)
    check_op(lambda t: mg_fn(t.t()[::2]), lambda t: t_fn(t.t()[::2]), [x])


@pytest.mark.parametrize("zeros", [[2], [0], [4], [1, 3], [2, 3]])
def test_cumprod_gradient_with_zeros(zeros, rng):
    x = rng.standard_normal((3, 5))
    x[1, zeros] = 0.0
    x[2, zeros[0]] = 0.0
    check_op(*_call("cumprod", 1), [x], double=True)
    check_op(*_call("cumprod", 0), [x.T.copy()], double=True)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_scans_integer_inputs_give_int64(name, dtype, rng):
    x = rng.integers(0, 3, (3, 4)).astype(dtype)
    out = check_op(*_call(name, 1), [x])[0]
    assert out.dtype == mg.int64


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_scans_dtype_argument(name, rng):
    x = rng.integers(0, 3, (3, 4))
    assert check_op(*_call(name, 0, dtype=torch.float64), [x])[0].dtype == mg.float64
    y = rng.standard_normal((3, 4))
    mg_out = getattr(mg.tensor(y), name)(0, dtype=mg.float32)
    t_out = getattr(torch.tensor(y), name)(0, dtype=torch.float32)
    assert mg_out.dtype == mg.float32
    np.testing.assert_allclose(mg_out.numpy(), t_out.numpy(), rtol=1e-6)
    out = getattr(mg, name)(mg.tensor(y), dim=1, dtype=mg.int32)
    assert out.dtype == mg.int32


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin_indices_ties_and_nan(name):
    rows = [[1.0, 1.0, NAN, 2.0, NAN, 0.0], [3.0, 2.0, 2.0, 3.0, 1.0, 1.0],
            [0.0, NAN, NAN, -1.0, 5.0, 5.0]]
    x = np.array(rows)
    m = getattr(mg.tensor(x), name)(1)
    t = getattr(torch.tensor(x), name)(1)
    assert type(m).__name__ == name and m.values is m[0] and m.indices is m[1]
    np.testing.assert_array_equal(m.indices.numpy(), t.indices.numpy())
    np.testing.assert_array_equal(m.values.numpy(), t.values.numpy())
    assert m.indices.dtype == mg.int64
    check_op(lambda a: getattr(a, name)(1).values, lambda a: getattr(a, name)(1).values, [x])


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("dtype", [np.int64, np.bool_, np.float64])
def test_cummax_cummin_random(name, dtype, rng):
    x = rng.integers(0, 4, (5, 7)).astype(dtype)   # many ties
    for dim in (0, 1):
        m = getattr(mg, name)(mg.tensor(x), dim)
        t = getattr(torch, name)(torch.tensor(x), dim)
        np.testing.assert_array_equal(m.values.numpy(), t.values.numpy())
        np.testing.assert_array_equal(m.indices.numpy(), t.indices.numpy())
        assert str(m.values.dtype) == str(t.values.dtype).replace("torch.", "")
    if dtype == np.float64:
        check_op(lambda a: getattr(a, name)(0)[0], lambda a: getattr(a, name)(0)[0], [x],
                 double=True)


def test_logcumsumexp_extreme_values():
    x = np.array([[-1000.0, 0.0, 1000.0, -np.inf, 3.0], [-np.inf, -np.inf, 2.0, 1e4, -1e4]])
    check_op(*_call("logcumsumexp", 1), [x])
    check_op(*_call("logcumsumexp", 1), [x[:1, :3].copy()], double=True)


@pytest.mark.parametrize("x", [np.array([1, 2]), np.array([True])])
def test_logcumsumexp_rejects_integers(x):
    with pytest.raises(NotImplementedError, match="logcumsumexp"):
        mg.logcumsumexp(mg.tensor(x), 0)
    with pytest.raises(NotImplementedError):
        torch.logcumsumexp(torch.tensor(x), 0)


# ---- prod ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_prod(dim, keepdim, rng, device):
    x = rng.standard_normal((3, 4, 2))
    fn = _call("prod") if dim is None else _call("prod", dim, keepdim)
    check_op(*fn, [x], device=device, double=True)


@pytest.mark.parametrize("zeros", [[], [1], [0, 3], [1, 2, 3]])
@pytest.mark.parametrize("dim", [None, 1])
def test_prod_gradient_with_zeros(zeros, dim, rng):
    x = rng.standard_normal((2, 4))
    x[0, zeros] = 0.0
    fn = _call("prod") if dim is None else _call("prod", dim)
    check_op(*fn, [x], double=True)


@pytest.mark.parametrize("shape,dim", [((), None), ((), 0), ((0,), None), ((3, 0), 1),
                                       ((3, 0), 0)])
def test_prod_0d_and_empty(shape, dim, rng):
    x = rng.standard_normal(shape)
    check_op(*(_call("prod") if dim is None else _call("prod", dim)), [x])
    check_op(lambda t: mg.prod(t.mT if t.ndim == 2 else t),
             lambda t: torch.prod(t.mT if t.ndim == 2 else t), [x])


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_prod_integer_dtypes(dtype, rng):
    x = rng.integers(0, 3, (3, 4)).astype(dtype)
    for fn in (_call("prod"), _call("prod", 1), _call("prod", 0, dtype=torch.float64)):
        check_op(*fn, [x])


def test_prod_errors():
    x = mg.ones(2, 3)
    with pytest.raises(TypeError, match="prod"):
        mg.prod(x, dim=(0,))
    with pytest.raises(IndexError, match="prod"):
        x.prod(2)
    with pytest.raises(TypeError):
        torch.prod(torch.ones(2), keepdim=True)
    with pytest.raises(TypeError, match="prod"):
        mg.prod(mg.ones(2), keepdim=True)


# ---- all, any, count_nonzero ---------------------------------------------------------------
LOGICAL_DIMS = [{}, {"dim": 0}, {"dim": -1, "keepdim": True}, {"dim": (0, 2)},
                {"dim": (0, 1, 2), "keepdim": True}, {"dim": ()}]


@pytest.mark.parametrize("kw", LOGICAL_DIMS)
@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any(name, dtype, kw, rng):
    x = (rng.random((3, 4, 2)) < 0.8).astype(dtype)
    if dtype == np.float64:
        x[0, 0, 0] = NAN                        # NaN is nonzero: True
    out = check_op(*_call(name, **kw), [x])[0]
    assert out.dtype == (mg.uint8 if dtype == np.uint8 else mg.bool)
    check_op(lambda t: getattr(mg, name)(t, **kw), lambda t: getattr(torch, name)(t, **kw), [x])


@pytest.mark.parametrize("name", ["all", "any", "count_nonzero"])
@pytest.mark.parametrize("shape", [(), (0,), (3, 0, 2), (2, 5)])
def test_logical_0d_and_empty(name, shape, rng):
    x = rng.standard_normal(shape) * (rng.random(shape) < 0.5)
    check_op(*_call(name), [x])
    if len(shape):
        check_op(*_call(name, -1), [x])
        check_op(lambda t: getattr(t.mT if t.ndim > 1 else t, name)(0),
                 lambda t: getattr(t.mT if t.ndim > 1 else t, name)(0), [x])


@pytest.mark.parametrize("dim", [None, 0, -1, (0, 2), ()])
def test_count_nonzero(dim, rng):
    x = rng.integers(0, 2, (3, 4, 2)).astype(np.float64)
    out = check_op(*_call("count_nonzero", dim), [x])[0]
    assert out.dtype == mg.int64
    check_op(lambda t: mg.count_nonzero(t, dim=dim), lambda t: torch.count_nonzero(t, dim=dim),
             [x.astype(bool)])


# ---- nansum, nanmean -----------------------------------------------------------------------
@pytest.mark.parametrize("kw", [{}, {"dim": 0}, {"dim": 1, "keepdim": True}, {"dim": (0, 1)}])
@pytest.mark.parametrize("name", ["nansum", "nanmean"])
def test_nansum_nanmean(name, kw, rng):
    x = rng.standard_normal((4, 3))
    x[rng.random((4, 3)) < 0.3] = NAN
    x[:, 1] = NAN                               # a column of NaN: nanmean gives nan there
    check_op(*_call(name, **kw), [x], double=True)
    check_op(lambda t: getattr(mg, name)(t.t(), **kw), lambda t: getattr(torch, name)(t.t(), **kw),
             [x])


@pytest.mark.parametrize("name", ["nansum", "nanmean"])
@pytest.mark.parametrize("shape", [(), (0,), (3, 0, 2)])
def test_nan_reductions_0d_and_empty(name, shape, rng):
    x = rng.standard_normal(shape)
    check_op(*_call(name), [x])
    if len(shape):
        check_op(*_call(name, 0), [x])


def test_nansum_integer_and_dtype(rng):
    x = rng.integers(0, 5, (3, 4))
    for fn in (_call("nansum"), _call("nansum", 1), _call("nansum", 0, dtype=torch.float64)):
        check_op(*fn, [x])
    check_op(*_call("nansum"), [x.astype(bool)])
    for kw in ({}, {"dtype": mg.float64}):
        with pytest.raises(RuntimeError, match="nanmean.*Long"):
            mg.nanmean(mg.tensor(x), **kw)
    with pytest.raises(RuntimeError, match="nanmean.*Long"):
        torch.nanmean(torch.tensor(x), dtype=torch.float64)
    y = rng.standard_normal((3, 4)).astype(np.float32)
    check_op(*_call("nanmean", 0, dtype=torch.float64), [y])
    check_op(*_call("prod", 1, dtype=torch.int32), [x])


def test_float32_scans_accumulate_like_torch(rng):
    x = rng.uniform(0.5, 1.5, (2, 20000)).astype(np.float32)
    for name in ("cumsum", "logcumsumexp"):
        m = getattr(mg.tensor(x), name)(1).numpy()
        t = getattr(torch.tensor(x), name)(1).numpy()
        assert m.dtype == np.float32
        np.testing.assert_allclose(m, t, rtol=3e-7, atol=0)   # (2.5 ulp: fresh inputs each run)
    y = rng.uniform(0.999, 1.001, (2, 2000)).astype(np.float32)
    np.testing.assert_allclose(mg.tensor(y).cumprod(1).numpy(), torch.tensor(y).cumprod(1),
                               rtol=2e-7)


@pytest.mark.parametrize("name", ["cumsum_", "cumprod_"])
def test_inplace_scans(name, rng):
    x = rng.standard_normal((3, 4))
    m, t = mg.tensor(x), torch.tensor(x)
    assert getattr(m, name)(1) is m
    getattr(t, name)(1)
    np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-12)
    k = mg.tensor(rng.integers(0, 3, (3, 4)).astype(np.int32))
    tk = torch.tensor(k.numpy())
    getattr(k, name)(0)
    getattr(tk, name)(0)
    assert k.dtype == mg.int32
    np.testing.assert_array_equal(k.numpy(), tk.numpy())
    # through autograd: x.clone().cumsum_(1) has the out-of-place op's gradient
    check_op(lambda a: getattr(a.clone(), name)(1), lambda a: getattr(a.clone(), name)(1), [x],
             double=True)


@pytest.mark.parametrize("zeros", [[0], [3], [5], [1, 4], [2, 3], [0, 5]])
def test_cumprod_first_order_gradient_with_zeros_long_rows(zeros, rng):
    # without create_graph the O(n) formula runs; with it, the O(n^2) one: both exact
    x = rng.uniform(0.5, 1.5, (4, 6, 3))
    x[1, zeros, 0] = 0.0
    x[3, zeros[-1], 2] = 0.0
    check_op(*_call("cumprod", 1), [x])
    g = rng.standard_normal(x.shape)
    t = torch.tensor(x, requires_grad=True)
    gt, = torch.autograd.grad(t.cumprod(1), t, torch.tensor(g))
    m = mg.tensor(x, requires_grad=True)
    for create_graph in (False, True):
        gm, = mg.grad(m.cumprod(1), [m], [mg.tensor(g)], create_graph=create_graph)
        np.testing.assert_allclose(gm.detach().numpy(), gt.numpy(), rtol=1e-12, atol=1e-14)
