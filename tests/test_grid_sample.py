"""F.grid_sample against torch: every mode x padding x align_corners in 4-D and 5-D, grids
that leave [-1, 1], exact pixel coordinates (ties), gradients wrt input and grid for a random
upstream gradient, second derivatives, H v, float32/float16, empty and non-contiguous
inputs, NaN/inf grids, and torch's errors and warning. (affine_grid: tests/test_affine_grid.py)
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from conftest import check_op
from jvp_check import check_hvp_fd

import minigrad as mg
import minigrad.nn.functional as F

tF = torch.nn.functional
MODES = ["bilinear", "nearest", "bicubic"]
PADDINGS = ["zeros", "border", "reflection"]


def _gs(lib_f, **kw):
    return lambda x, g: lib_f.grid_sample(x, g, **kw)


def _grid(rng, shape, lo=-1.6, hi=1.6):
    return rng.uniform(lo, hi, shape)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("nd", [4, 5])
def test_values_gradients_and_double_backward(nd, mode, padding_mode, align_corners, rng):
    if nd == 5 and mode == "bicubic":
        pytest.skip("bicubic is 4-D only (its error is tested below)")
    if nd == 4:
        x, g = rng.standard_normal((2, 3, 5, 4)), _grid(rng, (2, 3, 4, 2))
    else:
        x, g = rng.standard_normal((2, 2, 3, 4, 5)), _grid(rng, (2, 2, 3, 2, 3))
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    check_op(_gs(F, **kw), _gs(tF, **kw), [x, g], double=True)


def _pixel_grid(n, align_corners, extra):
    """Normalized coordinates of every pixel centre, half-pixel points and edges."""
    i = np.arange(-2, n + 2, 0.5)
    if align_corners:
        pts = i * 2 / max(n - 1, 1) - 1
    else:
        pts = (2 * i + 1) / n - 1
    return np.concatenate([pts, extra])


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", MODES)
def test_exact_pixel_coordinates_and_edges(mode, padding_mode, align_corners, rng):
    """Integer and half-integer pixel coordinates: floor/rint ties, clip and reflection
    boundaries (where torch's gradient rules count the border as outside)."""
    xs = _pixel_grid(5, align_corners, [-1.0, 1.0, 0.0, -3.0, 3.0])
    ys = _pixel_grid(4, align_corners, [-1.0, 1.0, 0.0, 2.0, -2.0])
    gx, gy = np.meshgrid(xs, ys)
    g = np.stack([gx, gy], -1)[None]
    x = rng.standard_normal((1, 2, 4, 5))
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    check_op(_gs(F, **kw), _gs(tF, **kw), [x, g], double=True)


@pytest.mark.parametrize("padding_mode", PADDINGS)
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_exact_voxel_coordinates_5d(mode, padding_mode, rng):
    pts = [_pixel_grid(n, False, [-1.0, 1.0])[::3] for n in (3, 4, 2)]
    gz, gy, gx = np.meshgrid(pts[0], pts[1], pts[2], indexing="ij")
    g = np.stack([gx, gy, gz], -1)[None]
    x = rng.standard_normal((1, 2, 2, 4, 3))
    kw = dict(mode=mode, padding_mode=padding_mode, align_corners=False)
    check_op(_gs(F, **kw), _gs(tF, **kw), [x, g], double=True)


@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.parametrize("mode", MODES)
def test_unit_and_small_images(mode, n, rng):
    """Images of width/height 1 and 2 (align_corners' span is 0 for width 1)."""
    x, g = rng.standard_normal((1, 2, n, n + 1)), _grid(rng, (1, 3, 3, 2), -2.5, 2.5)
    for pad in PADDINGS:
        for ac in (False, True):
            kw = dict(mode=mode, padding_mode=pad, align_corners=ac)
            check_op(_gs(F, **kw), _gs(tF, **kw), [x, g], double=True)


@pytest.mark.parametrize("mode", MODES)
def test_far_outside_grids_reflect_many_times(mode, rng):
    x, g = rng.standard_normal((2, 2, 4, 3)), _grid(rng, (2, 5, 3, 2), -9.0, 9.0)
    for pad in PADDINGS:
        for ac in (False, True):
            kw = dict(mode=mode, padding_mode=pad, align_corners=ac)
            check_op(_gs(F, **kw), _gs(tF, **kw), [x, g])


@pytest.mark.parametrize("mode", MODES)
def test_float32_and_float16(mode, rng):
    x, g = rng.standard_normal((2, 3, 5, 4)), _grid(rng, (2, 3, 4, 2))
    for pad in PADDINGS:
        kw = dict(mode=mode, padding_mode=pad, align_corners=False)
        check_op(_gs(F, **kw), _gs(tF, **kw), [x.astype(np.float32), g.astype(np.float32)],
                 rtol=1e-5, atol=1e-5)
        # float16: minigrad computes in float32 and rounds once; torch's CPU kernel rounds
        # its intermediates to float16 (bicubic: off by ~1e-2), so ours must be at least as
        # close to the float64 result as torch's, and near torch's
        x16, g16 = x.astype(np.float16), g.astype(np.float16)
        y = F.grid_sample(mg.tensor(x16), mg.tensor(g16), **kw)
        ty = tF.grid_sample(torch.tensor(x16), torch.tensor(g16), **kw).numpy().astype(float)
        exact = tF.grid_sample(torch.tensor(x16.astype(float)), torch.tensor(g16.astype(float)),
                               **kw).numpy()
        assert y.dtype == mg.float16
        ours = y.numpy().astype(float)
        if mode == "nearest":
            # a pick near a half-pixel tie can flip with torch's float16 intermediates (about
            # 1 draw in 60): ours is the float64 pick; compare with torch where it is too
            np.testing.assert_allclose(ours, exact, rtol=1e-2, atol=3e-2)
            keep = np.isclose(ty, exact, rtol=1e-2, atol=3e-2)
            np.testing.assert_allclose(ours[keep], ty[keep], rtol=1e-2, atol=3e-2)
            continue
        assert np.abs(ours - exact).max() <= max(np.abs(ty - exact).max(), 2e-3)
        np.testing.assert_allclose(ours, ty, rtol=1e-2, atol=3e-2)


@pytest.mark.parametrize("shapes", [((0, 3, 4, 5), (0, 3, 2, 2)), ((2, 0, 4, 5), (2, 3, 2, 2)),
                                    ((2, 3, 4, 5), (2, 0, 3, 2)), ((2, 3, 4, 5), (2, 3, 0, 2)),
                                    ((0, 2, 3, 4, 2), (0, 1, 2, 2, 3)),
                                    ((1, 2, 3, 4, 2), (1, 0, 2, 2, 3))])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_empty_batch_channels_and_output(shapes, mode, rng):
    x, g = rng.standard_normal(shapes[0]), _grid(rng, shapes[1])
    kw = dict(mode=mode, align_corners=True)
    out, = check_op(_gs(F, **kw), _gs(tF, **kw), [x, g])
    assert out.shape == tuple(tF.grid_sample(torch.tensor(x), torch.tensor(g), **kw).shape)


def test_non_contiguous_input_and_grid(rng):
    a, b = rng.standard_normal((2, 3, 6, 5)), _grid(rng, (2, 8, 3, 2))
    mx, mgr = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
    tx, tgr = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    for mode in MODES:
        y = F.grid_sample(mx.transpose(2, 3), mgr[:, ::2], mode=mode, padding_mode="reflection",
                          align_corners=False)
        ty = tF.grid_sample(tx.transpose(2, 3), tgr[:, ::2], mode=mode,
                            padding_mode="reflection", align_corners=False)
        u = rng.standard_normal(tuple(ty.shape))
        gm = mg.autograd.grad(y, (mx, mgr), mg.tensor(u))
        gt = torch.autograd.grad(ty, (tx, tgr), torch.tensor(u))
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
        for p, q in zip(gm, gt):
            np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-10, atol=1e-12)


