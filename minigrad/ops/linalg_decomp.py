"""Cholesky, QR and SVD (torch.linalg.cholesky, cholesky_ex, qr, svd, svdvals), torch's
gradient formulas written with differentiable ops (double backward works).

cholesky (A = L L^T; upper=True gives U = L^T and reads A's upper triangle):
    P = tril(L^T gL),  Phi = (P + tril(P, -1)^T) / 2,  dA = L^{-T} Phi L^{-1}  (symmetric)
    forward mode (torch's, dA as given): dL = L (tril(X) - diag(X) / 2), X = L^{-1} dA L^{-T}
qr and svd's forward mode is J v from their backward (the double-vjp identity).
qr (A = QR), as torch's linalg_qr_backward, with M = gR R^T - Q^T gQ:
    m >= n:  T = triu(M);  dA = (gQ + Q (T + T^T - diag(T))) R^{-T}
    m < n:   dA = [Q tril(M^T - M, -1) R1^{-T}, 0] + Q gR     (R1 = R[:, :m])
svd (A = U diag(S) V^T), E_ij = S_j^2 - S_i^2 (diagonal 1), skew(X) = X - X^T:
    J = (skew(U^T gU) S_j + S_i skew(V^T gV)) / E + diag(gS);  dA = U J V^T
    plus (I - U U^T) gU S^{-1} V^T when m > n, and U S^{-1} gV^T (I - V V^T) when m < n.
    Repeated singular values give inf/nan where gU or gV is nonzero (torch's too); svdvals
    alone (gU = gV = 0) is dA = U diag(gS) V^T, finite always.
Signs: singular vectors are unique up to sign; NumPy's LAPACK (gesdd) and torch's agree for
tall and square inputs in our tests and differ for wide ones, so compare gauge-invariant products
(U S V^T, U V^T, |U|). Q and R (geqrf/orgqr) agree.
"""
from __future__ import annotations

import numpy as np

from ..autocast_state import autocast_op
from .. import autograd
from ..autograd import Op
from ..backend import array_module
from ..forward_rules import from_backward
from .checks import need_bool, need_str, need_tensor
from .linalg_common import LinAlgError, flat, is_numpy, need_float, need_matrix, raise_info
from .linalg_solve import SolveTriangular

_CHOL_MSG = ("linalg.cholesky: The factorization could not be completed because the input is "
             "not positive-definite (the leading minor of order {} is not positive-definite).")


# ---- Cholesky -----------------------------------------------------------------------------
def _potrf(a):
    """(L, info) for the lower triangles of (..., n, n); info k > 0: minor k not PD."""
    xp = array_module(a)
    info = np.zeros(a.shape[:-2], np.int32)
    try:
        return xp.linalg.cholesky(a), info
    except (np.linalg.LinAlgError, getattr(xp.linalg, "LinAlgError", LinAlgError)):
        pass
    if not is_numpy(a):         # pragma: no cover (CUDA only: cupy raises only when asked)
        raise RuntimeError("linalg.cholesky: the input is not positive-definite")
    from scipy.linalg import lapack
    a2, _ = flat(a)
    out = np.empty_like(a2)
    fn = lapack.get_lapack_funcs("potrf", (a2,))
    flat_info = info.reshape(-1)
    for i in range(a2.shape[0]):
        out[i], flat_info[i] = fn(a2[i], lower=1, clean=1)
        if flat_info[i]:            # LAPACK stops at minor k: its lower triangle as it is left
            out[i] = np.tril(out[i])
    return out.reshape(a.shape), info


