"""Shared pieces of the torch.linalg ops (linalg_solve, linalg_decomp, linalg_eig, linalg_more):
LinAlgError, torch's dtype and shape checks with its messages, and the LAPACK-level helpers
that run one matrix at a time where NumPy/CuPy have no batched routine (LU with its `info`,
the LU solve of a singular factor, which gives inf/nan as LAPACK's does instead of raising).

Matrices are the last two dims of a (..., m, n) array; helpers flatten the batch dims into one
and restore them. NumPy arrays use numpy.linalg/scipy.linalg, CuPy arrays cupy.linalg and
cupyx.scipy.linalg; a routine CuPy lacks raises a clear error for CUDA tensors.
"""
from __future__ import annotations

import math

import numpy as np

from ..backend import array_module
from .arith import torch_name
from .checks import need_tensor


class LinAlgError(RuntimeError):
    """Error of a linear algebra routine on a singular or not positive-definite input
    (torch.linalg.LinAlgError, a RuntimeError)."""


def is_numpy(a) -> bool:
    return array_module(a) is np


def scipy_linalg(a, op):
    """scipy.linalg for NumPy arrays, cupyx.scipy.linalg for CuPy arrays (lazy imports)."""
    if is_numpy(a):
        import scipy.linalg as sl
        return sl
    try:
        import cupyx.scipy.linalg as sl
    except ImportError:     # pragma: no cover (CUDA only)
        raise RuntimeError(f"{op}: cupyx.scipy.linalg is needed for CUDA tensors") from None
    return sl


def no_cuda(a, op, what):
    """A clear error for a routine CuPy does not have."""
    if not is_numpy(a):
        raise RuntimeError(f"{op}: {what} is not available for CUDA tensors in minigrad "
                           "(CuPy has no such routine); move the tensor to the CPU")


# ---- checks with torch's messages ---------------------------------------------------------
def need_float(op, x, name="A", half=None, ints=None):
    """x must be float32/float64. torch's messages: integer and bool inputs get
    "{op}: Expected a floating point or complex tensor as input. Got Long" (or, with `ints`
    a kernel name, NotImplementedError '"kernel" not implemented for 'Long''); float16 gets
    "{op}: Low precision dtypes not supported. Got Half" (or the kernel's
    NotImplementedError when `half` names one)."""
    need_tensor(op, x, name)
    kind, size = x.dtype.kind, x.dtype.itemsize
    if kind == "f" and (size >= 4 or half is True):      # half=True: float16 is accepted
        return
    tname = torch_name(x.dtype)
    if kind == "f":
        if half is None:
            raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {tname}")
        raise NotImplementedError(f"\"{half}\" not implemented for '{tname}'")
    if ints is not None:
        raise NotImplementedError(f"\"{ints}\" not implemented for '{tname}'")
    raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                       f"Got {tname}")


def need_matrix(op, x, square=True, name="A"):
    """At least 2 dims and, with `square`, square matrices (torch's messages)."""
    if x.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are "
                           f"{x.shape[-2]} by {x.shape[-1]} matrices")


def same_dtype(op, a, b, na="A", nb="B"):
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op}: Expected {na} and {nb} to have the same dtype, but found "
                           f"{na} of type {torch_name(a.dtype)} and {nb} of type "
                           f"{torch_name(b.dtype)} instead")


def raise_info(info, message, batched):
    """torch's LinAlgError for the first nonzero info: `message` is formatted with the info
    value; batched inputs get the "(Batch element k): " prefix."""
    info = np.asarray(_host(info)).reshape(-1)
    bad = np.flatnonzero(info)
    if bad.size == 0:
        return
    k = int(bad[0])
    prefix = f"(Batch element {k}): " if batched else ""
    op, _, rest = message.partition(": ")
    raise LinAlgError(f"{op}: {prefix}{rest.format(int(info[k]))}")


def _host(a):
    return a.get() if hasattr(a, "get") and not isinstance(a, np.ndarray) else a


