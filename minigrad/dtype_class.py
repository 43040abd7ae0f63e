"""mg.dtype: the class of minigrad's dtypes, for `isinstance(d, mg.dtype)` as with torch.dtype.

minigrad's dtypes are NumPy dtype instances (mg.float32 is np.dtype('float32')), so mg.dtype
is an abstract base class with the NumPy dtype classes of the nine supported dtypes
registered: isinstance is True for those and False for any other NumPy dtype (complex,
uint16, datetime, ...), which minigrad cannot hold.
"""
from __future__ import annotations

import abc

import numpy as np

from .backend import bool_, float16, float32, float64, int8, int16, int32, int64, uint8


class dtype(abc.ABC):
    """torch.dtype as a type check: isinstance(mg.float32, mg.dtype) is True (not
    constructible, as torch's)."""
    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'torch.dtype' instances")


for _d in (bool_, uint8, int8, int16, int32, int64, float16, float32, float64):
    dtype.register(type(np.dtype(_d)))
