"""Named-tuple results of reductions with indices, as torch.return_types.

Like torch's (CPython struct sequences), each is a tuple built from one sequence,
`max((values, indices))`, whose fields are also readable by name: `r.values`, `r.indices`.
torch has no named types for var_mean/std_mean: they return plain tuples there and here.
"""
from __future__ import annotations

from operator import itemgetter


class _ReturnType(tuple):
    """A tuple with named fields, built from one sequence (as torch.return_types.*)."""
    __slots__ = ()
    _fields: tuple = ()

    def __new__(cls, sequence):
        items = tuple(sequence)
        if len(items) != len(cls._fields):
            raise TypeError(f"minigrad.return_types.{cls.__name__}() takes a {len(cls._fields)}"
                            f"-sequence ({len(items)}-sequence given)")
        return tuple.__new__(cls, items)

    @property
    def n_fields(self):
        return len(self._fields)

    n_sequence_fields = n_fields

    @property
    def n_unnamed_fields(self):
        return 0

    def __repr__(self):
        body = ",\n".join(f"{n}={v!r}" for n, v in zip(self._fields, self))
        return f"minigrad.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return type(self), (tuple(self),)


class _ValuesIndices(_ReturnType):
    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0))
    indices = property(itemgetter(1))


class max(_ValuesIndices):  # shadows the builtin, as torch.return_types.max
    __slots__ = ()


class min(_ValuesIndices):
    __slots__ = ()


class sort(_ValuesIndices):
    __slots__ = ()


class topk(_ValuesIndices):
    __slots__ = ()


class median(_ValuesIndices):
    __slots__ = ()


class nanmedian(_ValuesIndices):
    __slots__ = ()


class mode(_ValuesIndices):
    __slots__ = ()


class kthvalue(_ValuesIndices):
    __slots__ = ()


class aminmax(_ReturnType):
    __slots__ = ()
    _fields = ("min", "max")
    min = property(itemgetter(0))
    max = property(itemgetter(1))


__all__ = ["aminmax", "kthvalue", "max", "median", "min", "mode", "nanmedian", "sort", "topk"]


# ---- issue 15: reductions and scans ----
class cummax(_ValuesIndices):
    __slots__ = ()


class cummin(_ValuesIndices):
    __slots__ = ()


__all__ += ["cummax", "cummin"]


# ---- misc: elementwise binary math ----
class frexp(_ReturnType):
    __slots__ = ()
    _fields = ("mantissa", "exponent")
    mantissa = property(itemgetter(0))
    exponent = property(itemgetter(1))


__all__ += ["frexp"]
