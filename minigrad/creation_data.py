"""Python data to arrays with torch's dtype inference (torch.tensor's infer_scalar_type):
Python floats give the default dtype, ints int64, bools bool; NumPy scalars keep theirs; a
nested list takes the promotion of its elements; ragged or unsupported data is refused."""
from __future__ import annotations

import numpy as np

from . import backend
from .dtypes import _promote
from .tensor import Tensor


_SUPPORTED_KINDS = "biuf"


def _check_int_range(array, dtype):
    """Python ints must fit the integer dtype (torch's c10::overflows: an unsigned dtype also
    takes negatives down to -max, which wrap around)."""
    info = np.iinfo(dtype)
    lo = info.min if dtype.kind == "i" else -int(info.max)
    if array.size and (int(array.max()) > info.max or int(array.min()) < lo):
        bad = int(array.max()) if int(array.max()) > info.max else int(array.min())
        raise RuntimeError(f"tensor: value {bad} cannot be converted to type {dtype} without "
                           f"overflow")


def _check_array_dtype(a, op="tensor"):
    if a.dtype.kind not in _SUPPORTED_KINDS:
        raise TypeError(f"{op}: can't convert np.ndarray of type {a.dtype.type.__name__}. The "
                        "only supported types are: float64, float32, float16, int64, int32, "
                        "int16, int8, uint64, uint32, uint16, uint8, and bool.")


def _check_strides(a):
    """torch refuses a NumPy array with a negative stride (a[::-1]) in tensor(), as_tensor()
    and from_numpy(), rather than copying it."""
    if isinstance(a, np.ndarray) and any(st < 0 for st in a.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array with array.copy().)")


def _leaf_dtype(x):
    """torch's dtype for one element of tensor() data (infer_scalar_type)."""
    if isinstance(x, (bool, np.bool_)):
        return backend.bool_
    if isinstance(x, np.generic) and x.dtype.kind in _SUPPORTED_KINDS:
        return x.dtype
    if isinstance(x, int):
        return backend.int64
    if isinstance(x, float):
        return backend.get_default_dtype()
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, np.ndarray):
        _check_array_dtype(x)
        return x.dtype
    if isinstance(x, str):
        raise TypeError(f"tensor: invalid data type 'str' in {x!r}")
    raise RuntimeError(f"tensor: could not infer dtype of {type(x).__name__}")


_PLAIN = {bool, int, float}      # Python numbers: their dtypes follow from the type alone


def _infer_dtype(data):
    """Promote the dtypes of every element of nested lists/tuples (an explicit stack). A list
    of plain Python numbers is judged by the set of its element types, made in C."""
    dt, stack = None, [data]
    while stack:
        seq = stack.pop()
        types = set(map(type, seq))
        if types <= _PLAIN:
            for t in types:
                dt = _promote(dt, _leaf_dtype(t()))
            continue
        for x in seq:
            if isinstance(x, (list, tuple)):
                stack.append(x)
            else:
                dt = _promote(dt, _leaf_dtype(x))
    return dt if dt is not None else backend.get_default_dtype()      # [] is float


def _from_python(data, dtype=None):
    """Python (nested) data as an array: of float `dtype` when given (the inferred dtype is
    still worked out, for its checks), else of torch's inferred dtype."""
    if not isinstance(data, (list, tuple)):
        dt = _leaf_dtype(data) if dtype is None else (_leaf_dtype(data), dtype)[1]
        try:
            return np.asarray(data, dtype=dt)
        except OverflowError as e:
            raise RuntimeError(f"tensor: value cannot be converted to {dt} without overflow "
                               f"({e})") from None
    dt = _infer_dtype(data)
    dt = dt if dtype is None else dtype
    if any(isinstance(d, Tensor) for d in data):
        data = [d.numpy(force=True) if isinstance(d, Tensor) else d for d in data]
    try:
        return np.array(data, dtype=dt)
    except (ValueError, TypeError) as e:
        raise ValueError(f"tensor: could not build a tensor from ragged or nested data "
                         f"{type(data).__name__} ({e})") from None
    except OverflowError as e:
        raise RuntimeError(f"tensor: value cannot be converted to {dt} without overflow "
                           f"({e})") from None
