"""Tensors over memory that already exists: asarray (NumPy arrays, DLPack exporters, buffers,
tensors: no copy when torch would not copy), frombuffer (any Python buffer), and the DLPack
pair from_dlpack / to_dlpack (minigrad.utils.dlpack), as torch's.
"""
from __future__ import annotations

import numpy as np

from . import backend
from .creation_data import _check_array_dtype, _check_strides
from .ops.checks import need_bool, need_dtype, need_int, type_name
from .tensor import Tensor


def _converted(t, dtype, device, copy, what):
    """t cast/moved to dtype/device; copy=False refuses a change (it would copy)."""
    dt = t.dtype if dtype is None else dtype
    dev = t.device if device is None else backend.Device(device)
    if dt == t.dtype and dev == t.device:
        return t.clone() if copy else t
    if copy is False:
        from .ops.arith import torch_name
        if dt != t.dtype:
            raise ValueError(f"can't alias {what} with dtype '{torch_name(t.dtype)}' into dtype "
                             f"'{torch_name(dt)}'.")
        raise ValueError(f"can't alias {what} on {t.device} into device {dev}.")
    return t.to(dev, dt)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """obj as a tensor, sharing its memory where it can: a Tensor (itself), a NumPy array or
    scalar, a DLPack exporter (CuPy, torch) or a buffer (bytes, bytearray: read as dtype,
    default the default float dtype); other data (lists, numbers) is copied. copy=True always
    copies, copy=False raises where sharing is impossible. Matches torch.asarray."""
    dtype = None if dtype is None else need_dtype("asarray", dtype)
    if copy is not None:
        need_bool("asarray", copy, "copy")
    if requires_grad is not None:
        need_bool("asarray", requires_grad, "requires_grad")
    if isinstance(obj, Tensor):
        t = _converted(obj, dtype, device, copy, "tensor")
    elif isinstance(obj, (np.ndarray, np.generic)):
        a = np.asarray(obj)
        _check_array_dtype(a, "asarray")
        _check_strides(a)
        t = _converted(Tensor._make(a), dtype, device, copy, "tensor")
    elif hasattr(obj, "__dlpack__") and hasattr(obj, "__dlpack_device__"):
        from .interop import from_dlpack
        t = _converted(from_dlpack(obj), dtype, device, copy, "tensor")
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        t = frombuffer(obj, dtype=dtype or backend.get_default_dtype())
        t = _converted(t, None, device, copy, "buffer")
    else:
        if copy is False:
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        if isinstance(obj, str):
            raise TypeError(f"asarray(): invalid data type '{type_name(obj)}'")
        from .creation import tensor
        try:
            t = tensor(obj, dtype=dtype, device=device)
        except (TypeError, ValueError, RuntimeError) as e:
            raise type(e)(f"asarray(): {e}") from None
    if requires_grad is True and not t.requires_grad:
        t.requires_grad_(True)
    elif requires_grad is False and t.requires_grad:
        if t.is_leaf:
            t.requires_grad_(False)         # (obj itself, as torch)
        else:
            t = t.detach()
    return t


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the memory of a Python buffer (bytes, bytearray, array.array,
    memoryview, mmap), read as dtype from byte `offset`, `count` elements (-1: all), without
    a copy: writes through either side are seen by the other. Matches torch.frombuffer."""
    dtype = np.dtype(need_dtype("frombuffer", dtype))
    count = need_int("frombuffer", count, "count")
    offset = need_int("frombuffer", offset, "offset")
    need_bool("frombuffer", requires_grad, "requires_grad")
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("frombuffer(): object does not implement Python buffer protocol.") \
            from None
    n = view.nbytes
    if n == 0 or count == 0:
        raise ValueError(f"both buffer length ({n}) and count ({count}) must not be 0")
    if offset < 0 or offset >= n:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({n} bytes) minus 1")
    size = dtype.itemsize
    if count < 0:
        if (n - offset) % size:
            raise ValueError(f"buffer length ({n - offset} bytes) after offset ({offset} bytes) "
                             f"must be a multiple of element size ({size})")
        count = (n - offset) // size
    elif offset + count * size > n:
        raise ValueError(f"requested buffer length ({count} * {size} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({n} bytes)")
    a = np.frombuffer(view.cast("B") if view.ndim != 1 or view.format != "B" else view,
                      dtype=dtype, count=count, offset=offset)
    t = Tensor._make(a)
    return t.requires_grad_(True) if requires_grad else t


def to_dlpack(tensor):
    """A DLPack capsule for tensor's memory (torch.utils.dlpack.to_dlpack); prefer passing the
    tensor itself to a consumer's from_dlpack, which calls tensor.__dlpack__()."""
    from .ops.checks import need_tensor
    need_tensor("to_dlpack", tensor, "tensor", 1)
    return tensor.__dlpack__()


class _Capsule:
    """A legacy DLPack capsule presented as an exporter (for numpy.from_dlpack)."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)                       # kDLCPU: a capsule does not say; CPU assumed


def from_dlpack(ext_tensor):
    """A tensor sharing the memory of a DLPack exporter (NumPy, CuPy, torch, JAX, ...) or of
    a capsule from to_dlpack (host memory only). Matches torch.from_dlpack."""
    from .interop import from_dlpack as _from
    if type(ext_tensor).__name__ == "PyCapsule":
        return _from(_Capsule(ext_tensor))
    return _from(ext_tensor)
