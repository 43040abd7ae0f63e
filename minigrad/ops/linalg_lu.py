"""LU and Cholesky-factor solvers: torch.linalg.lu_factor, lu_factor_ex, lu, lu_solve,
torch.lu_unpack, cholesky_solve, cholesky_inverse, triangular_solve.

A = P L U (partial pivoting; pivots are LAPACK's 1-based int32 row swaps). torch's
linalg_lu_backward, with gL, gU the gradients of the strict lower / upper parts of LU:
    m == n:  dA = P L^{-T} (tril(L^T gL, -1) + triu(gU U^T)) U^{-T}
    m < n:   dA = P L^{-T} [tril(L^T gL - gU U^T, -1) U1^{-T} + triu(gU1), gU2]
    m > n:   dA = P [triu(gU U^T - L^T gL) ... ] (the transposed form, solved with L1, U)
lu, lu_unpack and lu_solve are compositions (tril/triu of LU, triangular solves), so their
gradients follow from the parts. cholesky_solve and cholesky_inverse use torch's formulas,
which give a full (not triangular) gradient for the factor:
    cholesky_solve:   dB = A^{-1} G,  C = dB X^T + X dB^T,  dL = -C L  (upper: -U C)
    cholesky_inverse: C = Y (G + G^T) Y,  dL = -C L  (upper: -U C),  Y = A^{-1}
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op
from ..backend import array_module
from ..forward_rules import from_backward
from .checks import need_bool, need_tensor
from .linalg_common import getrf, need_float, need_matrix, same_dtype
from .linalg_solve import SolveTriangular, _trsm, solve_triangular

_LU_MSG = ("torch.linalg.lu_factor: {}U[{k},{k}] is zero and using it on lu_solve would result "
           "in a division by zero. If you still want to perform the factorization, consider "
           "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


def _unpack(lu, piv):
    """(P, L, U) Tensors from an LU Tensor and 1-based pivots (arrays for P)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    from ..creation import eye
    low = lu[..., :, :k].tril(-1) + eye(m, k, dtype=lu.dtype)
    up = lu[..., :k, :].triu()
    return perm_matrix(piv, m, lu.dtype), low, up


def perm_matrix(piv, m, dtype):
    """P with A = P L U from LAPACK's 1-based pivots (..., k), as a Tensor."""
    from ..autograd import wrap
    p = piv.data if hasattr(piv, "data") and not isinstance(piv, np.ndarray) else piv
    xp = array_module(p)
    host = np.asarray(p.get() if xp is not np else p)
    host = host.reshape(math.prod(host.shape[:-1]), host.shape[-1])
    out = np.zeros((host.shape[0], m, m), dtype)
    for b in range(host.shape[0]):
        perm = np.arange(m)
        for i, q in enumerate(host[b]):
            perm[i], perm[q - 1] = perm[q - 1], perm[i]
        out[b, perm, np.arange(m)] = 1
    return wrap(xp.asarray(out.reshape(p.shape[:-1] + (m, m))))


class LUFactor(Op):
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        lu, piv, info = getrf(a)
        piv = (piv + 1).astype(np.int32)
        ctx.save_for_backward(lu)
        ctx.piv = piv
        return lu, piv, xp.asarray(info)

    @staticmethod
    def backward(ctx, g, _, __):
        lu, = ctx.saved_tensors            # torch's linalg_lu_backward (module docstring)
        p, low, up = _unpack(lu, ctx.piv)
        m, n = lu.shape[-2:]
        k = min(m, n)
        gl, gu = g[..., :, :k].tril(-1), g[..., :k, :].triu()
        if m == n:
            ga = (low.mT @ gl).tril(-1) + (gu @ up.mT).triu()
            ga = SolveTriangular.apply(up.mT, ga, False, False, False)
            ga = SolveTriangular.apply(low.mT, ga, True, True, True)
        elif m < n:
            from .shape import cat
            ga = (low.mT @ gl - gu @ up.mT).tril(-1)
            ga = SolveTriangular.apply(up[..., :k].mT, ga, False, False, False)
            ga = cat([ga + gu[..., :k].triu(), gu[..., k:]], -1)
            ga = SolveTriangular.apply(low.mT, ga, True, True, True)
        else:
            from .shape import cat
            ga = (gu @ up.mT - low.mT @ gl).triu()
            ga = SolveTriangular.apply(low[..., :k, :].mT, ga, True, True, True)
            ga = cat([ga + gl[..., :k, :].tril(-1), gl[..., k:, :]], -2)
            ga = SolveTriangular.apply(up.mT, ga, False, False, False)
        return p @ ga

    jvp = from_backward         # J v by the double-vjp identity (exact)


def _lu_factor(op, A, pivot):
    need_tensor(op, A, "A")
    need_bool(op, pivot, "pivot")
    need_float(op, A, half="lu_cpu", ints="lu_cpu")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A.shape)} instead")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    return LUFactor.apply(A)


