"""as_strided, as_strided_scatter, empty_strided: views given by (size, stride, storage offset)
over a tensor's memory, in elements, as torch's.

A tensor's "storage" here is the array that owns its memory, read as one flat run of elements
in memory order; storage offsets and strides count in that run. The gradient of as_strided is
torch's: each view element's gradient goes to the memory position it reads, summed over view
elements that overlap, then read back at the input's own positions (divided by how many input
elements share a position, when the input overlaps itself).
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Op, is_grad_enabled, wrap
from ..backend import array_module
from ..forward_ad import linear
from .checks import need_ints, need_optional_int, need_tensor


def _flat_storage(a):
    """(storage as a 1-D array of a's dtype in memory order, a's offset in it, a's strides),
    all in elements; None for a with negative strides (torch never has those)."""
    from ..storage import storage_of
    root = storage_of(a)
    xp = array_module(a)
    if any(s < 0 for s, n in zip(a.strides, a.shape) if n > 1) or not isinstance(root, xp.ndarray) \
            or any(s < 0 for s, n in zip(root.strides, root.shape) if n > 1):
        return None
    if root.flags.c_contiguous or root.flags.f_contiguous:
        flat = root.reshape(-1, order="A")
    else:                           # an owner laid out in another dim order (x.t() * 1)
        span = 0 if root.size == 0 else 1 + sum((n - 1) * s for n, s in zip(
            root.shape, root.strides)) // root.itemsize
        flat = xp.lib.stride_tricks.as_strided(root, (span,), (root.itemsize,))
    if flat.dtype != a.dtype:
        if flat.nbytes % a.itemsize:
            return None
        flat = flat.view(np.uint8).view(a.dtype)
    isz = a.itemsize
    off = (_address(a) - _address(flat)) // isz
    return flat, off, tuple(s // isz for s in a.strides)


def _address(a):
    return a.__array_interface__["data"][0] if isinstance(a, np.ndarray) else a.data.ptr


def _needed(size, stride, offset):
    """Elements of storage the view (size, stride, offset) reaches (torch's setStorage rule)."""
    if any(n == 0 for n in size):
        return 0
    return offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))


def _bounds(op, size, stride, offset, have, itemsize):
    if offset < 0:
        raise RuntimeError(f"{op}: Tensor: invalid storage offset {offset}")
    need = _needed(size, stride, offset)
    if need > have:
        raise RuntimeError(f"{op}: setStorage: sizes {list(size)}, strides {list(stride)}, "
                           f"storage offset {offset}, and itemsize {itemsize} requiring a storage "
                           f"size of {need * itemsize} are out of bounds for storage of size "
                           f"{have * itemsize}")


def view_of(flat, size, stride, offset):
    """The view (size, stride, offset) of the 1-D array flat (bounds already checked)."""
    isz = flat.itemsize
    if isinstance(flat, np.ndarray):
        return np.ndarray(size, flat.dtype, buffer=flat, offset=offset * isz,
                          strides=tuple(s * isz for s in stride))
    xp = array_module(flat)
    return xp.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * isz for s in stride))


def _same_layout(shape, strides, want):
    return all(s == w for n, s, w in zip(shape, strides, want) if n > 1)


class AsStrided(Op):
    """The view (size, stride) starting `rel` elements after the input's first one, for an
    input laid out with strides `in_strides`. An input laid out otherwise (a gradient, when
    the view is replayed) is first copied into that layout: the result is then not a view."""
    view_of_input = True

    @staticmethod
    def forward(ctx, x, size, stride, rel, in_strides):
        ctx.geom = (x.shape, in_strides, size, stride, rel)
        got = _flat_storage(x)
        if got is not None and _same_layout(x.shape, got[2], in_strides):
            flat, off, _ = got
            _bounds("as_strided", size, stride, off + rel, flat.size, x.itemsize)
            return view_of(flat, size, stride, off + rel)
        xp = array_module(x)
        lo = min(rel, 0)               # the copy starts where the first of both starts
        n = max(_needed(x.shape, in_strides, -lo), _needed(size, stride, rel - lo))
        flat = xp.zeros(n, x.dtype)
        view_of(flat, x.shape, in_strides, -lo)[...] = x
        return view_of(flat, size, stride, rel - lo).copy()

    @staticmethod
    def backward(ctx, g):
        shape, in_strides, size, stride, rel = ctx.geom
        pv, px = _positions(size, stride, rel), _positions(shape, in_strides, 0)
        return Remap.apply(g, pv, px, shape, _overlap_weight(px)), None, None, None, None

    jvp = linear


