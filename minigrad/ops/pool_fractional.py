"""Fractional max pooling (Graham, 2014), 2-D and 3-D: max over k-sized windows whose starts
follow a pseudo-random sequence drawn from one sample u in [0, 1) per (n, c) plane and
spatial dim. For input size L, output size O and kernel k, with alpha = (L - k) / (O - 1):

    start[i] = int((i + u) * alpha) - int(u * alpha)   (i < O - 1),   start[O - 1] = L - k

computed in the input's dtype as torch's CPU kernel does, so the same samples give the same
windows. Indices and the backward are max pooling's (pool.py: per-plane flat indices, a
scatter-add backward whose backward is a gather).
"""
from __future__ import annotations

import math

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op
from ..backend import array_module
from .arith import torch_name
from .checks import need_int, need_optional_tensor, need_tensor, not_differentiable
from .pool import MaxPoolBackward, max_taps, pick

_SIDES = {2: ("height", "width"), 3: ("time", "height", "width")}


def intervals(xp, u, size, out, k, op="fractional_max_pool"):
    """Window starts (..., out) for samples u (...) of a float dtype: torch's
    generate_intervals, every step rounded to u's dtype."""
    seq = xp.empty(u.shape + (out,), xp.int64)
    if out > 1:
        t = u.dtype.type
        alpha = t(size - k) / t(out - 1)
        i = xp.arange(out - 1).astype(u.dtype)
        hi, lo = (i + u[..., None]) * alpha, u * alpha
        if hi.size and max(float(xp.abs(hi).max()), float(xp.abs(lo).max())) >= 2**31:
            # torch's int casts overflow (undefined windows): refuse such samples
            raise RuntimeError(f"{op}: _random_samples too large (windows would overflow; "
                               "samples should lie in [0, 1))")
        seq[..., :-1] = hi.astype(xp.int64) - lo.astype(xp.int64)[..., None]   # truncation
    if out > 0:
        seq[..., -1] = size - k
    return seq


class FractionalMaxPool(Op):
    """(values, plane indices) of the maxima of x (N, C, *spatial) over the windows that
    samples (N', C, nd) pick; torch's scan order and tie-breaking (pool.max_taps)."""

    @staticmethod
    def forward(ctx, x, samples, kernel, out):
        xp = array_module(x)
        n, c = x.shape[:2]
        size = x.shape[2:]
        nd = len(size)
        # torch reads the samples in reverse for 2-D (u[0] is the width's), in order for 3-D
        dims = (1, 0) if nd == 2 else (0, 1, 2)
        plane = [math.prod(size[j + 1:]) for j in range(nd)]          # in-plane strides
        base = 0
        for j in range(nd):
            op = f"fractional_max_pool{nd}d"
            start = intervals(xp, samples[:n, :, dims[j]], size[j], out[j], kernel[j], op)
            if start.size and (start.min() < 0 or start.max() > size[j] - kernel[j]):
                raise RuntimeError(f"{op}: _random_samples give windows outside the input "
                                   "(samples should lie in [0, 1))")
            shape = [n, c] + [1] * nd
            shape[2 + j] = out[j]
            base = base + (start * plane[j]).reshape(shape)           # (N, C, *out)
        flat = x.reshape(n, c, math.prod(size))     # not -1: n may be 0
        offsets, taps = [], []
        for tap in np.ndindex(*kernel):                               # row-major scan
            index = base + sum(t * a for t, a in zip(tap, plane))
            offsets.append(index)
            taps.append(xp.take_along_axis(flat, index.reshape(n, c, math.prod(out)), 2)
                        .reshape(index.shape))
        val, idx = max_taps(xp, xp.stack(taps), offsets)
        ctx.indices, ctx.in_shape = idx, x.shape
        ctx.mark_non_differentiable(idx)
        return val, idx

    @staticmethod
    def backward(ctx, g, _):
        # dx = the gradient scattered to the chosen elements (as max pooling)
        return MaxPoolBackward.apply(g, ctx.indices, ctx.in_shape), None, None, None

    @staticmethod
    def jvp(ctx, tx, *_):       # d max = the tangent of the element that won
        return pick(tx, ctx.indices), None


def _sizes(v, nd, name, op):
    """kernel_size / output_size: an int or a sequence of nd ints (torch's IntArrayRef)."""
    items = tuple(v) if isinstance(v, (list, tuple)) else (v,) * nd
    try:
        items = tuple(need_int(op, a, name, 2 if name == "kernel_size" else 3) for a in items)
    except TypeError:
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not "
                        f"{type(v).__name__}") from None
    if len(items) != nd:
        what = "Ints" if nd == 2 else "three Ints"
        raise RuntimeError(f"{op}: {name} must either be a single Int or tuple of {what}")
    return items