def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots) of A = P L U, L unit lower and U upper packed in LU, pivots 1-based int32
    (torch.linalg.lu_factor); an exactly singular U raises RuntimeError as torch's."""
    lu, piv, info = _lu_factor("linalg.lu_factor", A, pivot)
    bad = np.flatnonzero(np.asarray(info.data.get() if hasattr(info.data, "get")
                                    else info.data).reshape(-1))
    if bad.size:
        k = int(np.asarray(info.data).reshape(-1)[bad[0]])
        where = f"(Batch element {bad[0]}): " if A.ndim > 2 else ""
        raise RuntimeError(_LU_MSG.format(where, k=k))
    from ..return_types import linalg_lu_factor
    return linalg_lu_factor((lu, piv))


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info) (torch.linalg.lu_factor_ex): info k > 0 when U[k-1, k-1] == 0."""
    need_bool("linalg.lu_factor_ex", check_errors, "check_errors")
    if check_errors:
        lu_factor(A, pivot=pivot)
    from ..return_types import linalg_lu_factor_ex
    return linalg_lu_factor_ex(_lu_factor("linalg.lu_factor_ex", A, pivot))


def lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U (torch.linalg.lu); singular A is fine."""
    lu_, piv, _ = _lu_factor("linalg.lu", A, pivot)
    from ..return_types import linalg_lu
    return linalg_lu(_unpack(lu_, piv))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from lu_factor's (LU, pivots) (torch.lu_unpack); a part not unpacked is an
    empty tensor."""
    need_tensor("lu_unpack", LU_data, "LU_data", 1)
    need_tensor("lu_unpack", LU_pivots, "LU_pivots", 2)
    if LU_pivots.dtype != np.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of "
                           "torch.int32 dtype. Note: this function is intended to be used "
                           "with the output produced by torch.linalg.lu_factor")
    from ..autograd import wrap
    from ..return_types import lu_unpack as named
    p, low, up = _unpack(LU_data, LU_pivots)
    xp = array_module(LU_data.data)
    empty = wrap(xp.empty((0,), LU_data.dtype))
    return named((p if unpack_pivots else empty, low if unpack_data else empty,
                  up if unpack_data else empty))


@autocast_op("lu_solve")
def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (left) or X A = B, A^T when adjoint, from A's lu_factor
    (torch.linalg.lu_solve)."""
    op = "linalg.lu_solve"
    need_tensor(op, LU, "LU", 1)
    need_tensor(op, pivots, "pivots", 2)
    need_tensor(op, B, "B", 3)
    need_bool(op, left, "left")
    need_bool(op, adjoint, "adjoint")
    need_float(op, LU, name="LU", half="lu_solve_cpu", ints="lu_solve_cpu")
    same_dtype(op, LU, B, "LU", "B")
    need_matrix(op, LU, name="LU")
    if B.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    if not left:                        # X A = B  <=>  A^T X^T = B^T
        return lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    n = LU.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation AX = B "
                           f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    p, low, up = _unpack(LU, pivots)
    if not adjoint:                     # X = U^{-1} L^{-1} P^T B
        y = solve_triangular(low, p.mT @ B, upper=False, unitriangular=True)
        return solve_triangular(up, y, upper=True)
    y = solve_triangular(up.mT, B, upper=False)     # X = P L^{-T} U^{-T} B
    return p @ solve_triangular(low.mT, y, upper=True, unitriangular=True)


def torch_lu_solve(b, LU_data, LU_pivots, *, out=None):
    """torch.lu_solve (deprecated): linalg.lu_solve(LU_data, LU_pivots, b)."""
    warnings.warn("torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be "
                  "removed in a future PyTorch release.\nNote that torch.linalg.lu_solve has its "
                  "arguments reversed.\nX = torch.lu_solve(B, LU, pivots)\nshould be replaced "
                  "with\nX = torch.linalg.lu_solve(LU, pivots, B)", UserWarning, stacklevel=2)
    return lu_solve(LU_data, LU_pivots, b)


# ---- Cholesky-factor solves -----------------------------------------------------------------
class CholeskySolve(Op):
    @staticmethod
    def forward(ctx, b, f, upper):
        ctx.upper = upper               # A = L L^T (or U^T U): X = A^{-1} B by two trsm
        y = _trsm(f, b, upper, True, False) if not upper else \
            _trsm(f.swapaxes(-1, -2), b, False, True, False)
        x = _trsm(f.swapaxes(-1, -2), y, True, True, False) if not upper else \
            _trsm(f, y, True, True, False)
        ctx.save_for_backward(f, x)
        return x

    @staticmethod
    def backward(ctx, g):
        f, x = ctx.saved_tensors           # dB = A^{-1} G; C = dB X^T + X dB^T; dL = -C L
        gb = CholeskySolve.apply(g, f, ctx.upper)
        c = gb @ x.mT
        c = c + c.mT
        return gb, (-(f @ c) if ctx.upper else -(c @ f)), None

    jvp = from_backward         # J v by the double-vjp identity (exact)