def _positions(size, stride, offset):
    """Memory position (elements) of every element of the view, as an int64 array."""
    pos = np.full(size, offset, np.int64)
    for d, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = n
        pos = pos + (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return pos


def _overlap_weight(px):
    """1 / (input elements sharing each input element's position), or None: no overlap."""
    if px.size == 0:
        return None
    _, inverse, counts = np.unique(px.ravel(), return_inverse=True, return_counts=True)
    if counts.max() == 1:
        return None
    return (1.0 / counts[inverse]).reshape(px.shape)


class Remap(Op):
    """out[j] = w[j] * sum of a[i] over i with src[i] == dst[j] (positions in memory): the
    gradient of as_strided. Its adjoint is the same map the other way round."""

    @staticmethod
    def forward(ctx, a, src, dst, shape, w):
        ctx.args = (src, dst, a.shape, w)
        xp = array_module(a)
        lo = int(min(src.min(initial=0), dst.min(initial=0)))
        hi = int(max(src.max(initial=0), dst.max(initial=0)))
        mem = xp.zeros(hi - lo + 1, a.dtype)
        if a.size:
            idx = backend.to_device(src.ravel() - lo, backend.device_of(a))
            xp.add.at(mem, idx, a.ravel())
        out = mem[backend.to_device(dst - lo, backend.device_of(a))].reshape(shape)
        if w is not None:
            out = out * backend.to_device(w, backend.device_of(a)).astype(a.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        src, dst, a_shape, w = ctx.args
        if w is not None:
            g = g * wrap(backend.to_device(w.astype(g.dtype), g.device))
        return Remap.apply(g, dst, src, a_shape, None), None, None, None, None

    jvp = linear


def _geometry_args(op, input, size, stride, storage_offset):
    need_tensor(op, input, "input", 1)
    size = need_ints(op, size, "size", 2)
    stride = need_ints(op, stride, "stride", 3)
    storage_offset = need_optional_int(op, storage_offset, "storage_offset", 4)
    if len(size) != len(stride):
        raise RuntimeError(f"{op}: mismatch in length of strides and shape (size {list(size)}, "
                           f"stride {list(stride)})")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"{op}: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    if any(n < 0 for n in size):
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension "
                           f"{min(size)}: {list(size)}")
    return size, stride, storage_offset


def strided_args(op, input, size, stride, storage_offset):
    """AsStrided's arguments for input.as_strided(size, stride, storage_offset) (an absolute
    offset in input's storage; None: input's own), checked as torch checks them."""
    size, stride, storage_offset = _geometry_args(op, input, size, stride, storage_offset)
    got = _flat_storage(input.data)
    if got is None:
        raise RuntimeError(f"{op}: the input's memory is laid out with negative strides (a "
                           "flip() view here; torch's flip makes a copy): clone() it first")
    flat, off, strides = got
    offset = off if storage_offset is None else storage_offset
    _bounds(op, size, stride, offset, flat.size, input.itemsize)
    return size, stride, offset - off, strides


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's memory with the given size, stride and storage offset (elements;
    the offset is absolute in the storage, default input's own). Matches torch.as_strided."""
    return AsStrided.apply(input, *strided_args("as_strided", input, size, stride,
                                                storage_offset))


class AsStridedScatter(Op):
    """A copy of x with x's own strides (`in_strides`, over a fresh storage from offset 0,
    as torch 2.13 lays it out) whose view (size, stride, offset) of that storage is set to
    src. Backward: x gets g with the region cleared, src gets g's region."""

    @staticmethod
    def forward(ctx, x, src, size, stride, offset, in_strides):
        ctx.args = (size, stride, offset, in_strides)
        flat = array_module(x).zeros(_needed(x.shape, in_strides, 0), x.dtype)
        out = view_of(flat, x.shape, in_strides, 0)
        out[...] = x
        _bounds("as_strided_scatter", size, stride, offset, flat.size, x.itemsize)
        region = view_of(flat, size, stride, offset)
        if region.shape != src.shape:
            raise RuntimeError(f"as_strided_scatter: expected src to have a size equal to the "
                               f"slice of self. src size = {list(src.shape)}, slice size = "
                               f"{list(region.shape)}")
        region[...] = src
        return out

    @staticmethod
    def backward(ctx, g):
        size, stride, offset, in_strides = ctx.args
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            zeros = wrap(array_module(g.data).zeros(size, g.dtype))
            gx = AsStridedScatter.apply(g, zeros, size, stride, offset, in_strides)
        if ctx.needs_input_grad[1]:
            gsrc = AsStrided.apply(g, size, stride, offset, in_strides)
        return gx, gsrc, None, None, None, None

    jvp = linear


def _scatter_strides(x):
    """The strides of as_strided_scatter's result: x's own, or contiguous ones where x's
    elements overlap or run backwards (an expand()ed or flip()ped minigrad view)."""
    st = _strides_of(x)
    live = [(s, n) for s, n in zip(st, x.shape) if n > 1]
    if any(s <= 0 for s, _ in live) or len({s for s, _ in live}) < len(live):
        out, step = [], 1
        for n in reversed(x.shape):
            out.append(step)
            step *= max(n, 1)
        return tuple(reversed(out))
    return st


def _strides_of(a):
    return tuple(s // a.itemsize for s in a.strides)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """input with the elements of its as_strided(size, stride, storage_offset) view replaced
    by src: the view of a fresh copy of input with input's strides, whose storage starts at
    input's first element (offset 0). Matches
    torch.as_strided_scatter's values; input's gradient is g outside the view (torch 2.13
    gives g inside it instead, which fails its own gradcheck)."""
    size, stride, storage_offset = _geometry_args("as_strided_scatter", input, size, stride,
                                                  storage_offset)
    need_tensor("as_strided_scatter", src, "src", 2)
    if input.requires_grad and is_grad_enabled() and not input.is_contiguous():
        raise RuntimeError("as_strided_scatter is currently only supported for contiguous "
                           "inputs (input requires grad)")  # as torch
    if src.dtype != input.dtype:
        src = src.to(input.dtype)
    return AsStridedScatter.apply(input, src, size, stride, storage_offset or 0,
                                  _scatter_strides(input.data))


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialized (zeros here) tensor with the given size and strides over a fresh
    storage just big enough. Matches torch.empty_strided."""
    return new_strided("empty_strided", size, stride, dtype, device, requires_grad)


def new_strided(op, size, stride, dtype, device, requires_grad):
    """empty_strided's work, its errors naming `op` (Tensor.new_empty_strided too)."""
    size = need_ints(op, size, "size", 1)
    stride = need_ints(op, stride, "stride", 2)
    if len(size) != len(stride):
        raise RuntimeError(f"{op}: dimensionality of sizes ({len(size)}) must match "
                           f"dimensionality of strides ({len(stride)})")
    if any(n < 0 for n in size):
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension "
                           f"{min(size)}: {list(size)}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"{op}: Negative strides are not supported, got strides: "
                           f"{list(stride)}")
    from ..creation import _dtype, _finish, _xp_for    # lazy: creation imports the ops
    xp, _ = _xp_for(device)
    flat = xp.zeros(_needed(size, stride, 0), _dtype(dtype, fn=op))
    return _finish(view_of(flat, size, stride, 0), requires_grad)
