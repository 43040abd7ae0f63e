"""Tensor creation: tensor(), zeros/ones/full/empty/arange/eye, random tensors, *_like.

dtype rules follow torch: Python floats give float32, Python ints int64, bools bool;
NumPy/CuPy arrays keep their dtype.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import backend
from .tensor import Tensor


def _finish(array, requires_grad):
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _xp_for(device):
    dev = backend.Device(device if device is not None else "cpu")
    if dev.type == "cpu":
        return np, dev
    cp = backend.cupy_module()
    if cp is None:
        raise RuntimeError("device='cuda': CUDA is not available (CuPy is not installed or no "
                           "GPU was found)")
    return cp, dev


def tensor(data, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A new leaf tensor holding a copy of `data` (torch.tensor)."""
    dtype = backend.to_dtype(dtype)
    if isinstance(data, Tensor):
        array = data.data.copy()
    elif isinstance(data, np.ndarray) or backend.is_cuda_array(data):
        array = data.copy()
    elif hasattr(data, "__dlpack__") and hasattr(data, "detach"):    # a torch tensor
        array = np.array(data.detach().cpu().numpy())
    else:
        array = _from_python(data)
    if dtype is not None:
        array = array.astype(dtype)
    if device is not None or not isinstance(array, np.ndarray):
        dev = backend.Device(device) if device is not None else backend.device_of(array)
        array = backend.to_device(array, dev)
    return _finish(array, requires_grad)


def _from_python(data):
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in data):
        data = [d.numpy(force=True) if isinstance(d, Tensor) else d for d in data]
    try:
        array = np.asarray(data)
    except ValueError as e:
        raise ValueError(f"tensor: could not build a tensor from data ({e})") from None
    if array.dtype == object:
        raise TypeError(f"tensor: could not infer a dtype from {type(data).__name__} data")
    if array.dtype.kind == "f" and not isinstance(data, np.generic):
        array = array.astype(np.float32)                 # Python floats -> float32, as torch
    elif array.dtype.kind in "iu" and not isinstance(data, np.generic):
        array = array.astype(np.int64)
    return array


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"size must be non-negative ints, got {tuple(size)}")
    return tuple(int(s) for s in size)


def _dtype(dtype, default=backend.float32):
    return backend.to_dtype(dtype) if dtype is not None else default


def zeros(*size, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    return _finish(xp.zeros(_size(size), _dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    return _finish(xp.ones(_size(size), _dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    return _finish(xp.empty(_size(size), _dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    if dtype is None:
        dtype = _from_python(fill_value).dtype
    return _finish(xp.full(_size((size,)), fill_value, _dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    default = backend.int64 if ints else backend.float32
    return _finish(xp.arange(start, end, step).astype(_dtype(dtype, default)), requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    return _finish(xp.linspace(start, end, steps).astype(_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    return _finish(xp.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def _float_dtype(dtype, op):
    dt = _dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"{op}: dtype must be floating point, got {dt}")
    return dt


def randn(*size, dtype=None, device=None, requires_grad=False):
    """Standard normal samples from minigrad's generator (seeded by manual_seed)."""
    xp, _ = _xp_for(device)
    dt = _float_dtype(dtype, "randn")
    r = backend.rng(xp)
    a = r.standard_normal(_size(size), dtype=np.float64 if dt == np.float16 else dt)
    return _finish(a.astype(dt, copy=False), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False):
    """Uniform samples on [0, 1)."""
    xp, _ = _xp_for(device)
    dt = _float_dtype(dtype, "rand")
    r = backend.rng(xp)
    draw = r.random if xp is np else r.random_sample
    a = draw(_size(size), dtype=np.float64 if dt == np.float16 else dt)
    return _finish(a.astype(dt, copy=False), requires_grad)


def randint(low, high=None, size=None, dtype=None, device=None):
    """Integers in [low, high) (torch.randint(low=0, high, size))."""
    if size is None:
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    xp, _ = _xp_for(device)
    r = backend.rng(xp)
    draw = r.integers if xp is np else r.randint
    return _finish(draw(low, high, _size((size,))).astype(_dtype(dtype, backend.int64)), False)


def randperm(n, dtype=None, device=None):
    xp, _ = _xp_for(device)
    return _finish(backend.rng(xp).permutation(n).astype(_dtype(dtype, backend.int64)), False)


def _like(fn, x, dtype, device, requires_grad, *args):
    return fn(*args, dtype=dtype or x.dtype, device=device or x.device,
              requires_grad=requires_grad)


def zeros_like(x, dtype=None, device=None, requires_grad=False):
    return _like(zeros, x, dtype, device, requires_grad, x.shape)


def ones_like(x, dtype=None, device=None, requires_grad=False):
    return _like(ones, x, dtype, device, requires_grad, x.shape)


def empty_like(x, dtype=None, device=None, requires_grad=False):
    return _like(empty, x, dtype, device, requires_grad, x.shape)


def full_like(x, fill_value, dtype=None, device=None, requires_grad=False):
    return _like(full, x, dtype, device, requires_grad, x.shape, fill_value)


def randn_like(x, dtype=None, device=None, requires_grad=False):
    return _like(randn, x, dtype, device, requires_grad, x.shape)


def rand_like(x, dtype=None, device=None, requires_grad=False):
    return _like(rand, x, dtype, device, requires_grad, x.shape)