def test_nearest_gives_a_zero_grid_gradient_and_no_second_derivative_wrt_input(rng):
    x = mg.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    g = mg.tensor(_grid(rng, (1, 2, 2, 2)), requires_grad=True)
    y = F.grid_sample(x, g, mode="nearest", align_corners=False)
    dx, dg = mg.autograd.grad(y.sum(), (x, g), create_graph=True)
    assert dg.shape == g.shape and not np.any(dg.detach().numpy())
    assert mg.autograd.grad(dx.sum(), x, allow_unused=True)[0] is None      # torch: None too


@pytest.mark.parametrize("nd", [4, 5])
def test_nan_and_inf_grids_as_torch(nd):
    """Values and gradients: torch's 2-D kernel clips NaN to 0 and multiplies NaN weights
    into zeroed values; its 3-D kernel clips NaN to the far edge and skips out-of-bounds
    taps."""
    nan, inf = float("nan"), float("inf")
    pts = [nan, inf, -inf, 1e30, -1e30, 0.25]
    rows = [[a, b] for a in pts for b in (0.3, nan)]
    if nd == 4:
        x, g = np.arange(12.0).reshape(1, 1, 3, 4), np.array(rows)[None, None]
    else:
        x = np.arange(24.0).reshape(1, 1, 2, 3, 4)
        g = np.array([r + [-0.4] for r in rows])[None, None, None]
    modes = MODES if nd == 4 else MODES[:2]
    for mode in modes:
        for pad in PADDINGS:
            for ac in (False, True):
                kw = dict(mode=mode, padding_mode=pad, align_corners=ac)
                mx, mgr = mg.tensor(x, requires_grad=True), mg.tensor(g, requires_grad=True)
                tx, tg = torch.tensor(x, requires_grad=True), torch.tensor(g, requires_grad=True)
                y, ty = F.grid_sample(mx, mgr, **kw), tF.grid_sample(tx, tg, **kw)
                ours, theirs = [y], [ty]
                # torch's backward clips NaN unlike its forward: its 2-D bilinear backward with
                # border/reflection crashes (segfault), its 3-D one drops those points' input
                # gradient; minigrad's gradient stays the adjoint of its forward there
                if pad == "zeros" or (nd == 4 and mode != "bilinear"):
                    ours += mg.autograd.grad(y.sum(), (mx, mgr))
                    theirs += torch.autograd.grad(ty.sum(), (tx, tg))
                for k, (p, q) in enumerate(zip(ours, theirs)):
                    np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(),
                                               rtol=1e-12, atol=1e-13, equal_nan=True,
                                               err_msg=f"{k} {kw}")


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_hessian_vector_product_against_finite_differences(mode, rng):
    """torch has no forward AD for grid_sampler: minigrad's forward over reverse is checked
    against central differences of torch's gradient."""
    w = rng.standard_normal((1, 2, 3, 2))

    def f(L, x, g):
        y = L.nn.functional.grid_sample(x, g, mode=mode, padding_mode="border",
                                        align_corners=True)
        return (y * y * L.tensor(w)).sum()
    check_hvp_fd(f, rng.standard_normal((1, 2, 4, 3)), _grid(rng, (1, 3, 2, 2), -0.9, 0.9))