class Cholesky(Op):
    @staticmethod
    def forward(ctx, a, upper, check):
        xp = array_module(a)
        low, info = _potrf(a.swapaxes(-1, -2) if upper else a)
        if check:
            raise_info(info, _CHOL_MSG, a.ndim > 2)
        ctx.upper = upper
        out = low.swapaxes(-1, -2).copy() if upper else low
        ctx.save_for_backward(out)
        return out, xp.asarray(info)

    @staticmethod
    def backward(ctx, g, _):
        out, = ctx.saved_tensors           # dA = L^{-T} Phi(L^T gL) L^{-1}
        low = out.mT if ctx.upper else out
        gl = g.mT if ctx.upper else g
        p = (low.mT @ gl).tril()
        phi = 0.5 * (p + p.tril(-1).mT)
        ga = SolveTriangular.apply(low.mT, phi, True, True, False)
        return SolveTriangular.apply(low, ga, False, False, False), None, None

    @staticmethod
    def jvp(ctx, da, *_):
        out, = ctx.saved_tensors           # torch's: dL = L Phi(L^{-1} dA L^{-T}), dA as given
        low = out.mT if ctx.upper else out
        x = SolveTriangular.apply(low, da, False, True, False)
        x = SolveTriangular.apply(low.mT, x, True, False, False)
        x = x.tril() - 0.5 * x.diagonal(0, -2, -1).diag_embed()
        dl = low @ x
        return (dl.mT if ctx.upper else dl), None


def _cholesky(op, A, upper, check):
    need_tensor(op, A, "A")
    need_bool(op, upper, "upper")
    need_float("linalg.cholesky", A, half="cholesky_cpu")
    need_matrix("linalg.cholesky", A)
    return Cholesky.apply(A, upper, check)


@autocast_op("linalg.cholesky")
def cholesky(A, *, upper=False, out=None):
    """The Cholesky factor L (A = L L^T) of each symmetric positive-definite matrix, reading
    A's lower triangle (upper=True: U = L^T from the upper triangle) (torch.linalg.cholesky)."""
    return _cholesky("linalg.cholesky", A, upper, True)[0]


