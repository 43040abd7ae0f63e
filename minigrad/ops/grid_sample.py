"""grid_sample (torch.nn.functional.grid_sample): read input (N, C, *S_in) at the points of a
grid (N, *S_out, D) with D = 2 (4-D input) or 3 (5-D input), by bilinear (trilinear),
nearest or bicubic interpolation with zeros, border or reflection padding.

The taps (ops/grid_sample_taps.py) give each output point K input positions (flat index,
in-bounds mask) and weights W_k, products over the axes of 1-D weights of the fraction t_a:

    y[n, c, p] = sum_k W_k(t) x[n, c, idx_k]

`Sample` computes this for any derivative order o = (o_x, o_y[, o_z]) of the weights wrt the
grid coordinates (o = 0: grid_sample itself), by gathers over the N*C planes. It is linear in
x, so with S_o = Sample(., grid, o) and S_o^T its adjoint (`SampleAdjoint`, a scatter-add):

    dx    = S_o^T(g)                              dgrid_j = sum_c g * S_{o + e_j}(x)
    d(S_o^T(g)) wrt g: S_o(A)                     wrt grid_j: sum_c g * S_{o + e_j}(A)

so every backward is made of the same two ops and differentiates again (double backward at
any depth, as torch's). An order beyond the weights' degree (nearest: 0, bilinear: 1 per
axis, bicubic: 3) is identically zero: nearest gives a zero grid gradient, as torch.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from .arith import torch_name
from .checks import need_bool, need_tensor
from .grid_sample_taps import DEGREE, taps

_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")


def _ft(dtype):
    return np.float64 if dtype == np.float64 else np.float32


def _taps(grid, sizes, opts, orders):
    mode, padding, align_corners = opts
    ft = _ft(grid.dtype)
    points = int(np.prod(grid.shape[1:-1]))
    g = grid.astype(ft, copy=False).reshape(grid.shape[0], points, grid.shape[-1])
    return taps(g, sizes, mode, padding, align_corners, orders, ft)


def _sample(x, grid, orders, opts):
    """y (N, C, *S_out) = sum_k W_k x[idx_k] with the weights differentiated `orders` times."""
    with np.errstate(all="ignore"):         # inf * 0 gives NaN silently, as in torch
        return _sample_quiet(x, grid, orders, opts)


def _sample_quiet(x, grid, orders, opts):
    xp = array_module(x)
    n, c, sizes = x.shape[0], x.shape[1], x.shape[2:]
    ft = _ft(x.dtype)
    out_shape = (n, c) + grid.shape[1:-1]
    found = _taps(grid, sizes, opts, orders)
    if found is None or x.size == 0 or 0 in out_shape:
        return xp.zeros(out_shape, x.dtype)
    x3 = x.astype(ft, copy=False).reshape(n, c, -1)
    out = xp.zeros((n, c, found[0][0].shape[1]), ft)
    for lin, valid, w in found:             # (NaN weights times zeroed values: NaN, as torch)
        v = xp.take_along_axis(x3, lin[:, None, :], axis=2)
        if w is None:                           # nearest: weight 1
            out += xp.where(valid[:, None], v, 0)
        elif len(sizes) == 2:                   # torch's 2-D kernel: weight * zeroed value
            out += w[:, None] * xp.where(valid[:, None], v, 0)
        else:                                   # its 3-D kernel skips out-of-bounds taps
            out += xp.where(valid[:, None], w[:, None] * v, 0)
    return out.reshape(out_shape).astype(x.dtype, copy=False)


def _scatter(g, grid, orders, opts, sizes):
    """dx (N, C, *S_in) = the adjoint of _sample: scatter-add of W_k g onto idx_k."""
    with np.errstate(all="ignore"):
        return _scatter_quiet(g, grid, orders, opts, sizes)


def _scatter_quiet(g, grid, orders, opts, sizes):
    xp = array_module(g)
    n, c = g.shape[:2]
    length = int(np.prod(sizes))
    ft = _ft(g.dtype)
    found = _taps(grid, sizes, opts, orders)
    out = xp.zeros(n * c * length, np.float64)
    if found is not None and out.size and g.size:
        g3 = g.astype(ft, copy=False).reshape(n, c, -1)
        base = (xp.arange(n * c, dtype=np.int64) * length).reshape(n, c, 1)
        for lin, valid, w in found:
            term = g3 if w is None else w[:, None] * g3
            term = xp.where(valid[:, None], term, 0)
            idx = base + lin[:, None, :]
            out += xp.bincount(idx.ravel(), weights=term.ravel().astype(np.float64),
                               minlength=out.size)
    return out.reshape((n, c) + tuple(sizes)).astype(g.dtype, copy=False)


def _plus(orders, j):
    return orders[:j] + (orders[j] + 1,) + orders[j + 1:]


def _is_zero(orders, opts):
    return any(o > DEGREE[opts[0]] for o in orders)


def _grid_grad(g, x, grid, orders, opts):
    """dgrid[..., j] = sum over channels of g * S_{o + e_j}(x) (zeros where that is zero)."""
    from .shape import stack        # lazy: shape ops import the tensor module
    parts = []
    for j in range(len(orders)):
        o = _plus(orders, j)
        if _is_zero(o, opts):
            parts.append(None)
        else:
            parts.append((g * Sample.apply(x, grid, o, opts)).sum(1))
    if all(p is None for p in parts):
        xp = array_module(grid.data)
        return wrap(xp.zeros(grid.shape, grid.dtype))
    zero = next(p for p in parts if p is not None) * 0
    return stack([zero if p is None else p for p in parts], -1)


class Sample(Op):
    """y = S_o(x) at the grid's points; o (`orders`) differentiates the weights."""

    @staticmethod
    def forward(ctx, x, grid, orders, opts):
        ctx.args = orders, opts, x.shape[2:]
        ctx.save_for_backward(x, grid)
        return _sample(x, grid, orders, opts)

    @staticmethod
    def backward(ctx, g):
        x, grid = ctx.saved_tensors     # dx = S_o^T(g); dgrid_j = sum_c g S_{o+e_j}(x)
        orders, opts, sizes = ctx.args
        need_x, need_grid = ctx.needs_input_grad[:2]
        dx = SampleAdjoint.apply(g, grid, orders, opts, sizes) if need_x else None
        dgrid = _grid_grad(g, x, grid, orders, opts) if need_grid else None
        return dx, dgrid, None, None

    @staticmethod
    def jvp(ctx, tx, tgrid, *_):        # d y = S_o(dx) + sum_j dgrid_j S_{o+e_j}(x)
        x, grid = ctx.saved_tensors
        orders, opts, _ = ctx.args
        out = None if tx is None else Sample.apply(tx, grid, orders, opts)
        if tgrid is not None:
            for j in range(len(orders)):
                o = _plus(orders, j)
                if not _is_zero(o, opts):
                    term = tgrid[..., j].unsqueeze(1) * Sample.apply(x, grid, o, opts)
                    out = term if out is None else out + term
        return out if out is not None else wrap(array_module(x.data).zeros(
            (x.shape[0], x.shape[1]) + tuple(grid.shape[1:-1]), x.dtype))