def _ratio_size(input, nd, output_ratio, op):
    """output_size from output_ratio as torch's Python wrapper: int(size * ratio) per dim
    (2-D asks for a sequence of at most two, 3-D repeats a number three times)."""
    if nd == 2:
        if not isinstance(output_ratio, (list, tuple)):
            raise TypeError(f"{op}: output_ratio must be a tuple of two floats, got "
                            f"{output_ratio!r} (torch: object of type "
                            f"'{type(output_ratio).__name__}' has no len())")
        if len(output_ratio) > 2:
            raise ValueError(f"{op} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
    r = tuple(output_ratio) if isinstance(output_ratio, (list, tuple)) else (output_ratio,) * nd
    if len(r) < nd:
        raise IndexError(f"{op}: output_ratio needs {nd} values, got {output_ratio!r}")
    out = []
    for j in range(nd):
        try:
            out.append(int(input.shape[j - nd] * r[j]))
        except (TypeError, ValueError):
            raise TypeError(f"{op}: output_ratio must hold numbers, got "
                            f"{output_ratio!r}") from None
    return out


def fractional_max_pool(nd, input, kernel_size, output_size, output_ratio, _random_samples):
    """The checks of torch's Python wrapper and C++ kernel, in its order, then the Op."""
    op = f"fractional_max_pool{nd}d"
    need_tensor(op, input, "input", 1)
    need_optional_tensor(op, _random_samples, "random_samples", 4)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        output_size = _ratio_size(input, nd, output_ratio, op)
    samples = _random_samples
    if samples is None and input.dtype.kind != "f":
        raise NotImplementedError(f"{op}: \"check_uniform_bounds\" not implemented for "
                                  f"'{torch_name(input.dtype)}' (needs a float input)")
    k = _sizes(kernel_size, nd, "kernel_size", op)
    out = _sizes(output_size, nd, "output_size", op)
    where = op + ("()" if nd == 2 else "_out()")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    for j in range(1, input.ndim):
        if input.shape[j] == 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch "
                               f"dimensions, but got{list(input.shape)} with dimension {j} "
                               "being empty.")
    if min(k) <= 0:     # torch reads outside the plane (undefined values and indices)
        raise RuntimeError(f"{op}: kernel_size must be greater than 0, but got {k}")
    for side, o, kk, n in zip(_SIDES[nd], out, k, input.shape[-nd:]):
        if o + kk - 1 > n - (nd == 3):      # torch's 3-D check is strict (<), 2-D's is <=
            raise RuntimeError(f"{where}: pool {side} {kk} too large relative to input "
                               f"{side} {n}")
    if min(out) < 0:
        lead = list(input.shape[:-nd])
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension "
                           f"{min(out)}: {lead + list(out)}")
    unbatched = input.ndim == nd + 1
    batch, chans = (1, input.shape[0]) if unbatched else input.shape[:2]
    if samples is None:
        from ..creation import rand     # lazy: creation imports the ops package
        samples = rand(batch, chans, nd, dtype=input.dtype, device=input.device)
    _check_samples(op, nd, input, samples, batch, chans)
    x = input.unsqueeze(0) if unbatched else input
    val, idx = FractionalMaxPool.apply(x, samples, k, tuple(out))
    return (val.squeeze(0), idx.squeeze(0)) if unbatched else (val, idx)


def _check_samples(op, nd, input, samples, batch, chans):
    """torch's fractional_max_pool_check_shape, then its float-only dispatch."""
    not_differentiable(samples, "random_samples", op)
    if samples.dtype != input.dtype:
        raise RuntimeError(f"{op}: Expect _random_samples to have the same dtype as input "
                           f"(got {samples.dtype} and {input.dtype})")
    if samples.ndim != 3:
        raise RuntimeError(f"{op}: Expect _random_samples to have 3 dimensions, got "
                           f"{samples.ndim}")
    if samples.shape[0] < batch:
        raise RuntimeError(f"{op}: Expect _random_samples.size(0) no less then input batch "
                           f"size. (got {samples.shape[0]} < {batch})")
    if samples.shape[1] != chans:
        raise RuntimeError(f"{op}: Expect _random_samples.size(1) equals to input channel "
                           f"size. (got {samples.shape[1]} != {chans})")
    if samples.shape[2] != nd:
        raise RuntimeError(f"{op}: Expect _random_samples.size(2) equals to {nd}; got "
                           f"{samples.shape[2]}.")
    if samples.device != input.device:
        raise RuntimeError(f"{op}: _random_samples is on {samples.device}, input on "
                           f"{input.device}")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"\"{op}_out_frame\" not implemented for "
                                  f"'{torch_name(input.dtype)}'")


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """(values, int64 indices) of 2-D fractional max pooling over (N, C, H, W) or (C, H, W)
    (matches torch.nn.functional.fractional_max_pool2d_with_indices); _random_samples
    (N, C, 2) in the input's dtype fixes the windows (u[..., 0] the width's, u[..., 1] the
    height's), else they are drawn from minigrad's generator."""
    return fractional_max_pool(2, input, kernel_size, output_size, output_ratio,
                               _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """(values, int64 indices) of 3-D fractional max pooling over (N, C, T, H, W) or
    (C, T, H, W) (matches torch.nn.functional.fractional_max_pool3d_with_indices);
    _random_samples (N, C, 3): time, height, width."""
    return fractional_max_pool(3, input, kernel_size, output_size, output_ratio,
                               _random_samples)


@autocast_op("fractional_max_pool2d")
def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """2-D fractional max pooling (matches torch.nn.functional.fractional_max_pool2d); with
    return_indices also the flat in-plane index (h * W + w) of each maximum."""
    r = fractional_max_pool(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]      # torch: any truthy return_indices


@autocast_op("fractional_max_pool3d")
def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """3-D fractional max pooling (matches torch.nn.functional.fractional_max_pool3d); with
    return_indices also the flat in-plane index ((t * H + h) * W + w) of each maximum."""
    r = fractional_max_pool(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]      # torch: any truthy return_indices
