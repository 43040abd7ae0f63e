"""torch.linalg.ldl_factor / ldl_factor_ex / ldl_solve: the Bunch-Kaufman LDL^T factorization
of symmetric (indefinite) matrices in LAPACK's sytrf format, and the solve with it (sytrs).

A = L D L^T with L unit lower triangular (times a permutation) and D block diagonal with 1x1
and 2x2 blocks. LD holds L below the diagonal and D on it (its upper part zeroed, as torch);
pivots are LAPACK's 1-based ipiv (a negative pair marks a 2x2 block). Real dtypes only (so
hermitian=True is the same factorization). torch has no derivative for these: neither here.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from .arith import torch_name
from .checks import need_bool, need_tensor
from .linalg_common import flat, need_float, need_matrix, no_cuda, same_dtype


def _sytrf(a):
    """(LD, pivots int32, info int32) of the lower sytrf of each matrix of (..., n, n)."""
    from scipy.linalg import lapack
    a2, batch = flat(a)
    n = a.shape[-1]
    ld = np.zeros_like(a2)
    piv = np.empty((a2.shape[0], n), np.int32)
    info = np.zeros(a2.shape[0], np.int32)
    fn = lapack.get_lapack_funcs("sytrf", (a2,))
    for i in range(a2.shape[0] if n else 0):
        lu, piv[i], info[i] = fn(a2[i], lower=1)
        ld[i] = np.tril(lu)
    return ld.reshape(a.shape), piv.reshape(batch + (n,)), info.reshape(batch)


def _sytrs(ld, piv, b):
    """Solve with sytrf factors for b; ld, piv and b already broadcast to one batch shape."""
    from scipy.linalg import lapack
    ld2, _ = flat(ld)
    b2, _ = flat(b)
    piv2 = piv.reshape(ld2.shape[0], piv.shape[-1]).astype(np.int32)
    out = np.empty_like(b2)
    fn = lapack.get_lapack_funcs("sytrs", (ld2,))
    with np.errstate(all="ignore"):
        for i in range(ld2.shape[0]):
            out[i] = fn(ld2[i], piv2[i], b2[i], lower=1)[0] if b2[i].size else b2[i]
    return out.reshape(b.shape)


class LdlFactor(Op):
    """Outputs (LD, pivots, info); no derivative, as torch's."""
    name = "linalg_ldl_factor_ex"

    @staticmethod
    def forward(ctx, a):
        ld, piv, info = _sytrf(a)
        ctx.mark_non_differentiable(piv, info)
        return ld, piv, info

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("derivative for aten::linalg_ldl_factor_ex is not implemented")


class LdlSolve(Op):
    name = "linalg_ldl_solve"

    @staticmethod
    def forward(ctx, ld, piv, b):
        return _sytrs(ld, piv, b)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::linalg_ldl_solve is not implemented")


def _factor(op, A, hermitian, check_errors):
    need_tensor(op, A, "A", 1)
    need_bool(op, hermitian, "hermitian")
    need_bool(op, check_errors, "check_errors")
    fn = f"torch.linalg.{op}_ex"
    need_matrix(fn, A)
    need_float(fn, A, half="ldl_factor_kernel_cpu", ints=None)
    no_cuda(A.data, fn, "the LDL factorization (LAPACK sytrf)")
    ld, piv, info = LdlFactor.apply(A)
    if check_errors:
        bad = np.flatnonzero(info.data.reshape(-1))
        if bad.size:                        # torch's own check asserts on a positive info
            k = int(bad[0])
            where = f"(Batch element {k}): " if A.ndim > 2 else ""
            raise RuntimeError(f"torch.linalg.{op}: {where}The factorization could not be "
                               f"completed because the block diagonal D is exactly singular "
                               f"(LAPACK info={int(info.data.reshape(-1)[k])}).")
    return ld, piv, info


def ldl_factor_ex(A, *, hermitian=False, check_errors=False):
    """(LD, pivots, info) of A = L D L^T for symmetric A (..., n, n), LAPACK sytrf's format;
    info > 0 where D is exactly singular. Matches torch.linalg.ldl_factor_ex."""
    from ..return_types import linalg_ldl_factor_ex
    return linalg_ldl_factor_ex(_factor("ldl_factor_ex", A, hermitian, check_errors))


def ldl_factor(A, *, hermitian=False):
    """(LD, pivots) of A = L D L^T (see ldl_factor_ex); raises where D is singular.
    Matches torch.linalg.ldl_factor."""
    from ..return_types import linalg_ldl_factor
    return linalg_ldl_factor(_factor("ldl_factor", A, hermitian, True)[:2])


def ldl_solve(LD, pivots, B, *, hermitian=False):
    """X with A X = B, A given by ldl_factor's (LD, pivots); batch dims broadcast.
    Matches torch.linalg.ldl_solve."""
    op = "torch.linalg.ldl_solve"
    need_tensor("linalg_ldl_solve", LD, "LD", 1)
    need_tensor("linalg_ldl_solve", pivots, "pivots", 2)
    need_tensor("linalg_ldl_solve", B, "B", 3)
    need_bool("linalg_ldl_solve", hermitian, "hermitian")
    if LD.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if B.ndim < 2:
        raise IndexError(f"{op}: Dimension out of range (expected to be in range of "
                         f"[-{max(B.ndim, 1)}, {max(B.ndim, 1) - 1}], but got -2)")
    need_matrix(op, LD)
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"{op}: Expected LD.shape[:-1] and pivots.shape to be the same, but "
                           f"got pivots with shape {list(pivots.shape)} instead")
    if pivots.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: Expected pivots to be integers. Got "
                           f"{torch_name(pivots.dtype)}")
    need_float(op, LD, half="ldl_solve_kernel_cpu")
    same_dtype(op, B, LD, "b", "A")
    n = LD.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {op}: each A matrix is {n} by {n} "
                           f"but each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    no_cuda(LD.data, op, "the LDL solve (LAPACK sytrs)")
    batch = np.broadcast_shapes(tuple(LD.shape[:-2]), tuple(B.shape[:-2]))
    ld = LD.expand(*batch, n, n)
    piv = wrap(np.broadcast_to(pivots.data, batch + (n,)))
    return LdlSolve.apply(ld, piv, B.expand(*batch, n, B.shape[-1]))
