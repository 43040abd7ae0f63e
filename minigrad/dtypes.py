"""torch's type promotion on NumPy dtypes: promote_types, result_type, can_cast, finfo, iinfo.

Categories are bool < integer < floating. Operands have three priorities: tensors with at
least one dim, 0-d tensors, and Python/NumPy scalars ("wrapped numbers"). A lower-priority
operand changes the result only when it is of a higher category: an int tensor * 0.5 is the
default float dtype, an int tensor * a 0-d float64 tensor is float64, a float32 tensor + a
0-d float64 tensor stays float32. (torch's c10 result_type / combine_categories.)
"""
from __future__ import annotations

import numpy as np

from . import backend
from .backend import get_default_dtype, set_default_dtype  # noqa: F401  (public via mg.)
from .ops.checks import need_dtype

_INT64 = np.dtype("int64")
_BOOL = np.dtype("bool")


def _category(dt) -> int:
    k = dt.kind
    return 2 if k in "fc" else 0 if k == "b" else 1


def _promote(a, b):
    """torch.promote_types on NumPy dtypes (None means "no operand yet")."""
    if a is None or a is b:
        return b
    if b is None:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b       # int + float16 is float16 (NumPy says float64)
    return np.promote_types(a, b)        # uint8 + int8 = int16, float16 + float32 = float32


def _combine(higher, lower):
    """A lower-priority result changes the higher one only when its category is higher."""
    if higher is None:
        return lower
    if lower is None or _category(higher) == 2:
        return higher
    if higher.kind == "b" or _category(lower) == 2:
        return _promote(higher, lower)
    return higher


def _scalar_dtype(x):
    """The dtype a Python or NumPy scalar takes part with: bool, int64 or the default float."""
    if isinstance(x, (bool, np.bool_)):
        return _BOOL
    if isinstance(x, (int, np.integer)):
        return _INT64
    if isinstance(x, (float, np.floating)):
        return backend.get_default_dtype()
    raise TypeError(f"result_type: unsupported operand of type {type(x).__name__}")


def result_type(*operands):
    """The NumPy dtype torch gives an op on `operands`: Tensors, NumPy/CuPy arrays (a 0-d
    array counts as a 0-d tensor), Python scalars and NumPy scalars; None is skipped. (The
    public mg.result_type(tensor, other), with torch's checks, is in ops/functional.py.)"""
    dim = zero = wrapped = None
    for x in operands:
        if x is None:
            continue
        dt = None if isinstance(x, np.generic) else getattr(x, "dtype", None)
        if dt is None:
            wrapped = _promote(wrapped, _scalar_dtype(x))
        elif x.ndim:
            dim = _promote(dim, dt)
        else:
            zero = _promote(zero, dt)
    return _combine(dim, _combine(zero, wrapped))


def promote_types(type1, type2):
    """The smallest dtype both dtypes can be cast to safely (torch.promote_types)."""
    return _promote(need_dtype("promote_types", type1, "type1"),
                    need_dtype("promote_types", type2, "type2"))


def can_cast(from_, to):
    """torch.can_cast: casting never goes down a category (float -> int, int -> bool)."""
    return _category(need_dtype("can_cast", from_, "from_")) <= \
        _category(need_dtype("can_cast", to, "to"))


class finfo:
    """Machine limits of a floating dtype, with torch.finfo's attribute names."""

    def __init__(self, type=None):
        dt = backend.get_default_dtype() if type is None else need_dtype("finfo", type, "type")
        if dt.kind != "f":
            raise TypeError("finfo() requires a floating point input type. Use iinfo to "
                            f"handle {dt}")
        info = np.finfo(dt)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)     # torch: 0.001, not float16(0.001)
        self.dtype = dt.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, with torch.iinfo's attribute names."""

    def __init__(self, type):
        dt = need_dtype("iinfo", type, "type")
        if dt.kind == "b":
            raise TypeError(f"{dt} is not supported by iinfo")
        if dt.kind not in "iu":
            raise TypeError("iinfo() requires an integer input type. Use finfo to handle "
                            f"{dt}")
        info = np.iinfo(dt)
        self.bits, self.max, self.min, self.dtype = int(info.bits), int(info.max), \
            int(info.min), dt.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