def test_forward_mode_against_torch_double_backward_jvp(rng):
    """jvp (forward mode) against torch.autograd.functional.jvp (the double-backward trick)."""
    from minigrad.autograd import forward_ad as fw
    x, g = rng.standard_normal((2, 2, 4, 5)), _grid(rng, (2, 3, 3, 2))
    vx, vg = rng.standard_normal(x.shape), rng.standard_normal(g.shape)
    for mode in MODES:
        kw = dict(mode=mode, padding_mode="reflection", align_corners=False)
        with fw.dual_level():
            y = F.grid_sample(fw.make_dual(mg.tensor(x), mg.tensor(vx)),
                              fw.make_dual(mg.tensor(g), mg.tensor(vg)), **kw)
            t = fw.unpack_dual(y).tangent.numpy()
        _, tt = torch.autograd.functional.jvp(
            lambda a, b: tF.grid_sample(a, b, **kw), (torch.tensor(x), torch.tensor(g)),
            (torch.tensor(vx), torch.tensor(vg)))
        np.testing.assert_allclose(t, tt.numpy(), rtol=1e-10, atol=1e-12)


def test_default_align_corners_warns_as_torch(rng):
    x, g = mg.tensor(rng.standard_normal((1, 1, 2, 2))), mg.tensor(_grid(rng, (1, 1, 1, 2)))
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has "
                                         "changed to align_corners=False since 1.3.0"):
        y = F.grid_sample(x, g)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ty = tF.grid_sample(torch.tensor(x.numpy()), torch.tensor(g.numpy()))
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-12)