class SampleAdjoint(Op):
    """dx = S_o^T(g): the scatter-add of the weighted g onto the input's pixels."""

    @staticmethod
    def forward(ctx, g, grid, orders, opts, sizes):
        ctx.args = orders, opts, sizes
        ctx.save_for_backward(g, grid)
        return _scatter(g, grid, orders, opts, sizes)

    @staticmethod
    def backward(ctx, a):
        g, grid = ctx.saved_tensors     # d/dg = S_o(a); d/dgrid_j = sum_c g S_{o+e_j}(a)
        orders, opts, _ = ctx.args
        need_g, need_grid = ctx.needs_input_grad[:2]
        dg = Sample.apply(a, grid, orders, opts) if need_g else None
        dgrid = _grid_grad(g, a, grid, orders, opts) if need_grid else None
        return dg, dgrid, None, None, None

    @staticmethod
    def jvp(ctx, tg, tgrid, *_):        # d S_o^T(g) = S_o^T(dg) + sum_j S_{o+e_j}^T(g dgrid_j)
        g, grid = ctx.saved_tensors
        orders, opts, sizes = ctx.args
        out = None if tg is None else SampleAdjoint.apply(tg, grid, orders, opts, sizes)
        if tgrid is not None:
            for j in range(len(orders)):
                o = _plus(orders, j)
                if not _is_zero(o, opts):
                    gj = g * tgrid[..., j].unsqueeze(1)
                    term = SampleAdjoint.apply(gj, grid, o, opts, sizes)
                    out = term if out is None else out + term
        return out


# ---- the public function ----------------------------------------------------------------------
def _warn_default():
    warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                  "old behavior is desired. See the documentation of grid_sample for details.",
                  stacklevel=3)


def _check(input, grid, mode):
    """torch's grid_sampler checks, in its order (shapes first, then dtypes)."""
    ishape, gshape = list(input.shape), list(grid.shape)
    if input.ndim == 0:
        raise IndexError("grid_sampler(): Dimension specified as 0 but tensor has no dimensions "
                         "(input is 0-d)")
    if grid.ndim == 0 or input.shape[0] != grid.shape[0]:
        if grid.ndim == 0:
            raise IndexError("grid_sampler(): Dimension specified as 0 but tensor has no "
                             "dimensions (grid is 0-d)")
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {ishape} and grid with sizes {gshape}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in "
                           f"last dimension, but got grid with sizes {gshape}")
    for i in range(2, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {ishape} with dimension {i} "
                               f"being empty")
    nd = 4 if input.ndim == 4 else 5
    if input.ndim != nd or grid.ndim != nd:
        raise RuntimeError(f"grid_sampler(): expected {nd}D input and grid with same number of "
                           f"dimensions, but got input with sizes {ishape} and grid with sizes "
                           f"{gshape}")
    if nd == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype.kind != "f":
        kernel = "grid_sampler_2d_cpu_kernel_impl" if nd == 4 else "grid_sampler3d_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{torch_name(input.dtype)}'")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {torch_name(input.dtype)} but found "
                           f"{torch_name(grid.dtype)}")


@autocast_op("grid_sample")
def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample input (N, C, H, W) at grid (N, H_out, W_out, 2) -> (N, C, H_out, W_out), or
    input (N, C, D, H, W) at grid (N, D_out, H_out, W_out, 3) (trilinear for 'bilinear');
    matches torch.nn.functional.grid_sample (every mode and padding, gradients wrt input and
    grid at any order)."""
    if mode not in _MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDINGS:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        _warn_default()
        align_corners = False
    need_tensor("grid_sampler", input, "input", 1)
    need_tensor("grid_sampler", grid, "grid", 2)
    need_bool("grid_sampler", align_corners, "align_corners", 5)
    _check(input, grid, mode)
    orders = (0,) * (input.ndim - 2)
    opts = (mode, padding_mode, align_corners)
    if input.dtype == np.float16:       # computed in float32, rounded once (as torch's opmath)
        return Sample.apply(input.float(), grid.float(), orders, opts).half()
    return Sample.apply(input, grid, orders, opts)
