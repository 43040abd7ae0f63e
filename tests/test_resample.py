"""F.interpolate and the Upsample modules against torch: every mode and option, torch's
coordinate conventions, gradients and second derivatives, dtypes, shapes and errors.
(pixel/channel shuffle, fold/unfold: tests/test_resample_shuffle.py; dropout variants:
tests/test_resample_dropout.py.)"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F

tF = torch.nn.functional


def _interp(lib_f, **kw):
    return lambda x: lib_f.interpolate(x, **kw)


# (input shape, options): every mode with each way of giving the output size
CASES = [
    ((2, 3, 5), dict(size=8, mode="nearest")),
    ((2, 3, 5), dict(scale_factor=1.7, mode="nearest")),
    ((2, 3, 6), dict(size=4, mode="nearest-exact")),
    ((2, 3, 5), dict(scale_factor=2.5, mode="nearest-exact")),
    ((2, 3, 5), dict(size=9, mode="linear")),
    ((2, 3, 5), dict(size=9, mode="linear", align_corners=True)),
    ((2, 3, 7), dict(scale_factor=0.6, mode="linear")),
    ((2, 3, 7), dict(scale_factor=0.6, mode="linear", recompute_scale_factor=True)),
    ((1, 2, 4, 5), dict(size=(7, 3), mode="bilinear")),
    ((1, 2, 4, 5), dict(scale_factor=(1.5, 2.0), mode="bilinear", align_corners=True)),
    ((1, 2, 4, 5), dict(size=(7, 8), mode="bicubic")),
    ((1, 2, 4, 5), dict(size=(1, 8), mode="bicubic", align_corners=True)),
    ((1, 2, 5, 4), dict(scale_factor=1.3, mode="bicubic")),
    ((1, 2, 9, 8), dict(size=(4, 3), mode="bilinear", antialias=True)),
    ((1, 2, 9, 8), dict(size=(4, 3), mode="bicubic", antialias=True)),
    ((1, 2, 4, 3), dict(size=(7, 6), mode="bilinear", antialias=True)),
    ((1, 2, 9, 8), dict(scale_factor=0.4, mode="bicubic", antialias=True, align_corners=True)),
    ((1, 1, 3, 4, 5), dict(size=(4, 2, 7), mode="trilinear")),
    ((1, 1, 3, 4, 5), dict(scale_factor=1.5, mode="trilinear", align_corners=True)),
    ((1, 1, 3, 4, 5), dict(size=(5, 6, 3), mode="nearest")),
    ((2, 3, 7), dict(size=3, mode="area")),
    ((1, 2, 7, 5), dict(size=(3, 4), mode="area")),
    ((1, 2, 7, 5), dict(scale_factor=0.5, mode="area")),
    ((1, 1, 5, 4, 6), dict(size=(2, 3, 4), mode="area")),
]


@pytest.mark.parametrize("shape,kw", CASES, ids=[f"{s}-{k}" for s, k in CASES])
def test_interpolate_values_grads_and_double_backward(shape, kw, rng):
    check_op(_interp(F, **kw), _interp(tF, **kw), [rng.standard_normal(shape)], double=True)


def test_interpolate_coordinate_rules_over_many_sizes(rng):
    """Every (input, output) length pair up to 9 and a set of scale factors, 1-D per mode:
    torch's half-pixel / align_corners sources, nearest's floor vs nearest-exact's round,
    bicubic's border clamping and the scale_factor-vs-size rule."""
    for n in range(1, 8):
        x = rng.standard_normal((1, 1, n, n + 1))
        for o in range(1, 10):
            for kw in [dict(mode="nearest"), dict(mode="nearest-exact"), dict(mode="area"),
                       dict(mode="bilinear"), dict(mode="bilinear", align_corners=True),
                       dict(mode="bicubic"), dict(mode="bicubic", align_corners=True),
                       dict(mode="bilinear", antialias=True),
                       dict(mode="bicubic", antialias=True)]:
                t = tF.interpolate(torch.tensor(x), size=(o, o + 1), **kw).numpy()
                m = F.interpolate(mg.tensor(x), size=(o, o + 1), **kw).numpy()
                np.testing.assert_allclose(m, t, rtol=1e-12, atol=1e-12, err_msg=f"{n},{o},{kw}")
        for sf in [0.3, 0.5, 0.7, 1.2, 1.5, 2.0, 2.1, 3.0, 1 / 3]:
            if int(n * sf) < 1:
                continue
            for kw in [dict(mode="nearest"), dict(mode="nearest-exact"), dict(mode="bilinear"),
                       dict(mode="bicubic"), dict(mode="area"),
                       dict(mode="bilinear", antialias=True),
                       dict(mode="nearest", recompute_scale_factor=True),
                       dict(mode="bilinear", recompute_scale_factor=True)]:
                t = tF.interpolate(torch.tensor(x), scale_factor=sf, **kw).numpy()
                m = F.interpolate(mg.tensor(x), scale_factor=sf, **kw).numpy()
                np.testing.assert_allclose(m, t, rtol=1e-12, atol=1e-12, err_msg=f"{n},{sf},{kw}")


