"""F.affine_grid against torch: 2-D and 3-D grids, align_corners both ways, unit-size axes,
gradients and second derivatives wrt theta, float32/float16, torch's errors and warnings,
and a spatial transformer (affine_grid then grid_sample) end to end."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F

tF = torch.nn.functional


def _ag(lib_f, size, ac):
    return lambda th: lib_f.affine_grid(th, size, align_corners=ac)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("theta,size", [((2, 2, 3), (2, 3, 4, 5)), ((1, 2, 3), (1, 1, 1, 3)),
                                        ((3, 2, 3), [3, 2, 6, 1]), ((2, 3, 4), (2, 1, 3, 4, 5)),
                                        ((1, 3, 4), (1, 2, 1, 2, 3))])
def test_values_gradients_and_double_backward(theta, size, align_corners, rng):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")             # (the unit-size warning, both alike)
        check_op(_ag(F, size, align_corners), _ag(tF, size, align_corners),
                 [rng.standard_normal(theta)], double=True)


def test_float32_and_float16(rng):
    th = rng.standard_normal((2, 2, 3))
    check_op(_ag(F, (2, 1, 5, 6), False), _ag(tF, (2, 1, 5, 6), False),
             [th.astype(np.float32)], rtol=1e-6, atol=1e-6)
    y = F.affine_grid(mg.tensor(th.astype(np.float16)), (2, 1, 5, 6), align_corners=True)
    ty = tF.affine_grid(torch.tensor(th.astype(np.float16)), (2, 1, 5, 6), align_corners=True)
    assert y.dtype == mg.float16
    np.testing.assert_allclose(y.numpy().astype(float), ty.numpy().astype(float), atol=4e-3)


def test_warnings_as_torch(rng):
    th = mg.tensor(rng.standard_normal((1, 2, 3)))
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior"):
        F.affine_grid(th, (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="affine_grid behavior has changed for unit-size"):
        F.affine_grid(th, (1, 1, 1, 2), align_corners=True)


def _err(call):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except Exception as e:      # noqa: BLE001  (the type is what is compared)
        return type(e), str(e)
    return None


@pytest.mark.parametrize("theta,size,ac,dtype", [
    ((2, 2, 3), (2, 1, 3, 4, 5), False, "float64"),
    ((2, 3, 4), (2, 1, 3, 4), False, "float64"),
    ((2, 3), (2, 1, 3, 4), False, "float64"),
    ((2, 2, 3), (2, 1, 3), False, "float64"),
    ((2, 2, 3), (2, 1, 0, 4), False, "float64"),
    ((2, 2, 3), (2, 1, 0, 4), True, "float64"),
    ((2, 2, 3), (2, -1, 3, 4), False, "float64"),
    ((0, 2, 3), (0, 1, 3, 4), False, "float64"),
    ((2, 2, 3), (3, 1, 3, 4), False, "float64"),
    ((2, 2, 3), (2, 1, 3.0, 4), False, "float64"),
    ((2, 2, 3), (2, 1, 3, 4), 1, "float64"),
    ((2, 2, 3), (2, 1, 3, 4), False, "int32"),
    ((1, 2, 3), (1, 1, 1, 4), False, "float16"),
])
def test_errors_match_torch(theta, size, ac, dtype):
    ours = _err(lambda: F.affine_grid(mg.zeros(*theta, dtype=getattr(mg, dtype)), size, ac))
    theirs = _err(lambda: tF.affine_grid(torch.zeros(*theta, dtype=getattr(torch, dtype)),
                                         size, ac))
    assert theirs is not None and ours == theirs


def test_non_tensor_theta_is_a_type_error():
    with pytest.raises(TypeError, match="affine_grid\\(\\): argument 'theta' \\(position 1\\) "
                                        "must be Tensor, not list"):
        F.affine_grid([[[1.0, 0, 0], [0, 1, 0]]], (1, 1, 2, 2), align_corners=False)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_spatial_transformer_end_to_end(mode, rng):
    """theta -> affine_grid -> grid_sample: gradients wrt the image and theta."""
    def stn(lib_f):
        def f(x, th):
            grid = lib_f.affine_grid(th, (2, 3, 5, 6), align_corners=False)
            return lib_f.grid_sample(x, grid, mode=mode, padding_mode="border",
                                     align_corners=False)
        return f
    th = np.array([[1.1, 0.2, 0.1], [-0.1, 0.9, 0.05]]) + 0.1 * rng.standard_normal((2, 2, 3))
    check_op(stn(F), stn(tF), [rng.standard_normal((2, 3, 4, 5)), th], double=True)


def test_vmap_over_theta_matches_torch_func(rng):
    th = rng.standard_normal((3, 2, 2, 3))
    y = mg.func.vmap(lambda t: F.affine_grid(t, (2, 1, 3, 4), align_corners=False))(
        mg.tensor(th))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (torch's own fallback warning)
        ty = torch.func.vmap(lambda t: tF.affine_grid(t, (2, 1, 3, 4), align_corners=False))(
            torch.tensor(th))
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-12, atol=1e-15)
