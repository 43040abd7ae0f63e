"""Copying rearrangements: repeat, tile, repeat_interleave, roll, flip, fliplr, flipud, rot90.

Each result is new memory (as torch's). The backward of each is its adjoint, written with
another op here, so every one is differentiable any number of times:
    repeat:            dx = sum of the tiles of dy          (reshape, then sum the copy dims)
    repeat_interleave: dx[i] = sum of dy over i's copies    (TakeBackward: add.at)
    roll:              dx = roll(dy, -shifts)
    flip:              dx = flip(dy)
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module, module_of_device
from ..forward_ad import linear
from .checks import need_tensor
from .index import _add_at
from .shape import Permute, normalize_dim, normalize_dims
from .split import as_int, int_tuple, is_tensor


class Repeat(Op):
    """x (left-padded with size-1 dims) tiled reps[i] times along dim i."""

    @staticmethod
    def forward(ctx, x, reps):
        ctx.in_shape, ctx.reps = x.shape, reps
        ctx.padded = (1,) * (len(reps) - x.ndim) + x.shape
        return array_module(x).tile(x.reshape(ctx.padded), reps)

    @staticmethod
    def backward(ctx, g):
        # dx = sum over the copies: view dy as (r0, s0, r1, s1, ...) and sum the r dims
        if not ctx.reps:
            return g, None
        split = tuple(v for r, s in zip(ctx.reps, ctx.padded) for v in (r, s))
        summed = g.reshape(split).sum(dim=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.in_shape), None

    jvp = linear                # d repeat(x) = repeat(dx)


def _sizes(args, op, name):
    """f(x, 2, 3) or f(x, (2, 3)) as (2, 3)."""
    if len(args) == 1:
        return int_tuple(args[0], op, name)
    return tuple(as_int(a, op, name) for a in args)


def _check_reps(x, reps, op):
    if any(r < 0 for r in reps):
        raise RuntimeError(f"{op}: repeats must be non-negative, got {list(reps)} (trying to "
                           "create a tensor with a negative dimension)")


def repeat(input, *repeats):
    """input tiled repeats[i] times along dim i (len(repeats) >= input.ndim; extra leading
    dims are new). Matches torch.Tensor.repeat."""
    need_tensor("repeat", input, "input", 1)
    if not repeats:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = _sizes(repeats, "repeat", "repeats")
    if len(reps) < input.ndim:
        raise RuntimeError("repeat: number of dimensions of repeat dims can not be smaller "
                           f"than number of dimensions of tensor ({len(reps)} < {input.ndim})")
    _check_reps(input, reps, "repeat")
    return Repeat.apply(input, reps)


def tile(input, dims):
    """input tiled dims[i] times along dim i; a short dims is left-padded with ones.
    Matches torch.tile."""
    need_tensor("tile", input, "input", 1)
    if not isinstance(dims, (list, tuple)):
        raise TypeError(f"tile(): argument 'dims' must be a tuple of ints, not "
                        f"{type(dims).__name__}")
    reps = int_tuple(dims, "tile", "dims")
    reps = (1,) * (input.ndim - len(reps)) + reps
    _check_reps(input, reps, "tile")
    return Repeat.apply(input, reps)


class Take(Op):
    """x's entries idx[0], idx[1], ... along dim (index_select)."""

    @staticmethod
    def forward(ctx, x, dim, idx):
        ctx.dim, ctx.idx, ctx.n = dim, idx, x.shape[dim]
        return array_module(x).take(x, idx, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return TakeBackward.apply(g, ctx.dim, ctx.idx, ctx.n), None, None

    jvp = linear                # d take(x) = take(dx)


class TakeBackward(Op):
    """dx[i] = sum of g at the positions k with idx[k] == i, along dim; its adjoint is Take."""

    @staticmethod
    def forward(ctx, g, dim, idx, n):
        ctx.dim, ctx.idx = dim, idx
        xp = array_module(g)
        shape = g.shape[:dim] + (n,) + g.shape[dim + 1:]
        out = xp.zeros(shape, g.dtype)
        _add_at(xp, xp.moveaxis(out, dim, 0), idx, xp.moveaxis(g, dim, 0))
        return out

    @staticmethod
    def backward(ctx, gg):
        return Take.apply(gg, ctx.dim, ctx.idx), None, None, None

    jvp = linear                # linear in g


def _repeats_of(repeats, n, op):
    """The per-entry repeat counts (a host NumPy int array of length n) of an int or an
    integer tensor (0-d, one element or n elements)."""
    if is_tensor(repeats):
        if repeats.dtype.kind not in "iu":
            raise NotImplementedError(f"{op}: repeats must be an integer tensor, got "
                                      f"{repeats.dtype}")
        if repeats.ndim > 1:
            raise RuntimeError(f"{op}: repeats must be 0-d or 1-D, got shape "
                               f"{tuple(repeats.shape)}")
        reps = np.asarray(repeats.tolist(), dtype=np.int64).reshape(-1)
        if reps.size not in (1, n):
            raise RuntimeError(f"{op}: repeats must have the same size as input along dim, "
                               f"but got repeats.size(0) = {reps.size} and input.size = {n}")
        if (reps < 0).any():
            raise RuntimeError(f"{op}: repeats can not be negative")
        return np.broadcast_to(reps, (n,))
    r = as_int(repeats, op, "repeats")
    if r < 0:
        raise RuntimeError(f"{op}: repeats must be non-negative, got {r}")
    return np.full(n, r, np.int64)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each entry along dim repeated repeats[i] times (dim=None: of the flattened input).
    With only an integer 1-D tensor, the indices arange(n) repeated that many times.
    Matches torch.repeat_interleave."""
    need_tensor("repeat_interleave", input, "input", 1)
    op = "repeat_interleave"
    xp = module_of_device(input)
    if repeats is None:                     # repeat_interleave(counts) -> indices
        if input.dtype.kind not in "iu":
            raise NotImplementedError(f"{op}: repeats must be an integer tensor, got "
                                      f"{input.dtype}")
        if input.ndim != 1:
            raise RuntimeError(f"{op}: only accepts a 1-D integer tensor as repeats, got "
                               f"{input.ndim}-D {input.dtype}")
        reps = _repeats_of(input, input.shape[0], op)
        out = np.repeat(np.arange(reps.size, dtype=input.dtype), reps)
        _check_size(output_size, out.size, op)
        return wrap(xp.asarray(out))
    if dim is None:
        input, d = input.reshape(-1), 0
    elif input.ndim == 0:
        raise IndexError(f"{op}: dim {dim} is out of range for a 0-d input")
    else:
        d = normalize_dim(dim, input.ndim, op)
    n = input.shape[d]
    reps = _repeats_of(repeats, n, op)
    _check_size(output_size, int(reps.sum()), op)
    idx = xp.asarray(np.repeat(np.arange(n), reps))
    return Take.apply(input, d, idx)


def _check_size(output_size, total, op):
    if output_size is not None and as_int(output_size, op, "output_size") != total:
        raise RuntimeError(f"{op}: invalid output_size, expected {total} but got "
                           f"{output_size}")


class Roll(Op):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return array_module(x).roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, g):
        # dx = roll(dy, -shifts)
        return Roll.apply(g, tuple(-s for s in ctx.shifts), ctx.dims), None, None

    jvp = linear                # d roll(x) = roll(dx)


def roll(input, shifts, dims=None):
    """input shifted cyclically by shifts[i] along dims[i] (dims=None: flattened, then the
    shape restored). Matches torch.roll."""
    need_tensor("roll", input, "input", 1)
    shifts = int_tuple(shifts, "roll", "shifts")
    if dims is None:
        dims = ()
    elif input.ndim == 0:
        raise IndexError("roll: dimension specified as 0 but tensor has no dimensions")
    dims = tuple(normalize_dim(d, input.ndim, "roll") for d in int_tuple(dims, "roll", "dims"))
    if not shifts:
        raise RuntimeError("roll: `shifts` required")
    if len(shifts) != len(dims) and not (not dims and len(shifts) == 1):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims: {len(dims)}")
    return Roll.apply(input, shifts, dims or None)


class Flip(Op):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return array_module(x).flip(x, axis=dims).copy() if dims else x.copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dims), None

    jvp = linear                # d flip(x) = flip(dx)


def flip(input, dims):
    """input reversed along each of dims (a copy). Matches torch.flip."""
    need_tensor("flip", input, "input", 1)
    if not isinstance(dims, (list, tuple)):
        raise TypeError(f"flip(): argument 'dims' must be a tuple of ints, not "
                        f"{type(dims).__name__}")
    dims = int_tuple(dims, "flip", "dims")
    return Flip.apply(input, normalize_dims(dims, input.ndim, "flip"))


def fliplr(input):
    """input reversed along dim 1 (needs >= 2 dims). Matches torch.fliplr."""
    need_tensor("fliplr", input, "input", 1)
    if input.ndim < 2:
        raise RuntimeError(f"fliplr: input must be >= 2-d, got {input.ndim}-d")
    return Flip.apply(input, (1,))


def flipud(input):
    """input reversed along dim 0 (needs >= 1 dim). Matches torch.flipud."""
    need_tensor("flipud", input, "input", 1)
    if input.ndim < 1:
        raise RuntimeError("flipud: input must be >= 1-d, got a 0-d tensor")
    return Flip.apply(input, (0,))


def rot90(input, k=1, dims=(0, 1)):
    """input rotated by k * 90 degrees in the plane of dims, from dims[0] towards dims[1].
    Matches torch.rot90."""
    need_tensor("rot90", input, "input", 1)
    k = as_int(k, "rot90", "k")
    dims = int_tuple(dims, "rot90", "dims")
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = "
                           f"{len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (normalize_dim(d, input.ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = "
                           f"{dims[0]} and dim1 = {dims[1]}")
    k %= 4
    if k == 2:
        return Flip.apply(input, tuple(sorted((d0, d1))))
    if k == 0:
        return Flip.apply(input, ())            # a copy, as torch's clone
    perm = list(range(input.ndim))
    perm[d0], perm[d1] = d1, d0
    return Permute.apply(Flip.apply(input, (d1 if k == 1 else d0,)), tuple(perm))