@pytest.mark.parametrize("mode,shape", [("nearest", (2, 3, 5)), ("linear", (2, 3, 5)),
                                        ("bilinear", (2, 3, 4, 5)), ("bicubic", (2, 3, 4, 5)),
                                        ("trilinear", (1, 2, 3, 4, 5)), ("area", (2, 3, 7)),
                                        ("nearest-exact", (2, 3, 4, 5))])
def test_interpolate_float32_and_float16(mode, shape, rng):
    a = rng.standard_normal(shape)
    size = 3 if mode == "area" else 7
    for dt, tol in [(np.float32, 2e-6), (np.float16, 2e-3)]:
        t = tF.interpolate(torch.tensor(a.astype(dt)), size=size, mode=mode)
        m = F.interpolate(mg.tensor(a.astype(dt)), size=size, mode=mode)
        assert m.dtype == dt and str(t.dtype) == f"torch.{np.dtype(dt).name}"
        np.testing.assert_allclose(m.numpy().astype(np.float64), t.numpy().astype(np.float64),
                                   rtol=tol, atol=tol)


def test_interpolate_noncontiguous_empty_batch_and_uint8(rng):
    a = rng.standard_normal((2, 3, 6, 5)).transpose(0, 1, 3, 2)[..., ::-1]
    check_op(_interp(F, size=(4, 7), mode="bilinear"), _interp(tF, size=(4, 7), mode="bilinear"),
             [np.ascontiguousarray(a)[:, :, ::2]])
    check_op(_interp(F, size=(4, 7), mode="bicubic"), _interp(tF, size=(4, 7), mode="bicubic"),
             [rng.standard_normal((0, 3, 6, 5))])
    u = rng.integers(0, 255, (1, 2, 3, 4)).astype(np.uint8)
    for mode in ["nearest", "nearest-exact"]:
        t = tF.interpolate(torch.tensor(u), size=(5, 7), mode=mode)
        m = F.interpolate(mg.tensor(u), size=(5, 7), mode=mode)
        assert m.dtype == np.uint8
        np.testing.assert_array_equal(m.numpy(), t.numpy())


def test_interpolate_keeps_inf_where_torch_does():
    """Each output reads only its own taps: an inf elsewhere does not make it NaN."""
    x = np.zeros((1, 1, 6))
    x[0, 0, 5] = np.inf
    for mode in ["nearest", "linear", "area"]:
        t = tF.interpolate(torch.tensor(x), size=3, mode=mode).numpy()
        m = F.interpolate(mg.tensor(x), size=3, mode=mode).numpy()
        np.testing.assert_array_equal(m, t)


