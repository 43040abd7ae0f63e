"""group_norm / GroupNorm, instance_norm / InstanceNorm1d/2d/3d and BatchNorm3d against torch."""
import warnings

import numpy as np
import pytest
import torch
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

tF = torch.nn.functional


# ---- group_norm ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape,groups", [((2, 4, 3), 2), ((3, 6), 3), ((2, 4, 2, 3), 4),
                                          ((1, 4, 5), 1), ((2, 6, 2, 1, 2), 2)])
def test_group_norm_matches_torch(rng, shape, groups):
    c = shape[1]
    x, w, b = rng.standard_normal(shape) * 2 + 1, rng.standard_normal(c), rng.standard_normal(c)
    check_op(lambda x, w, b: F.group_norm(x, groups, w, b),
             lambda x, w, b: tF.group_norm(x, groups, w, b), [x, w, b], double=True)
    check_op(lambda x: F.group_norm(x, groups, eps=1e-2), lambda x: tF.group_norm(
        x, groups, eps=1e-2), [x], double=True)
    check_op(lambda x, w: F.group_norm(x, groups, w), lambda x, w: tF.group_norm(x, groups, w),
             [x, w], double=True)


def test_group_norm_empty_and_strided(rng):
    w, b = rng.standard_normal(4), rng.standard_normal(4)
    for x in [rng.standard_normal((0, 4, 3)),
              rng.standard_normal((4, 3, 2)).swapaxes(0, 1), rng.standard_normal((2, 4, 6))
              [..., ::2]]:
        assert x.ndim == 3
        check_op(lambda x, w, b: F.group_norm(x, 2, w, b),
                 lambda x, w, b: tF.group_norm(x, 2, w, b), [x, w, b])
    # N > 0 with no spatial elements: torch's weight gradient is NaN, its bias gradient 0
    x = mg.zeros(2, 4, 0, dtype=mg.float64)
    mw, mb = mg.tensor(w, requires_grad=True), mg.tensor(b, requires_grad=True)
    out = F.group_norm(x, 2, mw, mb)
    assert out.shape == (2, 4, 0)
    out.sum().backward()
    tw, tb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    tF.group_norm(torch.zeros(2, 4, 0), 2, tw, tb).sum().backward()
    np.testing.assert_array_equal(mw.grad.numpy(), tw.grad.numpy())
    np.testing.assert_array_equal(mb.grad.numpy(), tb.grad.numpy())


def test_group_norm_float32_and_dtypes(rng):
    x, w = rng.standard_normal((3, 4, 5)).astype(np.float32), rng.standard_normal(4)
    out = F.group_norm(mg.tensor(x), 2, mg.tensor(w.astype(np.float32)))
    ref = tF.group_norm(torch.tensor(x), 2, torch.tensor(w, dtype=torch.float32))
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)
    h = rng.standard_normal((2, 4, 3)).astype(np.float16)     # computed in float32, as torch
    for lib_w in [w.astype(np.float32), w.astype(np.float16)]:
        out = F.group_norm(mg.tensor(h), 2, mg.tensor(lib_w), mg.tensor(lib_w))
        ref = tF.group_norm(torch.tensor(h), 2, torch.tensor(lib_w), torch.tensor(lib_w))
        assert out.dtype == mg.float16 and ref.dtype == torch.float16
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-3, atol=1e-3)
    out = F.instance_norm(mg.tensor(h), weight=mg.tensor(w.astype(np.float32)))
    assert out.dtype == mg.float16
    np.testing.assert_allclose(out.numpy(), tF.instance_norm(torch.tensor(h), weight=torch.tensor(
        w.astype(np.float32))).numpy(), rtol=2e-3, atol=2e-3)
    with pytest.raises(NotImplementedError):
        F.group_norm(mg.ones(2, 4, dtype=mg.int64), 2)
    with pytest.raises(RuntimeError, match="mixed dtypes"):
        F.group_norm(mg.tensor(x), 2, mg.tensor(w))
    with pytest.raises(RuntimeError):
        tF.group_norm(torch.tensor(x), 2, torch.tensor(w))


@pytest.mark.parametrize("args,exc", [
    (((3,), 1), RuntimeError), (((), 1), RuntimeError),        # fewer than 2 dims
    (((2, 4), 3), RuntimeError),                                # 4 channels, 3 groups
    (((1, 4), 4), ValueError), (((1, 4, 1), 4), ValueError),    # one value per group
    (((2, 4), -2), RuntimeError),
])
def test_group_norm_errors_as_torch(args, exc):
    shape, g = args
    with pytest.raises(exc):
        tF.group_norm(torch.zeros(shape), g)
    with pytest.raises(exc, match="group_norm|value per channel"):
        F.group_norm(mg.zeros(shape), g)
    for bad in [mg.ones(3), mg.ones(4, 1)]:
        with pytest.raises(RuntimeError, match="weight"):
            F.group_norm(mg.zeros(2, 4, 3), 2, bad)
    with pytest.raises(TypeError, match="num_groups"):
        F.group_norm(mg.zeros(2, 4), 2.0)


