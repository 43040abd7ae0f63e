"""Adaptive max/avg pooling, max unpooling, LP pooling and every pooling module against
torch (float64)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

SHAPES = {1: (2, 3, 9), 2: (2, 3, 7, 6), 3: (1, 2, 5, 6, 4)}
SIZES = {1: [1, 3, 4, 9, 13, (5,)], 2: [1, (3, 2), (None, 4), 5, (9, 11)],
         3: [1, (2, 3, 2), (None, 2, None), 4]}


def _cases():
    return [(nd, s) for nd, sizes in SIZES.items() for s in sizes]


@pytest.mark.parametrize("nd,size", _cases())
def test_adaptive_max_pool_matches_torch(rng, nd, size):
    f, tf = getattr(F, f"adaptive_max_pool{nd}d"), getattr(TF, f"adaptive_max_pool{nd}d")
    x = rng.standard_normal(SHAPES[nd])
    check_op(lambda x: f(x, size) ** 2, lambda x: tf(x, size) ** 2, [x], double=True)
    v, i = f(mg.tensor(x), size, return_indices=True)
    tv, ti = tf(torch.tensor(x), size, return_indices=True)
    assert i.dtype == mg.int64 and np.array_equal(i.numpy(), ti.numpy())
    # the _with_indices name returns both whatever return_indices says
    w = getattr(F, f"adaptive_max_pool{nd}d_with_indices")(mg.tensor(x), size)
    assert np.array_equal(w[1].numpy(), ti.numpy()) and np.array_equal(w[0].numpy(), tv.numpy())


@pytest.mark.parametrize("nd,size", _cases())
def test_adaptive_avg_pool_matches_torch(rng, nd, size):
    f, tf = getattr(F, f"adaptive_avg_pool{nd}d"), getattr(TF, f"adaptive_avg_pool{nd}d")
    x = rng.standard_normal(SHAPES[nd])
    check_op(lambda x: f(x, size) ** 2, lambda x: tf(x, size) ** 2, [x], double=True)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_adaptive_ties_unbatched_empty_and_float32(rng, nd):
    fm, tfm = getattr(F, f"adaptive_max_pool{nd}d"), getattr(TF, f"adaptive_max_pool{nd}d")
    fa, tfa = getattr(F, f"adaptive_avg_pool{nd}d"), getattr(TF, f"adaptive_avg_pool{nd}d")
    x = np.round(rng.standard_normal(SHAPES[nd]))                       # many ties
    _, i = fm(mg.tensor(x), 3, return_indices=True)
    _, ti = tfm(torch.tensor(x), 3, return_indices=True)
    assert np.array_equal(i.numpy(), ti.numpy())
    check_op(lambda x: fm(x, 3), lambda x: tfm(x, 3), [x])
    for f, tf in [(fm, tfm), (fa, tfa)]:
        check_op(lambda x: f(x, 2), lambda x: tf(x, 2), [x[0]])            # unbatched
        check_op(lambda x: f(x.transpose(-1, -2), 2), lambda x: tf(x.transpose(-1, -2), 2),
                 [x])
        e = (0,) + SHAPES[nd][1:]
        assert f(mg.zeros(e), 2).shape == tuple(tf(torch.zeros(e), 2).shape)
        x32 = x.astype(np.float32)
        y, ty = f(mg.tensor(x32), 3), tf(torch.tensor(x32), 3)
        assert y.dtype == mg.float32
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6, atol=1e-6)   # rounding
        with pytest.raises(NotImplementedError):                         # integers: torch too
            f(mg.tensor(x.astype(np.int64)), 2)
    for sz in [0, (0,) * nd]:                                            # empty output
        assert fm(mg.tensor(x), sz).shape == tuple(tfm(torch.tensor(x), sz).shape)
        assert fa(mg.tensor(x), sz).shape == tuple(tfa(torch.tensor(x), sz).shape)


def _pooled(x, nd, **kw):
    tv, ti = getattr(TF, f"max_pool{nd}d")(torch.tensor(x), 2, return_indices=True, **kw)
    return tv.numpy(), ti.numpy()


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_matches_torch(rng, nd):
    f, tf = getattr(F, f"max_unpool{nd}d"), getattr(TF, f"max_unpool{nd}d")
    x = rng.standard_normal(SHAPES[nd])
    v, i = _pooled(x, nd)
    spatial = SHAPES[nd][2:]
    for kw in [{"output_size": spatial}, {"output_size": SHAPES[nd]},
               {"stride": 2, "output_size": list(spatial)}]:
        check_op(lambda v: f(v, mg.tensor(i), 2, **kw) ** 2,
                 lambda v: tf(v, torch.tensor(i), 2, **kw) ** 2, [v], double=True)
    # default output size (kernel 2 on even sizes: the pooled input's own size)
    xe = rng.standard_normal((2, 2) + (4,) * nd)
    ve, ie = _pooled(xe, nd)
    check_op(lambda v: f(v, mg.tensor(ie), 2), lambda v: tf(v, torch.tensor(ie), 2), [ve])
    check_op(lambda v: f(v, mg.tensor(ie[0]), 2), lambda v: tf(v, torch.tensor(ie[0]), 2),
             [ve[0]])                                                    # unbatched
    # kernel, stride and padding only set the default size and output_size's valid range
    check_op(lambda v: f(v, mg.tensor(ie), 3, 2, 1, (4,) * nd),
             lambda v: tf(v, torch.tensor(ie), 3, 2, 1, (4,) * nd), [ve])
    assert f(mg.zeros((0,) + ve.shape[1:]), mg.zeros((0,) + ve.shape[1:], dtype=mg.int64),
             2).shape == (0,) + ve.shape[1:-nd] + (4,) * nd


def test_max_unpool_errors_as_torch():
    v, i = np.ones((1, 2, 2, 2)), np.zeros((1, 2, 2, 2), np.int64)
    calls = [
        lambda F_, L: F_.max_unpool2d(L.tensor(v), L.tensor(i + 100), 2),        # bad index
        lambda F_, L: F_.max_unpool2d(L.tensor(v), L.tensor(i - 1), 2),          # negative
        lambda F_, L: F_.max_unpool2d(L.tensor(v), L.tensor(v), 2),              # float idx
        lambda F_, L: F_.max_unpool2d(L.tensor(v), L.tensor(i[:, :1]), 2),       # shape
        lambda F_, L: F_.max_unpool2d(L.tensor(v), L.tensor(i), 2, output_size=(9, 4)),
        lambda F_, L: F_.max_unpool2d(L.tensor(v), L.tensor(i), 2, output_size=(4,)),
        lambda F_, L: F_.max_unpool1d(L.tensor(v[0]), L.tensor(i[0]), 2),        # 3-D, 1-D
        lambda F_, L: F_.max_unpool2d(L.tensor(v).long(), L.tensor(i), 2),       # int values
        lambda F_, L: F_.max_unpool3d(L.tensor(v), L.tensor(i), 2),              # 4-D is C,D,H,W
    ]
    for k, call in enumerate(calls):
        try:
            call(TF, torch)
            torch_error = None
        except Exception as e:          # noqa: BLE001
            torch_error = next(c for c in type(e).__mro__ if c.__module__ == "builtins")
        if torch_error is None:
            call(F, mg)
        else:
            with pytest.raises(torch_error):
                call(F, mg)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, 1.5, -2.0, float("inf"), float("-inf")])
def test_lp_pool_matches_torch(rng, nd, p):
    f, tf = getattr(F, f"lp_pool{nd}d"), getattr(TF, f"lp_pool{nd}d")
    x = rng.standard_normal(SHAPES[nd])
    x[..., :2] = 0.0                        # windows summing to zero: torch's gradient is 0
    if p == -2.0:
        x = np.abs(x) + 0.5
    for kw in [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "ceil_mode": True}]:
        check_op(lambda x: f(x, p, **kw), lambda x: tf(x, p, **kw), [x],
                 double=p in (2.0, 1.0))
    check_op(lambda x: f(x, p, 2), lambda x: tf(x, p, 2), [x[0]])     # unbatched


def test_lp_pool_int_and_errors():
    xi = np.arange(-8, 8).reshape(1, 2, 8)
    y, ty = F.lp_pool1d(mg.tensor(xi), 2, 2), TF.lp_pool1d(torch.tensor(xi), 2, 2)
    assert y.dtype == mg.float32 and np.allclose(y.numpy(), ty.numpy())
    with pytest.raises(TypeError):
        F.lp_pool2d(mg.zeros(1, 4, 4), 2, 2, padding=1)       # torch has no padding here
    with pytest.raises(ValueError):
        F.lp_pool2d(mg.zeros(1, 4, 4), 2, [2])                 # torch unpacks two sizes
    with pytest.raises(ZeroDivisionError):
        F.lp_pool1d(mg.zeros(1, 4), 0, 2)                      # 1 / 0 in torch's formula


MODULES = [  # (name, args, kwargs, input shape)
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (2, 3, 9)),
    ("MaxPool1d", (2,), {"dilation": 2}, (3, 9)),
    ("MaxPool2d", ((3, 2),), {"stride": 1, "padding": 1}, (2, 2, 5, 5)),
    ("MaxPool3d", (2,), {}, (1, 2, 4, 5, 4)),
    ("MaxPool3d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True}, (2, 5, 6, 4)),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1, "count_include_pad": False}, (2, 3, 9)),
    ("AvgPool2d", (3,), {"stride": 2, "padding": 1, "ceil_mode": True,
                         "divisor_override": 4}, (2, 2, 5, 5)),
    ("AvgPool3d", (2,), {"ceil_mode": True}, (1, 2, 5, 5, 4)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, None),), {}, (2, 2, 5, 5)),
    ("AdaptiveMaxPool3d", (2,), {}, (2, 5, 6, 4)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (2, 2, 5, 5)),
    ("AdaptiveAvgPool3d", ((None, 2, 3),), {}, (1, 2, 5, 6, 4)),
    ("LPPool1d", (2, 3), {"stride": 2, "ceil_mode": True}, (2, 3, 9)),
    ("LPPool2d", (1.5, (2, 3)), {}, (2, 2, 5, 5)),
    ("LPPool3d", (2, 2), {}, (1, 2, 4, 4, 4)),
]


@pytest.mark.parametrize("name,args,kw,shape", MODULES)
def test_modules_match_torch(name, args, kw, shape):
    x = np.abs(np.random.default_rng(0).standard_normal(shape)) + 0.1
    m, t = getattr(nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(m) == repr(t)
    for attr in ["kernel_size", "stride", "padding", "dilation", "ceil_mode", "output_size",
                 "return_indices", "count_include_pad", "divisor_override", "norm_type"]:
        assert getattr(m, attr, None) == getattr(t, attr, None), attr
    assert list(m.state_dict()) == list(t.state_dict()) == []
    check_module(m, t, [x])
    check_module(m.eval(), t.eval(), [x])


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_return_indices_modules_and_unpool_modules(rng, nd):
    shape = SHAPES[nd]
    x = rng.standard_normal(shape)
    for name, args in [(f"MaxPool{nd}d", (2,)), (f"AdaptiveMaxPool{nd}d", (3,))]:
        m = getattr(nn, name)(*args, return_indices=True)
        t = getattr(torch.nn, name)(*args, return_indices=True)
        assert repr(m) == repr(t)
        (v, i), (tv, ti) = m(mg.tensor(x)), t(torch.tensor(x))
        assert np.array_equal(v.numpy(), tv.numpy()) and np.array_equal(i.numpy(), ti.numpy())
    pool = getattr(torch.nn, f"MaxPool{nd}d")(2, return_indices=True)
    tv, ti = pool(torch.tensor(x))
    for kw in [{}, {"stride": 2, "padding": 0}]:
        m, t = getattr(nn, f"MaxUnpool{nd}d")(2, **kw), getattr(torch.nn, f"MaxUnpool{nd}d")(2,
                                                                                       **kw)
        assert repr(m) == repr(t) and m.kernel_size == t.kernel_size and m.stride == t.stride
        check_op(lambda v: m(v, mg.tensor(ti.numpy()), output_size=shape),
                 lambda v: t(v, ti, output_size=shape), [tv.numpy()])


def test_module_defaults_as_torch():
    for name, args in [("MaxPool1d", (3,)), ("MaxPool3d", (3,)), ("AvgPool1d", (3,)),
                       ("AvgPool3d", (3,)), ("MaxUnpool1d", (3,)), ("MaxUnpool2d", (3,)),
                       ("MaxUnpool3d", (3,)), ("AdaptiveMaxPool2d", (3,)),
                       ("AdaptiveAvgPool1d", (3,)), ("LPPool2d", (2, 3)), ("MaxPool2d", (3,)),
                       ("AvgPool2d", (3,))]:
        m, t = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(m) == repr(t), name
        for attr in ["kernel_size", "stride", "padding", "dilation", "ceil_mode",
                     "return_indices", "count_include_pad", "divisor_override", "norm_type"]:
            assert getattr(m, attr, None) == getattr(t, attr, None), (name, attr)