@autocast_op("linalg.cholesky_ex")
def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info) (torch.linalg.cholesky_ex): info k > 0 when the leading minor of order k is
    not positive-definite (L then holds LAPACK's partial factor)."""
    need_bool("linalg.cholesky_ex", check_errors, "check_errors")
    from ..return_types import linalg_cholesky_ex
    return linalg_cholesky_ex(_cholesky("linalg.cholesky_ex", A, upper, check_errors))


# ---- QR -----------------------------------------------------------------------------------
class QR(Op):
    @staticmethod
    def forward(ctx, a, mode):
        xp = array_module(a)
        m, n = a.shape[-2:]
        ctx.mode = mode
        if a.size == 0:
            q = xp.broadcast_to(xp.eye(m, dtype=a.dtype)[:, :m if mode == "complete"
                                                         else min(m, n)],
                                a.shape[:-2] + (m, m if mode == "complete" else min(m, n)))
            r = xp.zeros(a.shape[:-2] + (q.shape[-1], n), a.dtype)
            q = q.copy()
        else:
            q, r = xp.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
        if mode == "r":
            q = xp.empty((0,), a.dtype)
        ctx.save_for_backward(q, r)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.saved_tensors           # torch's linalg_qr_backward
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        big = gr @ r.mT - q.mT @ gq
        if m >= n:
            big = big.triu()
            sym = big + big.mT
            sym = sym - 0.5 * sym.diagonal(0, -2, -1).diag_embed()
            ga = q @ sym + gq
            return SolveTriangular.apply(r.mT, ga, False, False, False), None
        low = (big.mT - big).tril(-1)      # the strictly lower part of skew(-M)
        ga = SolveTriangular.apply(r[..., :m].mT, q @ low, False, False, False)
        from .pad import pad
        return pad(ga, (0, n - m)) + q @ gr, None

    jvp = from_backward


@autocast_op("linalg.qr")
def qr(A, mode="reduced", *, out=None):
    """(Q, R) with A = QR, Q orthonormal columns, R upper triangular (torch.linalg.qr); mode
    'reduced' (k = min(m, n) columns), 'complete' (Q m x m) or 'r' (Q empty)."""
    op = "linalg.qr"
    need_tensor(op, A, "A")
    need_str(op, mode, "mode")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    need_float(op, A, half="geqrf_cpu")
    need_matrix(op, A, square=False)
    from ..return_types import linalg_qr
    return linalg_qr(QR.apply(A, mode))


# ---- SVD ----------------------------------------------------------------------------------
def _svd_arrays(a, full):
    xp = array_module(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    if a.size == 0:             # LAPACK is not called: identities where full_matrices
        um, vn = (m, n) if full else (k, k)
        u = xp.broadcast_to(xp.eye(m, um, dtype=a.dtype), a.shape[:-2] + (m, um)).copy()
        vh = xp.broadcast_to(xp.eye(vn, n, dtype=a.dtype), a.shape[:-2] + (vn, n)).copy()
        return u, xp.zeros(a.shape[:-2] + (k,), a.dtype), vh
    return xp.linalg.svd(a, full_matrices=full)


class SVD(Op):
    @staticmethod
    def forward(ctx, a, full):
        u, s, vh = _svd_arrays(a, full)
        ctx.full = full
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors       # torch's svd_backward (see the module docstring)
        k = s.shape[-1]
        gu, gvh = unused_as_none(gu), unused_as_none(gvh)
        if ctx.full:                        # only the first k columns/rows take part
            u, vh = u[..., :k], vh[..., :k, :]
            gu = gu[..., :k] if gu is not None else None
            gvh = gvh[..., :k, :] if gvh is not None else None
        return svd_backward(gu, gs, gvh, u, s, vh), None

    jvp = from_backward


def unused_as_none(g):
    """A gradient the engine filled with zeros for an unused output counts as undefined (as
    torch's): with repeated singular values/eigenvalues a zero gU would still give 0/0."""
    if g is None or (not g.requires_grad and not g.data.any()):
        return None
    return g


def svd_backward(gu, gs, gvh, u, s, vh):
    """torch's svd_backward for real inputs (gu/gvh None when not used)."""
    m, n = u.shape[-2], vh.shape[-1]
    if gu is None and gvh is None:
        return u @ (gs.unsqueeze(-1) * vh) if m >= n else (u * gs.unsqueeze(-2)) @ vh
    s2 = s * s
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1)
    from .matrix import diag_embed
    e = e + diag_embed(s2 * 0 + 1)              # E_ij = s_j^2 - s_i^2, 1 on the diagonal
    uhgu = (lambda x: x - x.mT)(u.mT @ gu) if gu is not None else None
    vhgv = (lambda x: x - x.mT)(vh @ gvh.mT) if gvh is not None else None
    if uhgu is not None and vhgv is not None:
        ret = (uhgu * s.unsqueeze(-2) + s.unsqueeze(-1) * vhgv) / e
    elif uhgu is not None:
        ret = (uhgu / e) * s.unsqueeze(-2)
    else:
        ret = s.unsqueeze(-1) * (vhgv / e)
    if gs is not None:
        ret = ret + diag_embed(gs)
    if m > n and gu is not None:
        ga = u @ ret
        gus = gu / s.unsqueeze(-2)
        ga = ga + gus - u @ (u.mT @ gus)
        return ga @ vh
    if m < n and gvh is not None:
        ga = ret @ vh
        sgv = gvh / s.unsqueeze(-1)
        ga = ga + sgv - (sgv @ vh.mT) @ vh
        return u @ ga
    return u @ (ret @ vh) if m >= n else (u @ ret) @ vh


def svd_parts(A, full_matrices):
    """(U, S, Vh) as Tensors (differentiable), without the argument checks."""
    return SVD.apply(A, full_matrices)


def _check_svd(op, A):
    need_tensor(op, A, "A")
    need_float("linalg.svd", A, half="linalg_svd_cpu")
    need_matrix("linalg.svd", A, square=False)


@autocast_op("linalg.svd")
def svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh, S descending (torch.linalg.svd); full_matrices=False
    gives the reduced factors (k = min(m, n) columns of U, rows of Vh)."""
    _check_svd("linalg.svd", A)
    need_bool("linalg.svd", full_matrices, "full_matrices")
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
    from ..return_types import linalg_svd
    return linalg_svd(SVD.apply(A, full_matrices))


@autocast_op("linalg.svdvals")
def svdvals(A, *, driver=None, out=None):
    """The singular values of A, descending (torch.linalg.svdvals)."""
    _check_svd("linalg.svdvals", A)
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
    if A.requires_grad and autograd.is_grad_enabled():
        return SVD.apply(A, False)[1]
    from ..autograd import wrap
    return wrap(_svd_values(A.data))


def _svd_values(a):
    xp = array_module(a)
    if a.size == 0:
        return xp.zeros(a.shape[:-2] + (min(a.shape[-2:]),), a.dtype)
    return xp.linalg.svd(a, compute_uv=False)
