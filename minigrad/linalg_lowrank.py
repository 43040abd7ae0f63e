"""Low-rank and legacy linear algebra at torch's top level: svd_lowrank, pca_lowrank (the
randomized range finder of Halko et al. 2009, Alg. 4.4 and 5.1, as torch/_lowrank.py), the
legacy lu (torch.lu: linalg.lu_factor_ex underneath), and matrix_rank (removed in torch:
raises torch's error). All compositions of differentiable ops (randn, qr, svd, matmul).
"""
from __future__ import annotations

import warnings

from .ops.checks import need_bool, need_int, need_optional_tensor, need_tensor

_LU_WARNING = ("torch.lu is deprecated in favor of torch.linalg.lu_factor / "
               "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.\n"
               "LU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\n"
               "LU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
               "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\n"
               "should be replaced with\n"
               "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)")


def _floating(A):
    from . import backend
    return A.dtype if A.dtype.kind == "f" else backend.float32


def _shape2(fn, A):
    if A.ndim < 2:
        raise ValueError(f"{fn}: A must have at least 2 dimensions, got shape {list(A.shape)}")
    return A.shape[-2], A.shape[-1]


def _need_float(fn, A):
    if A.dtype.kind != "f":             # torch fails in matmul(A, randn(..., float32))
        raise RuntimeError(f"{fn}: expected a floating point A, got {A.dtype}")


def _approximate_basis(A, q, niter, M):
    """Q with orthonormal columns such that Q Q^T (A - M) approximates A - M."""
    from .creation import randn
    from .ops.linalg_decomp import qr

    def qr_q(X):
        return qr(X).Q
    R = randn(A.shape[-1], q, dtype=_floating(A), device=A.device)
    X = A.matmul(R) if M is None else A.matmul(R) - M.matmul(R)
    Q = qr_q(X)
    for _ in range(niter):
        X = A.mT.matmul(Q) if M is None else A.mT.matmul(Q) - M.mT.matmul(Q)
        Q = qr_q(X)
        X = A.matmul(Q) if M is None else A.matmul(Q) - M.matmul(Q)
        Q = qr_q(X)
    return Q


def _svd_lowrank(A, q, niter, M):
    from .ops.linalg_decomp import svd
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    if m < n:
        A = A.mT
        M = None if M is None else M.mT
    Q = _approximate_basis(A, q, niter, M)
    B = Q.mT.matmul(A) if M is None else Q.mT.matmul(A) - Q.mT.matmul(M)
    U, S, Vh = svd(B, full_matrices=False)
    V, U = Vh.mT, Q.matmul(U)
    return (V, S, U) if m < n else (U, S, V)


def svd_lowrank(A, q=6, niter=2, M=None):
    """(U, S, V) with A - M ~ U diag(S) V^T, U (*, m, q), S (*, q), V (*, n, q), from a
    random Gaussian sketch refined by niter subspace iterations (minigrad's generator).
    Matches torch.svd_lowrank (same algorithm; the random draws differ)."""
    need_tensor("svd_lowrank", A, "A", 1)
    q = 6 if q is None else need_int("svd_lowrank", q, "q", 2)
    niter = 2 if niter is None else need_int("svd_lowrank", niter, "niter", 3)
    need_optional_tensor("svd_lowrank", M, "M", 4)
    _shape2("svd_lowrank", A)
    _need_float("svd_lowrank", A)
    if q < 0:                           # torch's randn(n, q) refuses it
        raise RuntimeError(f"svd_lowrank: q(={q}) must be non-negative")
    return _svd_lowrank(A, q, max(niter, 0), M)     # torch: range(niter), none if negative


def pca_lowrank(A, q=None, center=True, niter=2):
    """(U, S, V): the low-rank SVD of A with its column means removed (center=True); V's
    columns are the principal directions, S**2 / (m - 1) the variances.
    Matches torch.pca_lowrank (same algorithm; the random draws differ)."""
    need_tensor("pca_lowrank", A, "A", 1)
    m, n = _shape2("pca_lowrank", A)
    if q is None:
        q = min(6, m, n)
    else:
        q = need_int("pca_lowrank", q, "q", 2)
        if not 0 <= q <= min(m, n):
            raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                             f"min(m, n)={min(m, n)}")
    center = bool(center)               # torch tests only its truth
    _need_float("pca_lowrank", A)
    niter = need_int("pca_lowrank", niter, "niter", 4)
    if niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return _svd_lowrank(A, q, niter, None)
    return _svd_lowrank(A - A.mean(dim=-2, keepdim=True), q, niter, None)


def lu(A, pivot=True, get_infos=False, out=None):
    """The legacy LU: (LU, pivots), or (LU, pivots, info) with get_infos=True, with a
    deprecation warning. Matches torch.lu (torch.linalg.lu_factor_ex underneath)."""
    from .ops.linalg_lu import _lu_factor
    from .return_types import _lu_with_info
    need_tensor("lu", A, "A", 1)
    need_bool("lu", pivot, "pivot", 2)
    get_infos = bool(get_infos)         # torch's Python wrapper only tests its truth
    if out is not None:
        raise NotImplementedError("lu: out= is not supported by minigrad")
    warnings.warn(_LU_WARNING, UserWarning, stacklevel=2)
    LU, piv, info = _lu_factor("torch.lu_factor", A, pivot)
    return _lu_with_info((LU, piv, info)) if get_infos else (LU, piv)


def matrix_rank(*args, **kwargs):
    """Removed from torch (since 1.9): raises torch's RuntimeError pointing at
    linalg.matrix_rank."""
    raise RuntimeError("This function was deprecated since version 1.9 and is now removed.\n"
                       "Please use the `torch.linalg.matrix_rank` function instead. The "
                       "parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to "
                       "'hermitian'.")
