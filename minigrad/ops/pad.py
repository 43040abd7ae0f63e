"""F.pad: constant padding (any number of trailing dims, negative amounts crop) and the
reflect/replicate/circular modes (1 to 3 trailing dims, as torch).

    constant   one Op; its adjoint is itself with the amounts negated (pad <-> crop), so
               the backward is a ConstantPad of the gradient and double backward is free.
    reflect, replicate, circular
               a gather through an index map built per padded dim (source of output
               position j is j - lo, then reflected, clamped or wrapped), so the gradient of
               every copy flows back to its source element through the indexing op.
`pad` is torch's order: (left, right) of the last dim first, then of the dim before it.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module, module_of_device
from .checks import need_float, need_tensor, type_name


def _crop_and_pad(xp, a, pad, value):
    """a padded by `pad` (torch's order; negative amounts cut instead)."""
    k = len(pad) // 2
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(k)][::-1]    # first padded dim first
    lead = a.ndim - k
    cut = (slice(None),) * lead + tuple(slice(max(-lo, 0), a.shape[lead + i] - max(-hi, 0))
                                        for i, (lo, hi) in enumerate(pairs))
    a = a[cut]
    widths = [(0, 0)] * lead + [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    if not any(w for pair_ in widths for w in pair_):
        return a.copy()
    return xp.pad(a, widths, constant_values=value)


class ConstantPad(Op):
    """y = x padded with `value` (or cropped where an amount is negative)."""

    @staticmethod
    def forward(ctx, x, pad, value):
        ctx.pad = pad
        return _crop_and_pad(array_module(x), x, pad, value)

    @staticmethod
    def backward(ctx, g):
        # dx = g with the padding taken off again (and zeros where x was cropped)
        return ConstantPad.apply(g, tuple(-p for p in ctx.pad), 0), None, None

    @staticmethod
    def jvp(ctx, tx, *_):       # the padding value is a constant: d pad(x, v) = pad(dx, 0)
        return ConstantPad.apply(tx, ctx.pad, 0)


def _source(xp, size, lo, hi, mode):
    """For each output position along one dim, the input position it copies."""
    if mode == "circular":          # torch crops first, then wraps within what is left
        start, kept = max(-lo, 0), size - max(-lo, 0) - max(-hi, 0)
        return start + xp.arange(-max(lo, 0), kept + max(hi, 0)) % max(kept, 1)
    j = xp.arange(-lo, size + hi)
    if mode == "replicate":
        return xp.clip(j, 0, size - 1)
    j = xp.abs(j)                                   # reflect about 0, then about size - 1
    return xp.where(j > size - 1, 2 * (size - 1) - j, j)


def _index_pad(x, pad, mode):
    xp = module_of_device(x)
    k = len(pad) // 2
    sizes = x.shape[x.ndim - k:]
    flat = xp.zeros((), xp.int64)
    for i, n in enumerate(sizes):                   # row-major flat index of each source
        src = _source(xp, n, pad[2 * (k - 1 - i)], pad[2 * (k - 1 - i) + 1], mode)
        flat = flat[..., None] * n + src
    return x.reshape(x.shape[:x.ndim - k] + (math.prod(sizes),))[
        (slice(None),) * (x.ndim - k) + (wrap(flat),)]


def _check_pad(pad):
    if not isinstance(pad, (list, tuple)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not "
                        f"{type_name(pad)}")
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, numbers.Integral):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but "
                            f"found element of type {type_name(p)} at pos {i}")
        if not -2**63 <= p < 2**63:
            raise TypeError(f"pad(): argument 'pad' (position 2): element {p} at pos {i} is "
                            "out of range for int64")
    return tuple(int(p) for p in pad)