# ---- per-matrix LAPACK loops --------------------------------------------------------------
def flat(a, core=2):
    """a reshaped to (batch, *last `core` dims) and the batch shape."""
    batch = a.shape[:a.ndim - core]
    return a.reshape((math.prod(batch),) + a.shape[a.ndim - core:]), batch


def getrf(a):
    """LU with partial pivoting of (..., m, n): (LU, pivots 0-based int64, info int32); info
    is LAPACK's: k > 0 when U[k-1, k-1] is exactly zero (the factorization still completes)."""
    xp = array_module(a)
    a2, batch = flat(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    lu = xp.empty_like(a2)
    piv = xp.empty((a2.shape[0], k), dtype=np.int64)
    info = np.zeros(a2.shape[0], dtype=np.int32)
    if a2.size == 0:
        piv[...] = xp.arange(k)
    elif is_numpy(a):
        from scipy.linalg import lapack
        fn = lapack.get_lapack_funcs("getrf", (a2,)) if a2.size else None
        for i in range(a2.shape[0]):
            lu[i], p, inf = fn(a2[i])
            piv[i], info[i] = p[:k], max(inf, 0)
    else:           # pragma: no cover (CUDA only)
        import cupyx.scipy.linalg as sl
        for i in range(a2.shape[0]):
            lu[i], piv[i] = sl.lu_factor(a2[i], check_finite=False) if k else (a2[i], piv[i])
            zero = np.flatnonzero(_host(xp.diagonal(lu[i]) == 0))
            info[i] = zero[0] + 1 if zero.size else 0
    return lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def getrs(lu, piv, b, trans=0):
    """Solve with an LU factor (square, (..., n, n)) for b (..., n, k), batch dims equal;
    a zero pivot gives inf/nan as LAPACK's getrs does (no error)."""
    lu2, batch = flat(lu)
    b2, _ = flat(b)
    piv2 = piv.reshape(lu2.shape[0], piv.shape[-1])
    out = array_module(b).empty_like(b2)
    if is_numpy(lu):
        from scipy.linalg import lapack
        fn = lapack.get_lapack_funcs("getrs", (lu2,)) if lu2.size else None
        with np.errstate(all="ignore"):
            for i in range(lu2.shape[0]):
                out[i] = fn(lu2[i], piv2[i].astype(np.int32), b2[i], trans=trans)[0] \
                    if b2[i].size else b2[i]
    else:           # pragma: no cover (CUDA only)
        import cupyx.scipy.linalg as sl
        for i in range(lu2.shape[0]):
            out[i] = sl.lu_solve((lu2[i], piv2[i]), b2[i], trans=trans, check_finite=False)
    return out.reshape(b.shape)


def solve_or_info(a, b):
    """(x, info) for a x = b, (..., n, n) and (..., n, k) with equal batch dims. The fast
    batched solver runs first; where a matrix is singular, LU and getrs give LAPACK's inf/nan
    result and the info of the first zero pivot. As torch's, the LU is that of A^T (a
    row-major A is A^T to LAPACK) solved with trans=1, so singular results match its."""
    xp = array_module(a)
    info = np.zeros(a.shape[:-2], dtype=np.int32)
    if is_numpy(a):
        try:
            return np.linalg.solve(a, b), info
        except np.linalg.LinAlgError:
            pass
    lu, piv, info = getrf(a.swapaxes(-1, -2))
    if not is_numpy(a) and not info.any():      # pragma: no cover (CUDA only)
        return xp.linalg.solve(a, b), info
    return getrs(lu, piv, b, trans=1), info


def eye_like(a, n=None):
    """Identity matrices of a's batch shape and dtype: (..., n, n)."""
    xp = array_module(a)
    n = a.shape[-1] if n is None else n
    return xp.broadcast_to(xp.eye(n, dtype=a.dtype), a.shape[:-2] + (n, n)).copy()
