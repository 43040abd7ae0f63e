"""Memory formats (torch.contiguous_format, channels_last, channels_last_3d,
preserve_format): which strides a format means, whether a tensor has them, and the copy
that lays a tensor out in them (contiguous(memory_format=), clone, to, *_like).

A format only changes the order of the elements in memory, never a value: minigrad's ops
accept any strides, and lay out their results as NumPy does (which for convolutions is not
always torch's channels_last), so stride() of an op's result can differ from torch's.
Strides below are counted in elements, as torch's."""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from ..backend import array_module
from ..forward_ad import linear


class memory_format:                    # noqa: N801  (torch.memory_format's name)
    """A memory format (torch.memory_format); compare with `is`."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):                   # (one object per format, also after pickling)
        return self.name


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")
_RANK = {channels_last: 4, channels_last_3d: 5}


def check(fn, fmt, allow_none=False):
    """The memory_format argument of `fn`, or torch's TypeError."""
    if fmt is None and allow_none:
        return preserve_format
    if not isinstance(fmt, memory_format):
        raise TypeError(f"{fn}(): argument 'memory_format' must be torch.memory_format, not "
                        f"{type(fmt).__name__}")
    return fmt


def check_rank(fmt, ndim):
    rank = _RANK.get(fmt)
    if rank is not None and ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt.name} format")


def strides_of(a):
    """a's strides in elements. NumPy 2 gives a fresh empty array 0 strides: those read as
    the contiguous strides torch gives it."""
    if a.size == 0 and not any(a.strides):
        return format_strides(a.shape, contiguous_format)
    return tuple(s // a.itemsize for s in a.strides)


def format_strides(shape, fmt):
    """The strides of a fresh tensor of this shape in format fmt (torch's formulas)."""
    n = len(shape)
    if fmt is channels_last or fmt is channels_last_3d:
        order = (1,) + tuple(range(n - 1, 1, -1)) + (0,)    # C fastest, then W, H, (D), N
        st, acc = [0] * n, 1
        for d in order:
            st[d], acc = acc, acc * shape[d]
        return tuple(st)
    st, acc = [0] * n, 1
    for d in range(n - 1, -1, -1):
        st[d], acc = acc, acc * max(shape[d], 1)
    return tuple(st)


def is_contiguous(a, fmt):
    """torch's is_contiguous(memory_format=fmt): for channels_last the strides C, W, H, N
    grow as the dense layout's, ignoring dims of size 1."""
    if fmt is contiguous_format or fmt is preserve_format:
        return bool(a.flags.c_contiguous)
    if a.ndim != _RANK[fmt]:
        return False
    st, expected = strides_of(a), 1
    for d in (1,) + tuple(range(a.ndim - 1, 1, -1)) + (0,):
        if a.shape[d] != 1:
            if st[d] != expected:
                return False
            expected *= a.shape[d]
    return True


def suggest(a):
    """torch's suggest_memory_format: channels_last(_3d) where a's strides look so."""
    if a.ndim in (4, 5):
        order = (1,) + tuple(range(a.ndim - 1, 1, -1)) + (0,)
        st, low = strides_of(a), 0
        if st[1] != 0:
            for d in order:
                if a.shape[d] == 0 or st[d] < low or (d == 0 and low == st[1]):
                    break
                low = st[d] * (a.shape[d] if a.shape[d] > 1 else 1)
            else:
                return channels_last if a.ndim == 4 else channels_last_3d
    return contiguous_format


def _non_overlapping_and_dense(shape, st):
    if any(s < 0 for s in st):
        return False
    perm = sorted(range(len(shape)), key=lambda d: (shape[d] < 2, st[d]))
    need = 1
    for d in perm:
        if shape[d] < 2:
            return True
        if st[d] != need:
            return False
        need *= shape[d]
    return True


def _dense_strides_like(shape, st):
    """torch's infer_dense_strides: a dense layout with the dims in the order of st (an
    insertion sort where 0 strides and ties of equal size keep their places)."""
    n = len(shape)
    st = [abs(s) for s in st]               # (NumPy's negative strides: flip's views)
    perm = list(range(n - 1, -1, -1))       # innermost first

    def should_swap(d0, d1):
        if st[d0] == 0 or st[d1] == 0:
            return 0
        if st[d0] != st[d1]:
            return -1 if st[d0] < st[d1] else 1
        return 1 if shape[d0] > shape[d1] else 0

    for i in range(1, n):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    out, acc = [0] * n, 1
    for d in perm:
        out[d], acc = acc, acc * max(shape[d], 1)
    return tuple(out)


def like_strides(a, fmt):
    """Strides of a new tensor like `a` in format fmt; preserve_format keeps a's strides when
    they are dense and non-overlapping, else orders the dims as a's (torch's empty_like)."""
    if fmt is not preserve_format:
        return format_strides(a.shape, fmt)
    st = strides_of(a)
    if _non_overlapping_and_dense(a.shape, st):
        return st
    return _dense_strides_like(a.shape, st)


def empty_strided(xp, shape, strides, dtype):
    """An uninitialised array with these (non-negative, dense) element strides."""
    n = 1 + sum((s - 1) * t for s, t in zip(shape, strides)) if all(shape) else 0
    buf = xp.empty(max(n, 0), dtype)
    isz = buf.itemsize
    return xp.lib.stride_tricks.as_strided(buf, tuple(shape), tuple(t * isz for t in strides))


def copy_as(a, strides, dtype=None):
    """A copy of array a (cast to dtype) with these element strides."""
    out = empty_strided(array_module(a), a.shape, strides, a.dtype if dtype is None else dtype)
    out[...] = a
    return out


class CopyAs(Op):
    """A copy of x with the given strides (clone/contiguous/to with a memory format)."""

    @staticmethod
    def forward(ctx, x, strides):
        return copy_as(x, strides)

    @staticmethod
    def backward(ctx, g):
        return g                            # dx = dy (a copy)

    jvp = linear


def relayout(x, fmt):
    """x copied into format fmt (preserve_format: x's own layout, made dense)."""
    return CopyAs.apply(x, like_strides(x.data, fmt))


__all__ = ["memory_format", "contiguous_format", "channels_last", "channels_last_3d",
           "preserve_format", "np"]