def _check_mode(x, pad, mode):
    k = len(pad) // 2
    if not 1 <= k <= 3 or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: padding size {len(pad)} is not supported for {x.ndim}D input in mode "
            f"{mode!r}; supported: padding size 2 with a 2D or 3D input, 4 with 3D or 4D, "
            "6 with 4D or 5D")
    sizes = x.shape[x.ndim - k:]
    if mode != "circular" and x.dtype.kind == "b":
        raise NotImplementedError(f"pad: mode {mode!r} is not implemented for bool tensors")
    if mode != "circular" and 0 in x.shape[1 if x.ndim == k + 2 else 0:]:
        raise RuntimeError(f"pad: mode {mode!r} expects a tensor with possibly 0 batch size and "
                           f"other non-zero dimensions, but got input of shape "
                           f"{tuple(x.shape)}")
    for i, n in enumerate(sizes):
        lo, hi = pad[2 * (k - 1 - i)], pad[2 * (k - 1 - i) + 1]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"pad: mode 'reflect' needs padding smaller than the input "
                               f"dim, but got padding ({lo}, {hi}) at dim "
                               f"{x.ndim - k + i} of input {tuple(x.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError(f"pad: mode 'circular': padding ({lo}, {hi}) at dim "
                               f"{x.ndim - k + i} of input {tuple(x.shape)} would wrap "
                               "around more than once")
        kept = n - max(-lo, 0) - max(-hi, 0)
        if mode == "circular" and min(lo, hi) < 0 and (kept < 0 or kept < max(lo, hi)):
            # torch reads uninitialised memory (or fails) here: refuse instead
            raise RuntimeError(f"pad: mode 'circular' with cropping: padding ({lo}, {hi}) at "
                               f"dim {x.ndim - k + i} of input {tuple(x.shape)} wraps around "
                               f"more than the {max(kept, 0)} elements left after the crop")
        if mode != "circular" and n + lo + hi <= 0:
            raise RuntimeError(f"pad: input size {n} at dim {x.ndim - k + i} is too small for "
                               f"padding ({lo}, {hi}): the output size would be {n + lo + hi}")


def _fill_value(x, value):
    """value as x's dtype: ints truncate toward zero (as torch), and must fit."""
    if value is None:
        return 0
    if x.dtype.kind in "iu":
        info = np.iinfo(x.dtype)
        if not (math.isfinite(value) and info.min <= int(value) <= info.max):
            raise RuntimeError(f"pad: value {value} cannot be converted to type {x.dtype} "
                               "without overflow")
        return int(value)
    return bool(value) if x.dtype.kind == "b" else value


def _pad_policy(args, kwargs):
    """torch autocasts reflection_pad1d/2d and replication_pad1d/2d/3d to float32."""
    amounts = args[1] if len(args) > 1 else kwargs.get("pad", ())
    mode = args[2] if len(args) > 2 else kwargs.get("mode", "constant")
    dims = len(amounts) // 2 if isinstance(amounts, (list, tuple)) else 0
    if (mode, dims) in (("reflect", 1), ("reflect", 2)):
        return "pad_reflect"
    return "pad_replicate" if mode == "replicate" and dims in (1, 2, 3) else "pad"


@autocast_op("pad", _pad_policy)
def pad(input, pad, mode: str = "constant", value=None):
    """Pad the trailing dims of `input` (matches torch.nn.functional.pad).

    pad = (left, right) for the last dim, then for the dim before it, ...; negative amounts
    crop. mode 'constant' fills with value (default 0) on any number of dims; 'reflect',
    'replicate' and 'circular' pad 1 to 3 dims of a batched or unbatched input.
    """
    need_tensor("pad", input, "input", 1)
    amounts = _check_pad(pad)
    if not isinstance(mode, str):
        raise TypeError(f"pad(): argument 'mode' (position 3) must be str, not "
                        f"{type_name(mode)}")
    if value is not None:
        value = need_float("pad", value, "value", 4)
    if len(amounts) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {len(amounts)}")
    if len(amounts) > 2 * input.ndim:
        raise RuntimeError(f"pad: padding length should be at most two times the input "
                           f"dimension, but got padding length {len(amounts)} and input of "
                           f"dimension {input.ndim}")
    if mode == "constant":
        k = len(amounts) // 2
        for i, n in enumerate(input.shape[input.ndim - k:]):
            lo, hi = amounts[2 * (k - 1 - i)], amounts[2 * (k - 1 - i) + 1]
            if n + lo + hi < 0:
                raise RuntimeError(f"pad: padding ({lo}, {hi}) at dim {input.ndim - k + i} "
                                   f"makes the size {n} negative")
        return ConstantPad.apply(input, amounts, _fill_value(input, value))
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r}, expected "
                                  "'constant', 'reflect', 'replicate' or 'circular'")
    if value is not None and value != 0:
        raise RuntimeError(f"pad: padding mode {mode!r} doesn't take in value argument")
    _check_mode(input, amounts, mode)
    return _index_pad(input, amounts, mode)