def _raises_like_torch(mg_call, torch_call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as te:
            torch_call()
        kind = type(te.value)
        kind = next(k for k in (NotImplementedError, TypeError, ValueError, IndexError,
                                RuntimeError) if issubclass(kind, k))
        with pytest.raises(kind):
            mg_call()


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 5), dict(size=4, scale_factor=2.0)),
    ((2, 3, 5), dict()),
    ((2, 3, 5), dict(size=(4, 4))),
    ((2, 3, 5), dict(scale_factor=(2.0, 2.0))),
    ((2, 3, 5), dict(size=4, align_corners=True)),
    ((2, 3, 5), dict(size=4, mode="area", align_corners=False)),
    ((2, 3, 5), dict(size=4, recompute_scale_factor=True)),
    ((2, 3, 5), dict(size=4, mode="bilinear")),
    ((2, 3, 4, 5), dict(size=4, mode="linear")),
    ((2, 3, 4, 5), dict(size=4, mode="trilinear")),
    ((2, 3, 4, 5, 6), dict(size=4, mode="bicubic")),
    ((2, 3, 5), dict(size=4, mode="linear", antialias=True)),
    ((2, 3, 4, 5), dict(size=4, mode="nearest", antialias=True)),
    ((2, 3), dict(size=4)), ((), dict(size=4)), ((1, 1, 1, 1, 1, 1), dict(size=2)),
    ((2, 3, 5), dict(size=4, mode="cubic")),
    ((2, 3, 5), dict(size=0)), ((2, 3, 5), dict(size=-1, mode="area")),
    ((2, 3, 5), dict(scale_factor=0.1)), ((2, 3, 5), dict(scale_factor=-1.0, mode="linear")),
    ((2, 0, 5), dict(size=4)), ((2, 3, 0), dict(size=4, mode="linear")),
    ((2, 3, 0), dict(size=4, mode="area")),
    ((2, 3, 5), dict(size=4.0)), ((2, 3, 5), dict(size=[4.0])),
    ((2, 3, 5), dict(scale_factor="2")), ((2, 3, 5), dict(scale_factor=float("nan"))),
    ((2, 3, 5), dict(size=4, mode="linear", align_corners=1)),
])
def test_interpolate_errors_as_torch(shape, kw, rng):
    a = rng.standard_normal(shape)
    _raises_like_torch(lambda: F.interpolate(mg.tensor(a), **kw),
                       lambda: tF.interpolate(torch.tensor(a), **kw))


def test_interpolate_dtype_errors_and_accepted_cases():
    for dt in [np.int64, np.int32, np.bool_]:
        a = np.ones((1, 2, 3, 3), dt)
        for mode in ["nearest", "bilinear", "bicubic", "area"]:
            _raises_like_torch(lambda: F.interpolate(mg.tensor(a), size=5, mode=mode),
                               lambda: tF.interpolate(torch.tensor(a), size=5, mode=mode))
    u = np.ones((1, 2, 3, 3), np.uint8)
    _raises_like_torch(lambda: F.interpolate(mg.tensor(u), size=5, mode="area"),
                       lambda: tF.interpolate(torch.tensor(u), size=5, mode="area"))
    # torch rounds uint8 bilinear / bicubic results; minigrad refuses (a clear error)
    for mode in ["bilinear", "bicubic"]:
        tF.interpolate(torch.tensor(u), size=5, mode=mode)
        with pytest.raises(NotImplementedError, match="uint8"):
            F.interpolate(mg.tensor(u), size=5, mode=mode)
    with pytest.raises(TypeError, match="interpolate"):
        F.interpolate(np.ones((1, 1, 3)), size=2)
    with pytest.raises(NotImplementedError, match="lanczos"):
        F.interpolate(mg.ones(1, 1, 4, 4), size=2, mode="lanczos", antialias=True)
    # torch's antialias kernel gives every row the first row's value when the output width
    # is 1 and the height changes; minigrad refuses (the same call with the width kept works)
    x = np.arange(16.0).reshape(1, 1, 2, 8)
    t = tF.interpolate(torch.tensor(x), size=(3, 1), mode="bilinear", antialias=True)
    assert np.unique(t.numpy()).size == 1
    with pytest.raises(NotImplementedError, match="antialias"):
        F.interpolate(mg.tensor(x), size=(3, 1), mode="bilinear", antialias=True)
    check_op(_interp(F, size=(2, 1), mode="bicubic", antialias=True),
             _interp(tF, size=(2, 1), mode="bicubic", antialias=True), [x])
    same = mg.tensor(x)
    out = F.interpolate(same, size=(2, 8), mode="bilinear", antialias=True)
    assert out is not same
    np.testing.assert_array_equal(out.numpy(), x)
    # a scale factor of zero output is an empty result for area (as adaptive pooling)
    t = tF.interpolate(torch.ones(2, 3, 4), scale_factor=0.1, mode="area")
    m = F.interpolate(mg.ones(2, 3, 4), scale_factor=0.1, mode="area")
    assert tuple(m.shape) == tuple(t.shape) == (2, 3, 0)