def _err(call):
    try:
        call()
    except Exception as e:      # noqa: BLE001  (the type is what is compared)
        return type(e), str(e)
    return None


def _both(make, **kw):
    """Run the same bad call on minigrad and torch; both must raise the same type, and our
    message must hold torch's (it may add the function's name and which argument)."""
    def run(lib, lib_f):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            args = make(lib)
            return _err(lambda: lib_f.grid_sample(*args, **kw))
    ours, theirs = run(mg, F), run(torch, tF)
    assert theirs is not None and ours is not None and ours[0] is theirs[0]
    assert theirs[1] in ours[1], (ours, theirs)


def _t(lib, *shape, dtype="float64"):
    return lib.zeros(*shape, dtype=getattr(lib, dtype))


@pytest.mark.parametrize("make,kw", [
    (lambda L: (_t(L, 2, 3, 4, 5), _t(L, 1, 3, 3, 2)), {}),                 # batch sizes
    (lambda L: (_t(L, 2, 3, 4, 5), _t(L, 2, 3, 3, 3)), {}),                 # last dim
    (lambda L: (_t(L, 2, 3, 4, 5), _t(L, 2, 3, 3, 3, 2)), {}),              # ranks
    (lambda L: (_t(L, 2, 3, 4), _t(L, 2, 3, 1)), {}),                       # 3-D input
    (lambda L: (_t(L, 2, 3, 4, 5, 6, 7), _t(L, 2, 1, 1, 1, 1, 4)), {}),     # 6-D input
    (lambda L: (_t(L, 2, 3, 0, 5), _t(L, 2, 3, 3, 2)), {}),                 # empty spatial
    (lambda L: (_t(L, 1, 2, 3, 3, 3), _t(L, 1, 2, 2, 2, 3)), {"mode": "bicubic"}),
    (lambda L: (_t(L, 2, 3, 4, 5), _t(L, 2, 3, 3, 2)), {"mode": "linear"}),
    (lambda L: (_t(L, 2, 3, 4, 5), _t(L, 2, 3, 3, 2)), {"mode": None}),
    (lambda L: (_t(L, 2, 3, 4, 5), _t(L, 2, 3, 3, 2)), {"padding_mode": "constant"}),
    (lambda L: (_t(L, 2, 3, 4, 5), _t(L, 2, 3, 3, 2)), {"align_corners": 1}),
    (lambda L: (_t(L, 2, 3, 4, 5), _t(L, 2, 3, 3, 2, dtype="float32")), {}),  # dtypes
    (lambda L: (_t(L, 2, 3, 4, 5, dtype="float32"), _t(L, 2, 3, 3, 2, dtype="int32")), {}),
    (lambda L: (_t(L, 2, 3, 4, 5, dtype="int64"), _t(L, 2, 3, 3, 2)), {}),
    (lambda L: (_t(L, 1, 2, 3, 4, 2, dtype="int32"), _t(L, 1, 2, 3, 2, 3)), {}),
    (lambda L: (_t(L, 2, 3, 4, 5, dtype="bool"), _t(L, 2, 3, 3, 2)), {}),
    (lambda L: (L.tensor(1.0), L.tensor(1.0)), {}),
    (lambda L: (np.zeros((2, 3, 4, 5)), _t(L, 2, 3, 3, 2)), {}),
    (lambda L: (_t(L, 2, 3, 4, 5), [[0.0, 0.0]]), {}),
])
def test_errors_match_torch(make, kw):
    _both(make, **kw)


def test_vmap_runs_per_sample_and_matches_torch_func(rng):
    """No batching rule yet: minigrad's vmap loops over the samples (with its warning)."""
    x, g = rng.standard_normal((3, 2, 2, 4, 5)), _grid(rng, (3, 2, 3, 3, 2))

    def f(lib_f):
        return lambda a, b: lib_f.grid_sample(a, b, mode="bicubic", align_corners=False)
    with pytest.warns(UserWarning, match="no batching rule for Sample"):
        y = mg.func.vmap(f(F))(mg.tensor(x), mg.tensor(g))
    ty = torch.func.vmap(f(tF))(torch.tensor(x), torch.tensor(g))
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-12, atol=1e-14)