def test_groupnorm_module(rng):
    m, t = nn.GroupNorm(2, 6), torch.nn.GroupNorm(2, 6)
    assert repr(m) == repr(t) == "GroupNorm(2, 6, eps=1e-05, affine=True, bias=True)"
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones(6))
    np.testing.assert_array_equal(m.bias.detach().numpy(), np.zeros(6))
    with torch.no_grad():
        t.weight.uniform_(0.5, 1.5), t.bias.uniform_()
    check_module(m, t, [rng.standard_normal((3, 6, 4))])
    for kw in [{"affine": False}, {"bias": False}, {"eps": 1e-2}]:
        m, t = nn.GroupNorm(3, 6, **kw), torch.nn.GroupNorm(3, 6, **kw)
        assert repr(m) == repr(t)
        assert list(m.state_dict()) == list(t.state_dict())
        check_module(m, t, [rng.standard_normal((2, 6, 3))])
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError):
        torch.nn.GroupNorm(4, 6)


# ---- instance_norm ------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 3, 4), (3, 2, 2, 3), (2, 3, 2, 2, 2), (1, 2, 5)])
def test_instance_norm_matches_torch(rng, shape):
    c = shape[1]
    x, w, b = rng.standard_normal(shape) * 3 - 1, rng.standard_normal(c), rng.standard_normal(c)
    check_op(lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-3),
             lambda x, w, b: tF.instance_norm(x, weight=w, bias=b, eps=1e-3), [x, w, b],
             double=True)
    check_op(F.instance_norm, tF.instance_norm, [x], double=True)


@pytest.mark.parametrize("momentum", [0.1, 0.0, 1.0, 0.37])
def test_instance_norm_running_stats(rng, momentum):
    x = rng.standard_normal((3, 4, 5)) * 2 + 0.5
    rm, rv = rng.standard_normal(4), rng.uniform(0.5, 2, 4)
    mrm, mrv, trm, trv = mg.tensor(rm), mg.tensor(rv), torch.tensor(rm), torch.tensor(rv)
    out = F.instance_norm(mg.tensor(x), mrm, mrv, momentum=momentum)
    ref = tF.instance_norm(torch.tensor(x), trm, trv, momentum=momentum)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mrm.numpy(), trm.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mrv.numpy(), trv.numpy(), rtol=1e-10, atol=1e-12)
    # use_input_stats=False: normalised with the running statistics, which stay as they are
    w, b = rng.standard_normal(4), rng.standard_normal(4)
    check_op(lambda x, w, b: F.instance_norm(x, mrm, mrv, w, b, use_input_stats=False),
             lambda x, w, b: tF.instance_norm(x, trm, trv, w, b, use_input_stats=False),
             [x, w, b], double=True)
    np.testing.assert_allclose(mrm.numpy(), trm.numpy(), rtol=1e-10, atol=1e-12)


def test_instance_norm_empty(rng):
    for shape, stats in [((0, 4, 3), np.nan), ((2, 4, 0), None)]:
        mrm, mrv = mg.zeros(4, dtype=mg.float64), mg.ones(4, dtype=mg.float64)
        trm, trv = torch.zeros(4), torch.ones(4)
        out = F.instance_norm(mg.zeros(*shape, dtype=mg.float64), mrm, mrv)
        ref = tF.instance_norm(torch.zeros(shape), trm, trv)
        assert out.shape == tuple(ref.shape)
        np.testing.assert_array_equal(mrm.numpy(), trm.numpy())
        np.testing.assert_array_equal(mrv.numpy(), trv.numpy())
        if stats is not None:
            assert np.isnan(mrm.numpy()).all()
    with pytest.raises(IndexError):
        tF.instance_norm(torch.zeros(0, 4, 3), weight=torch.ones(4))
    with pytest.raises(IndexError, match="instance_norm"):
        F.instance_norm(mg.zeros(0, 4, 3), weight=mg.ones(4))