# ---- modules ------------------------------------------------------------------------------
def test_upsample_modules_defaults_repr_and_outputs(rng):
    for make in [lambda nn: nn.Upsample(scale_factor=2),
                 lambda nn: nn.Upsample(size=(3, 7), mode="bilinear"),
                 lambda nn: nn.Upsample(scale_factor=(1.5, 2), mode="bicubic",
                                        align_corners=True),
                 lambda nn: nn.Upsample(size=5, mode="nearest-exact"),
                 lambda nn: nn.UpsamplingNearest2d(scale_factor=2),
                 lambda nn: nn.UpsamplingNearest2d(size=(2, 3)),
                 lambda nn: nn.UpsamplingBilinear2d(scale_factor=2),
                 lambda nn: nn.UpsamplingBilinear2d(size=(5, 3))]:
        m, t = make(mg.nn), make(torch.nn)
        assert repr(m) == repr(t)
        for attr in ["size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"]:
            assert getattr(m, attr) == getattr(t, attr), attr
        assert list(m.state_dict()) == list(t.state_dict()) == []
        check_module(m, t, [rng.standard_normal((2, 3, 4, 5))])
    m, t = mg.nn.Upsample(), torch.nn.Upsample()
    assert (m.size, m.scale_factor, m.mode, m.align_corners) == \
        (t.size, t.scale_factor, t.mode, t.align_corners)
    assert mg.nn.Upsample(scale_factor=0).scale_factor is None
    with pytest.raises(TypeError, match="Upsample"):
        mg.nn.Upsample(scale_factor=[2, 2])
    check_module(mg.nn.Upsample(scale_factor=1.5, mode="trilinear"),
                 torch.nn.Upsample(scale_factor=1.5, mode="trilinear"),
                 [rng.standard_normal((1, 2, 3, 4, 5))])
    check_module(mg.nn.Upsample(size=4, mode="linear", align_corners=True),
                 torch.nn.Upsample(size=4, mode="linear", align_corners=True),
                 [rng.standard_normal((2, 3, 7))])


def test_deprecated_upsample_functions_warn_and_match_torch(rng):
    a = rng.standard_normal((1, 2, 3, 4))
    for name, args in [("upsample", ((5, 6), None, "bicubic", True)),
                       ("upsample", (None, 2.0)), ("upsample_nearest", ((5, 7),)),
                       ("upsample_nearest", (None, 1.5)), ("upsample_bilinear", ((5, 7),)),
                       ("upsample_bilinear", (None, 2.0))]:
        with pytest.warns(UserWarning) as tw:
            t = getattr(tF, name)(torch.tensor(a), *args)
        with pytest.warns(UserWarning) as mw:
            m = getattr(F, name)(mg.tensor(a), *args)
        assert [str(w.message) for w in mw] == [str(w.message) for w in tw]
        assert mw[0].filename == __file__           # attributed to the caller, as torch's
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-12, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_op(lambda x: F.upsample_bilinear(x, (5, 7)),
                 lambda x: tF.upsample_bilinear(x, (5, 7)), [a], double=True)