@autocast_op("cholesky_solve")
def cholesky_solve(B, L, upper=False, *, out=None):
    """X = A^{-1} B with A = L L^T (upper: U^T U), batched and broadcast
    (torch.cholesky_solve; the factor's gradient is torch's full-matrix formula)."""
    op = "cholesky_solve"
    need_tensor(op, B, "input", 1)
    need_tensor(op, L, "input2", 2)
    need_bool(op, upper, "upper")
    need_float(op, B, half="cholesky_solve_cpu", ints="cholesky_solve_cpu")
    same_dtype(op, B, L, "self", "A")
    if B.ndim < 2 or L.ndim < 2:
        raise RuntimeError(f"{op}: u should have at least 2 dimensions, but has {L.ndim} "
                           "dimensions instead" if L.ndim < 2 else
                           f"{op}: b should have at least 2 dimensions, but has {B.ndim} "
                           "dimensions instead")
    need_matrix(op, L, name="A")
    n = L.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"{op}: Incompatible matrix sizes for cholesky_solve: each A matrix "
                           f"is {n} by {n} but each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    batch = np.broadcast_shapes(tuple(B.shape[:-2]), tuple(L.shape[:-2]))
    return CholeskySolve.apply(B.expand(*batch, *B.shape[-2:]), L.expand(*batch, n, n), upper)


class CholeskyInverse(Op):
    @staticmethod
    def forward(ctx, f, upper):
        xp = array_module(f)
        ctx.upper = upper
        eye = xp.broadcast_to(xp.eye(f.shape[-1], dtype=f.dtype), f.shape).copy()
        w = _trsm(f, eye, upper, True, False)       # L^{-1} (upper: U^{-1} from the right)
        y = w.swapaxes(-1, -2) @ w if not upper else w @ w.swapaxes(-1, -2)
        ctx.save_for_backward(f, y)
        return y

    @staticmethod
    def backward(ctx, g):
        f, y = ctx.saved_tensors           # C = Y (G + G^T) Y; dL = -C L (upper: -U C)
        c = y @ (g + g.mT) @ y
        return (-(f @ c) if ctx.upper else -(c @ f)), None

    @staticmethod
    def jvp(ctx, *_):
        raise NotImplementedError("cholesky_inverse: forward-mode AD is not supported by minigrad: "
                                  "torch 2.13's forward-mode result for cholesky_inverse is "
                                  "wrong (it disagrees with finite differences and with its own "
                                  "backward), so minigrad refuses rather than differ from it")


@autocast_op("cholesky_inverse")
def cholesky_inverse(L, upper=False, *, out=None):
    """(L L^T)^{-1} (upper: (U^T U)^{-1}) from a Cholesky factor (torch.cholesky_inverse)."""
    op = "cholesky_inverse"
    need_tensor(op, L, "input")
    need_bool(op, upper, "upper")
    need_float(op, L, half="cholesky_inverse_out_cpu", ints="cholesky_inverse_out_cpu")
    if L.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor input must have at least 2 dimensions.")
    need_matrix(op, L, name="input")
    return CholeskyInverse.apply(L, upper)


@autocast_op("triangular_solve")
def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """(solution, cloned_coefficient): X with A X = b (A^T X = b when transpose), reading
    one triangle of A (torch.triangular_solve, deprecated there)."""
    op = "triangular_solve"
    need_tensor(op, b, "input", 1)
    need_tensor(op, A, "A", 2)
    for name, v in (("upper", upper), ("transpose", transpose),
                    ("unitriangular", unitriangular)):
        need_bool(op, v, name)
    warnings.warn("torch.triangular_solve is deprecated in favor of "
                  "torch.linalg.solve_triangularand will be removed in a future PyTorch "
                  "release.\ntorch.linalg.solve_triangular has its arguments reversed and does "
                  "not return a copy of one of the inputs.\nX = torch.triangular_solve(B, "
                  "A).solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, "
                  "B).", UserWarning, stacklevel=2)
    for name, t in (("b", b), ("A", A)):
        if t.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {name} to have at least 2 "
                               f"dimensions, but it has {t.ndim} dimensions instead")
    from .arith import torch_name
    if b.dtype != A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{torch_name(b.dtype)} and A of type {torch_name(A.dtype)} instead.")
    need_float(op, b, half="triangular_solve_cpu", ints="triangular_solve_cpu")
    if A.shape[-1] != A.shape[-2] or b.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for triangular_solve: each A matrix is "
                           f"{A.shape[-2]} by {A.shape[-1]} but each b matrix is {b.shape[-2]} "
                           f"by {b.shape[-1]}")
    coef = A.mT if transpose else A
    x = solve_triangular(coef, b, upper=upper != transpose, unitriangular=unitriangular)
    from ..return_types import triangular_solve as named
    return named((x, A.clone()))
