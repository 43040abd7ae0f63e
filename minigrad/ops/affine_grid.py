"""affine_grid (torch.nn.functional.affine_grid): the sampling grid of a batch of affine maps,
for grid_sample.

    grid[n, h, w] = theta[n] @ (x_w, y_h, 1)            (2-D: theta (N, 2, 3))
    grid[n, d, h, w] = theta[n] @ (x_w, y_h, z_d, 1)    (3-D: theta (N, 3, 4))

with x, y, z evenly spaced over [-1, 1] (torch's linspace), scaled by (n - 1) / n without
align_corners, and 0 along an axis of length 1. The base grid is a constant, so the result is
one batched matmul, base (N, P, 3|4) @ theta^T: d grid / d theta = g^T base, with double
backward and forward mode from matmul's own rules.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..creation import _linspace, tensor
from .checks import need_bool, need_tensor, type_name
from .grid_sample import _warn_default


def _axis(xp, n, align_corners, dt):
    """torch's linspace_from_neg_one: -1..1, times (n - 1) / n without align_corners."""
    if n <= 1:
        return xp.zeros(max(n, 1), dt)
    r = _linspace(xp, -1.0, 1.0, n, dt)
    if not align_corners:
        r = (r * dt.type(n - 1) / dt.type(n)).astype(dt)
    return r


def _base(xp, spatial, align_corners, dt):
    """(P, D + 1) rows (x, y[, z], 1) in the order of the grid's points (last axis fastest)."""
    axes = [_axis(xp, n, align_corners, dt) for n in spatial]
    mesh = xp.meshgrid(*axes, indexing="ij")            # one per spatial axis, outermost first
    cols = [m.reshape(-1) for m in reversed(mesh)]      # x reads the last axis
    cols.append(xp.ones(int(np.prod(spatial)), dt))
    return xp.stack(cols, 1)


def _sizes(size):
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"affine_grid_generator(): argument 'size' (position 2) must be tuple "
                        f"of ints, not {type_name(size)}")
    out = []
    for k, v in enumerate(size):
        if isinstance(v, bool) or not isinstance(v, (numbers.Integral, np.integer)):
            raise TypeError(f"affine_grid_generator(): argument 'size' failed to unpack the "
                            f"object at pos {k + 1} with error \"type must be tuple of ints,but "
                            f"got {type(v).__name__}\"")
        out.append(int(v))
    return out


def affine_grid(theta, size, align_corners=None):
    """The (N, H, W, 2) grid of the affine maps theta (N, 2, 3) for size (N, C, H, W), or the
    (N, D, H, W, 3) grid of theta (N, 3, 4) for size (N, C, D, H, W); matches
    torch.nn.functional.affine_grid (differentiable wrt theta)."""
    if align_corners is None:
        _warn_default()
        align_corners = False
    need_tensor("affine_grid", theta, "theta", 1)
    if theta.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got "
                         f"torch.{np.dtype(theta.dtype).name}")
    if len(size) == 4:
        rows, cols, kind = 2, 3, "2D"
    elif len(size) == 5:
        rows, cols, kind = 3, 4, "3D"
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if theta.ndim != 3 or theta.shape[-2] != rows or theta.shape[-1] != cols:
        raise ValueError(f"Expected a batch of {kind} affine matrices of shape Nx{rows}x{cols} "
                         f"for size {size}. Got torch.Size({list(theta.shape)}).")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dims = _sizes(size)
    need_bool("affine_grid_generator", align_corners, "align_corners", 3)
    n, spatial = dims[0], dims[2:]
    if theta.shape[0] != n:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{n}, {cols}] but got: [{theta.shape[0]}, {cols}].")
    if theta.dtype == np.float16 and min(spatial) <= 1:
        # torch builds a length-1 axis with at::tensor(0), which has no float16 kernel
        raise NotImplementedError("\"tensor_cpu\" not implemented for 'Half'")
    # the base grid is built on the CPU and moved to theta's device (theta may be a vmap
    # tensor with a hidden batch dim, whose raw array must not be read)
    base = tensor(_base(np, spatial, align_corners, np.dtype(theta.dtype)), device=theta.device)
    grid = base @ theta.transpose(1, 2)                 # (N, P, D): one batched matmul
    return grid.reshape([n] + spatial + [rows])
