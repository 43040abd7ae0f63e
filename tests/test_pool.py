"""Pooling against torch (float64): max/avg pooling in 1-3 D with every option, their indices
and tie-breaking, dtypes, 0-d/empty/non-contiguous inputs, errors. Adaptive, unpooling, LP
pooling and the modules are in tests/test_pool_more.py."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F

SHAPES = {1: (2, 3, 9), 2: (2, 3, 7, 6), 3: (1, 2, 5, 6, 4)}
OPTIONS = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 2, "stride": 3, "ceil_mode": True},
    {"kernel_size": [2], "stride": [1], "padding": [1]},
]
MAX_ONLY = [{"kernel_size": 2, "stride": 1, "dilation": 2},
            {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 2, "ceil_mode": True}]


def _per_dim(kw, nd):
    """The options with per-dimension tuples (different sizes per dim where they fit)."""
    out = dict(kw)
    if nd > 1 and isinstance(kw["kernel_size"], int) and "padding" not in kw:
        out["kernel_size"] = tuple(kw["kernel_size"] + (j % 2) for j in range(nd))
    return out


def _fns(kind, nd):
    return getattr(F, f"{kind}_pool{nd}d"), getattr(TF, f"{kind}_pool{nd}d")


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("kw", OPTIONS + MAX_ONLY + [_per_dim(OPTIONS[0], 3)])
def test_max_pool_matches_torch(rng, nd, kw):
    kw = {**kw, "kernel_size": kw["kernel_size"] if not isinstance(kw["kernel_size"], tuple)
          else kw["kernel_size"][:nd]}
    f, tf = _fns("max", nd)
    x = rng.standard_normal(SHAPES[nd])
    check_op(lambda x: f(x, **kw) ** 2, lambda x: tf(x, **kw) ** 2, [x], double=True)
    v, i = f(mg.tensor(x), **kw, return_indices=True)
    tv, ti = tf(torch.tensor(x), **kw, return_indices=True)
    assert i.dtype == mg.int64 and np.array_equal(i.numpy(), ti.numpy())
    assert np.array_equal(v.numpy(), tv.numpy())


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_pool_ties_go_to_the_first_maximum(nd):
    # repeated values, overlapping windows: the gradient goes to torch's element
    x = np.round(np.random.default_rng(1).standard_normal(SHAPES[nd]))
    f, tf = _fns("max", nd)
    check_op(lambda x: f(x, 3, 1, 1), lambda x: tf(x, 3, 1, 1), [x], double=True)
    check_op(lambda x: f(x, 2, 1), lambda x: tf(x, 2, 1), [np.ones(SHAPES[nd])])
    _, i = f(mg.tensor(x), 3, 1, 1, return_indices=True)
    _, ti = tf(torch.tensor(x), 3, 1, 1, return_indices=True)
    assert np.array_equal(i.numpy(), ti.numpy())


def test_max_pool_nan_and_inf_as_torch():
    x = np.array([[[1.0, np.nan, 3.0, 3.0, np.nan, np.nan, -np.inf, -np.inf, 2.0]]])
    for kw in [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}]:
        v, i = F.max_pool1d(mg.tensor(x), **kw, return_indices=True)
        tv, ti = TF.max_pool1d(torch.tensor(x), **kw, return_indices=True)
        np.testing.assert_array_equal(v.numpy(), tv.numpy())
        np.testing.assert_array_equal(i.numpy(), ti.numpy())


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_pool_unbatched_empty_batch_and_strided(rng, nd):
    f, tf = _fns("max", nd)
    shape = SHAPES[nd]
    check_op(lambda x: f(x, 2), lambda x: tf(x, 2), [rng.standard_normal(shape[1:])])
    out = f(mg.zeros((0,) + shape[1:]), 2, return_indices=True)
    tout = tf(torch.zeros((0,) + shape[1:]), 2, return_indices=True)
    assert out[0].shape == tuple(tout[0].shape) and out[1].shape == tuple(tout[1].shape)
    x = rng.standard_normal(shape[:-1] + (2 * shape[-1],))[..., ::2]     # non-contiguous
    check_op(lambda x: f(x, 2, 1), lambda x: tf(x, 2, 1), [x])
    xt = np.swapaxes(rng.standard_normal(shape), -1, -2)
    check_op(lambda x: f(x, 2), lambda x: tf(x, 2), [xt])


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("kw", OPTIONS)
@pytest.mark.parametrize("include_pad", [True, False])
def test_avg_pool_matches_torch(rng, nd, kw, include_pad):
    f, tf = _fns("avg", nd)
    x = rng.standard_normal(SHAPES[nd])
    check_op(lambda x: f(x, count_include_pad=include_pad, **kw) ** 2,
             lambda x: tf(x, count_include_pad=include_pad, **kw) ** 2, [x], double=True)


@pytest.mark.parametrize("nd", [2, 3])
def test_avg_pool_divisor_override(rng, nd):
    f, tf = _fns("avg", nd)
    x = rng.standard_normal(SHAPES[nd])
    for kw in [{"kernel_size": 2, "divisor_override": 3},
               {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                "divisor_override": -2}]:
        check_op(lambda x: f(x, **kw), lambda x: tf(x, **kw), [x], double=True)
    with pytest.raises(RuntimeError, match="divisor"):
        f(mg.tensor(x), 2, divisor_override=0)
    with pytest.raises(TypeError):
        F.avg_pool1d(mg.tensor(x[0]), 2, divisor_override=2)   # torch has none for 1-D


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_avg_pool_unbatched_empty_batch_and_strided(rng, nd):
    f, tf = _fns("avg", nd)
    shape = SHAPES[nd]
    check_op(lambda x: f(x, 2, 1, 1), lambda x: tf(x, 2, 1, 1), [rng.standard_normal(shape[1:])])
    assert f(mg.zeros((0,) + shape[1:]), 2).shape == tuple(tf(torch.zeros((0,) + shape[1:]),
                                                              2).shape)
    x = rng.standard_normal(shape)                       # a reversed (negative-stride) view
    check_op(lambda x: f(x.flip(-1), 3, 2, 1, True), lambda x: tf(x.flip(-1), 3, 2, 1, True),
             [x])


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_float32_results(rng, nd):
    x = rng.standard_normal(SHAPES[nd]).astype(np.float32)
    for kind in ["max", "avg"]:
        f, tf = _fns(kind, nd)
        y, ty = f(mg.tensor(x), 3, 2, 1), tf(torch.tensor(x), 3, 2, 1)
        assert y.dtype == mg.float32
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6, atol=1e-7)


def test_integer_inputs_as_torch(rng):
    x = rng.integers(-9, 9, SHAPES[2])
    for kw in [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1,
                                    "ceil_mode": True, "count_include_pad": False}]:
        for nd, shape in SHAPES.items():
            xi = rng.integers(-9, 9, shape)
            y, ty = F.__dict__[f"avg_pool{nd}d"](mg.tensor(xi), **kw), \
                TF.__dict__[f"avg_pool{nd}d"](torch.tensor(xi), **kw)
            assert y.dtype == mg.int64
            np.testing.assert_array_equal(y.numpy(), ty.numpy())   # truncated toward zero
    for nd in [2, 3]:
        f, tf = _fns("max", nd)
        xi = rng.integers(-9, 9, SHAPES[nd])
        np.testing.assert_array_equal(f(mg.tensor(xi), 2, 1, 1).numpy(),
                                      tf(torch.tensor(xi), 2, 1, 1).numpy())
    # torch's max_pool1d takes integers only with return_indices
    with pytest.raises(NotImplementedError):
        F.max_pool1d(mg.tensor(x[0]), 2)
    v, i = F.max_pool1d(mg.tensor(x[0]), 2, return_indices=True)
    tv, ti = TF.max_pool1d(torch.tensor(x[0]), 2, return_indices=True)
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    for f in [F.max_pool2d, F.avg_pool2d, F.max_pool3d]:
        with pytest.raises(NotImplementedError):
            f(mg.ones(1, 2, 4, 4, 4, dtype=mg.bool), 2)
    with pytest.raises(NotImplementedError):                   # as torch: no Half on CPU
        F.avg_pool3d(mg.ones(1, 1, 4, 4, 4, dtype=mg.float16), 2)


def test_with_indices_names_always_return_indices(rng):
    x = rng.standard_normal(SHAPES[3])
    for nd in [1, 2, 3]:
        xs = x.reshape((-1,) + x.shape[-nd - 1:])
        out = getattr(F, f"max_pool{nd}d_with_indices")(mg.tensor(xs), 2)
        tout = getattr(TF, f"max_pool{nd}d_with_indices")(torch.tensor(xs), 2)
        assert len(out) == len(tout) == 2
        np.testing.assert_array_equal(out[1].numpy(), tout[1].numpy())


ERRORS = [  # (call(F, lib)): torch's exception type for it
    lambda F_, L: F_.max_pool2d(L.zeros(1, 1, 5, 5), 3, padding=2),       # pad > kernel/2
    lambda F_, L: F_.max_pool1d(L.zeros(1, 1, 2), 3),                     # output too small
    lambda F_, L: F_.max_pool1d(L.zeros(4), 2),                           # 1-D input
    lambda F_, L: F_.max_pool3d(L.zeros(2, 4, 4), 2),                     # 3-D input
    lambda F_, L: F_.max_pool3d(L.zeros(2, 0, 4, 4, 4), 2),               # empty channels
    lambda F_, L: F_.avg_pool2d(L.zeros(5, 5), 2),                        # IndexError in torch
    lambda F_, L: F_.avg_pool1d(L.zeros(1, 1, 4), 0),                     # kernel 0
    lambda F_, L: F_.max_pool2d(L.zeros(1, 1, 4, 4), 2, stride=0),
    lambda F_, L: F_.max_pool2d(L.zeros(1, 1, 4, 4), (1, 2, 3)),          # three sizes in 2-D
    lambda F_, L: F_.avg_pool3d(L.zeros(1, 1, 2, 4, 4), 3, padding=1),    # input < kernel
    lambda F_, L: F_.max_pool2d(L.zeros(1, 1, 4, 4), 2, dilation=0),
    lambda F_, L: F_.avg_pool2d(L.zeros(1, 1, 4, 4), 2.5),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_as_torch(k):
    with pytest.raises(Exception) as te:
        ERRORS[k](TF, torch)
    kind = next(c for c in type(te.value).__mro__ if c.__module__ == "builtins")
    with pytest.raises(kind):
        ERRORS[k](F, mg)


def test_float16_bitwise_as_torch(rng):
    # torch sums float16 windows in float32 and rounds once: so does minigrad
    for nd in [1, 2]:
        x = (rng.standard_normal(SHAPES[nd]) * 30).astype(np.float16)
        for name, args in [(f"avg_pool{nd}d", (3, 2, 1)), (f"max_pool{nd}d", (3, 2, 1)),
                           (f"adaptive_avg_pool{nd}d", (4,)), (f"adaptive_max_pool{nd}d", (4,)),
                           (f"lp_pool{nd}d", (2.0, 2))]:
            y, ty = getattr(F, name)(mg.tensor(x), *args), getattr(TF, name)(torch.tensor(x),
                                                                             *args)
            assert y.dtype == mg.float16, name
            np.testing.assert_array_equal(y.numpy(), ty.numpy(), err_msg=name)


def test_avg_pool_integer_dtypes_other_than_int64_raise_as_torch():
    for dt in [mg.int32, mg.int16, mg.int8, mg.uint8]:
        with pytest.raises(NotImplementedError):
            F.avg_pool2d(mg.ones(1, 1, 4, 4, dtype=dt), 2)
        with pytest.raises(NotImplementedError):
            TF.avg_pool2d(torch.ones(1, 1, 4, 4, dtype=getattr(torch, str(dt).split(".")[-1])),
                          2)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_windows_of_only_minus_inf_pick_the_first_real_element(nd):
    # tap 0 of a window is padding there: torch's index is the first element inside the input
    x = np.full(SHAPES[nd], -np.inf)
    x.reshape(-1)[::7] = 1.0
    f, tf = _fns("max", nd)
    for kw in [{"kernel_size": 3, "stride": 2, "padding": 1},
               {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 2, "ceil_mode": True}]:
        for dt in [np.float64, np.int64]:
            xs = x if dt is np.float64 else np.where(np.isinf(x), np.iinfo(dt).min, 1)
            v, i = f(mg.tensor(xs.astype(dt)), **kw, return_indices=True)
            tv, ti = tf(torch.tensor(xs.astype(dt)), **kw, return_indices=True)
            np.testing.assert_array_equal(v.numpy(), tv.numpy())
            np.testing.assert_array_equal(i.numpy(), ti.numpy())
        g = np.random.default_rng(2).standard_normal(tv.shape)
        a, b = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        (f(a, **kw) * mg.tensor(g)).sum().backward()
        (tf(b, **kw) * torch.tensor(g)).sum().backward()
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