def test_instance_norm_errors_as_torch():
    cases = [  # (input shape, kwargs, exception)
        ((4, 3), {}, ValueError), ((2, 4, 1), {}, ValueError), ((3,), {}, ValueError),
        ((2, 4, 3), {"running_mean": "rm"}, ValueError),
        ((2, 4, 3), {"use_input_stats": False}, RuntimeError),
        ((2, 4, 3), {"weight": 3}, RuntimeError), ((2, 4, 3), {"bias": 5}, RuntimeError),
        ((4,), {"use_input_stats": False, "running_mean": "rm", "running_var": "rv"},
         IndexError),
    ]
    for shape, kw, exc in cases:
        def args(lib, kw=kw):
            out = {}
            for k, v in kw.items():
                out[k] = lib.zeros(4) if v == "rm" else lib.ones(4) if v == "rv" else \
                    lib.ones(v) if isinstance(v, int) and not isinstance(v, bool) else v
            return out
        with pytest.raises(exc):
            tF.instance_norm(torch.zeros(shape), **args(torch))
        with pytest.raises(exc, match="instance_norm|spatial element"):
            F.instance_norm(mg.zeros(shape), **args(mg))
    with pytest.raises(NotImplementedError):
        F.instance_norm(mg.ones(2, 4, 3, dtype=mg.int64))
    with pytest.raises(RuntimeError, match="mixed dtypes"):
        F.instance_norm(mg.ones(2, 4, 3), weight=mg.ones(4, dtype=mg.float64))
    # 2-D input with running statistics is fine (nothing spatial to verify)
    out = F.instance_norm(mg.ones(2, 4), mg.zeros(4), mg.ones(4), use_input_stats=False)
    assert out.shape == (2, 4) and out.dtype == mg.float32


@pytest.mark.parametrize("cls,shape", [("InstanceNorm1d", (3, 4, 5)),
                                       ("InstanceNorm2d", (2, 4, 3, 3)),
                                       ("InstanceNorm3d", (2, 4, 2, 3, 2))])
@pytest.mark.parametrize("kwargs", [{}, {"affine": True}, {"track_running_stats": True},
                                    {"affine": True, "track_running_stats": True,
                                     "momentum": None, "eps": 1e-3}, {"bias": False,
                                                                      "affine": True}])
def test_instancenorm_modules_train_eval(rng, cls, shape, kwargs):
    m, t = getattr(nn, cls)(4, **kwargs), getattr(torch.nn, cls)(4, **kwargs)
    assert repr(m) == repr(t)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    if t.weight is not None:
        with torch.no_grad():
            t.weight.uniform_(0.5, 1.5)
    if t.bias is not None:
        with torch.no_grad():
            t.bias.uniform_()
    load = True
    for _ in range(2):
        check_module(m, t, [rng.standard_normal(shape) * 2 + 1], load=load)
        m.zero_grad(), t.zero_grad()
        load = False
    m.eval(), t.eval()
    check_module(m, t, [rng.standard_normal(shape)], load=False)
    check_module(m, t, [rng.standard_normal(shape[1:])], load=False)       # unbatched
    m.train(), t.train()
    check_module(m, t, [rng.standard_normal(shape[1:])], load=False)


def test_instancenorm_input_checks():
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.InstanceNorm1d(3)(mg.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"expected 4D or 5D input \(got 3D input\)"):
        nn.InstanceNorm3d(3)(mg.zeros(3, 4, 4))
    with pytest.raises(ValueError, match="match num_features"):
        nn.InstanceNorm2d(3, affine=True)(mg.zeros(2, 4, 3, 3))
    with pytest.raises(ValueError):
        torch.nn.InstanceNorm2d(3, affine=True)(torch.zeros(2, 4, 3, 3))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = nn.InstanceNorm2d(3)(mg.zeros(2, 4, 3, 3))
    assert out.shape == (2, 4, 3, 3) and any("num_features" in str(w.message) for w in seen)
    m = nn.InstanceNorm1d(3, track_running_stats=True)
    m(mg.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), dtype=mg.float32))
    assert m.num_batches_tracked.item() == 0          # torch never counts for InstanceNorm


# ---- BatchNorm3d ----------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False},
                                    {"track_running_stats": False}])
def test_batchnorm3d_train_then_eval(rng, kwargs):
    m, t = nn.BatchNorm3d(3, **kwargs), torch.nn.BatchNorm3d(3, **kwargs)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    check_module(m, t, [rng.standard_normal((2, 3, 2, 3, 2)) * 2 + 1])
    m.zero_grad(), t.zero_grad()
    check_module(m, t, [rng.standard_normal((2, 3, 2, 3, 2))], load=False)
    m.eval(), t.eval()
    check_module(m, t, [rng.standard_normal((2, 3, 2, 2, 2))], load=False)
    with pytest.raises(ValueError, match=r"expected 5D input \(got 4D input\)"):
        m(mg.zeros(3, 2, 2, 2))
