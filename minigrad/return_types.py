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


# ---- linalg: decompositions and solvers (minigrad/ops/linalg_*.py) ----
class _SignLogabsdet(_ReturnType):
    __slots__ = ()
    _fields = ("sign", "logabsdet")
    sign = property(itemgetter(0))
    logabsdet = property(itemgetter(1))


class linalg_slogdet(_SignLogabsdet):
    __slots__ = ()


class slogdet(_SignLogabsdet):
    __slots__ = ()


class linalg_inv_ex(_ReturnType):
    __slots__ = ()
    _fields = ("inverse", "info")
    inverse = property(itemgetter(0))
    info = property(itemgetter(1))


class linalg_solve_ex(_ReturnType):
    __slots__ = ()
    _fields = ("result", "info")
    result = property(itemgetter(0))
    info = property(itemgetter(1))


class linalg_cholesky_ex(_ReturnType):
    __slots__ = ()
    _fields = ("L", "info")
    L = property(itemgetter(0))
    info = property(itemgetter(1))


class linalg_eigh(_ReturnType):
    __slots__ = ()
    _fields = ("eigenvalues", "eigenvectors")
    eigenvalues = property(itemgetter(0))
    eigenvectors = property(itemgetter(1))


class linalg_svd(_ReturnType):
    __slots__ = ()
    _fields = ("U", "S", "Vh")
    U = property(itemgetter(0))
    S = property(itemgetter(1))
    Vh = property(itemgetter(2))


class svd(_ReturnType):
    __slots__ = ()
    _fields = ("U", "S", "V")
    U = property(itemgetter(0))
    S = property(itemgetter(1))
    V = property(itemgetter(2))


class _QR(_ReturnType):
    __slots__ = ()
    _fields = ("Q", "R")
    Q = property(itemgetter(0))
    R = property(itemgetter(1))


class linalg_qr(_QR):
    __slots__ = ()


class qr(_QR):
    __slots__ = ()


class linalg_lstsq(_ReturnType):
    __slots__ = ()
    _fields = ("solution", "residuals", "rank", "singular_values")
    solution = property(itemgetter(0))
    residuals = property(itemgetter(1))
    rank = property(itemgetter(2))
    singular_values = property(itemgetter(3))


class linalg_lu_factor(_ReturnType):
    __slots__ = ()
    _fields = ("LU", "pivots")
    LU = property(itemgetter(0))
    pivots = property(itemgetter(1))


class linalg_lu_factor_ex(_ReturnType):
    __slots__ = ()
    _fields = ("LU", "pivots", "info")
    LU = property(itemgetter(0))
    pivots = property(itemgetter(1))
    info = property(itemgetter(2))


class _PLU(_ReturnType):
    __slots__ = ()
    _fields = ("P", "L", "U")
    P = property(itemgetter(0))
    L = property(itemgetter(1))
    U = property(itemgetter(2))


class linalg_lu(_PLU):
    __slots__ = ()


class lu_unpack(_PLU):
    __slots__ = ()


class triangular_solve(_ReturnType):
    __slots__ = ()
    _fields = ("solution", "cloned_coefficient")
    solution = property(itemgetter(0))
    cloned_coefficient = property(itemgetter(1))


__all__ += ["linalg_cholesky_ex", "linalg_eigh", "linalg_inv_ex", "linalg_lstsq", "linalg_lu",
            "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_qr", "linalg_slogdet",
            "linalg_solve_ex", "linalg_svd", "lu_unpack", "qr", "slogdet", "svd",
            "triangular_solve"]
# ---- misc: elementwise binary math ----
class frexp(_ReturnType):
    __slots__ = ()
    _fields = ("mantissa", "exponent")
    mantissa = property(itemgetter(0))
    exponent = property(itemgetter(1))


__all__ += ["frexp"]


# ---- signal: the legacy torch.lu(get_infos=True) ----
class _lu_with_info(_ReturnType):
    __slots__ = ()
    _fields = ("LU", "pivots", "info")
    LU = property(itemgetter(0))
    pivots = property(itemgetter(1))
    info = property(itemgetter(2))
# ---- misc: histograms (minigrad/ops/histogram.py) ----
class _HistEdges(_ReturnType):
    __slots__ = ()
    _fields = ("hist", "bin_edges")
    hist = property(itemgetter(0))
    bin_edges = property(itemgetter(1))


class histogram(_HistEdges):
    __slots__ = ()


class histogramdd(_HistEdges):
    __slots__ = ()


__all__ += ["histogram", "histogramdd"]


# ---- gaps: LDL^T factorization (ops/linalg_ldl.py) and geqrf (ops/linalg_geqrf.py) ----
class linalg_ldl_factor(_ReturnType):
    __slots__ = ()
    _fields = ("LD", "pivots")
    LD = property(itemgetter(0))
    pivots = property(itemgetter(1))


class linalg_ldl_factor_ex(_ReturnType):
    __slots__ = ()
    _fields = ("LD", "pivots", "info")
    LD = property(itemgetter(0))
    pivots = property(itemgetter(1))
    info = property(itemgetter(2))


class geqrf(_ReturnType):
    __slots__ = ()
    _fields = ("a", "tau")
    a = property(itemgetter(0))
    tau = property(itemgetter(1))


__all__ += ["geqrf", "linalg_ldl_factor", "linalg_ldl_factor_ex"]
