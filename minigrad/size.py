"""Size: a tensor's shape as torch.Size, a tuple of ints with numel() and torch's repr.

Slicing, `+` (with any tuple, on either side) and `*` give a Size back, as torch's; hashing and
equality are the tuple's, so `x.shape == (2, 3)` and dict keys work. Tensor.shape and
Tensor.size() return one (built with tuple.__new__, the cheap path: no per-element checks).
"""
from __future__ import annotations

import operator

import numpy as np


def _type_name(v):
    t = type(v)
    if t is Size:
        return "torch.Size"
    if t.__module__ in ("builtins", "minigrad.tensor"):
        return t.__name__
    return f"{t.__module__}.{t.__qualname__}"


def _int(v, i):
    """One element as a Python int: ints, bools and integer 0-d tensors/arrays (torch calls
    __index__ on them); anything else is torch's TypeError."""
    if isinstance(v, int):
        out = int(v)
    else:
        from .tensor import Tensor              # lazy: tensor.py imports this module
        if not isinstance(v, (np.integer, Tensor)):
            raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                            f"'{_type_name(v)}')")
        try:
            out = operator.index(v)
        except TypeError:
            raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                            f"'{_type_name(v)}')") from None
    return out                  # out of int64's range is kept, as torch: repr/numel refuse it


def _int64s(size):
    if not all(-2**63 <= n < 2**63 for n in size):
        raise ValueError("Overflow when unpacking long long")
    return size


class Size(tuple):
    """torch.Size: the shape of a tensor, a tuple subclass (matches torch.Size)."""
    __slots__ = ()

    def __new__(cls, sizes=()):
        return tuple.__new__(cls, [_int(v, i) for i, v in enumerate(sizes)])

    def numel(self) -> int:
        """The number of elements a tensor of this size holds (1 for Size([])); computed in
        int64 as torch's, so a product past 2**63 wraps as there."""
        n = 1
        for s in _int64s(self):
            n *= s
        return (n + 2**63) % 2**64 - 2**63

    def __repr__(self):
        return f"torch.Size({list(_int64s(self))})"

    __str__ = __repr__

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return tuple.__new__(Size, out) if isinstance(key, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {_type_name(other)}) to "
                            "torch.Size")
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(other, self))

    def __mul__(self, n):
        if isinstance(n, Size) or not hasattr(n, "__index__"):
            raise TypeError(f"can't multiply sequence by non-int of type '{_type_name(n)}'")
        return tuple.__new__(Size, tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))
