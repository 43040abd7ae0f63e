"""Inverse and linear solves (torch.linalg.inv, inv_ex, solve, solve_ex, solve_triangular).

With X = A^{-1} B (left) and upstream gradient G (torch's formulas):
    inv:               dA = -Y^T G Y^T                            (Y = A^{-1})
    solve:             dB = A^{-T} G,  dA = -dB X^T
    solve_triangular:  dB = A^{-T} G (a triangular solve with the other triangle),
                       dA = tril/triu(-dB X^T) (the strict triangle when unitriangular)
Forward mode: d(A^{-1}) = -Y dA Y;  dX = A^{-1} (dB - dA X).
A right solve X A = B is the left solve A^T X^T = B^T. Each backward is written with these
same ops, so double backward works. A singular input raises LinAlgError with torch's message;
the *_ex variants return LAPACK's inf/nan result and `info` (int32) instead.
"""
from __future__ import annotations

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op
from ..backend import array_module
from .checks import need_bool, need_tensor
from .linalg_common import (eye_like, is_numpy, need_float, need_matrix, raise_info,
                            same_dtype, scipy_linalg, solve_or_info)

_INV_MSG = ("linalg.inv: The diagonal element {} is zero, the inversion could not be completed "
            "because the input matrix is singular.")
_SOLVE_MSG = "torch.linalg.solve: The solver failed because the input matrix is singular."


class Inv(Op):
    """(A^{-1}, info); with check, a singular A raises torch's LinAlgError."""

    @staticmethod
    def forward(ctx, a, check):
        xp = array_module(a)
        y, info = solve_or_info(a, eye_like(a))
        if check:
            raise_info(info, _INV_MSG, a.ndim > 2)
        ctx.save_for_backward(y)
        return y, xp.asarray(info)

    @staticmethod
    def backward(ctx, g, _):
        y, = ctx.saved_tensors             # dA = -Y^T G Y^T
        yt = y.mT
        return -(yt @ g @ yt), None

    @staticmethod
    def jvp(ctx, da, _):
        y, = ctx.saved_tensors             # dY = -Y dA Y
        return -(y @ da @ y), None


class Solve(Op):
    """(X, info) for A X = B, A (..., n, n), B (..., n, k), equal batch dims."""

    @staticmethod
    def forward(ctx, a, b, check):
        x, info = solve_or_info(a, b)
        if check:
            raise_info(info, _SOLVE_MSG, a.ndim > 2)
        ctx.save_for_backward(a, x)
        return x, array_module(a).asarray(info)

    @staticmethod
    def backward(ctx, g, _):
        a, x = ctx.saved_tensors           # dB = A^{-T} G, dA = -dB X^T
        gb = Solve.apply(a.mT, g, False)[0]
        ga = -(gb @ x.mT) if ctx.needs_input_grad[0] else None
        return ga, gb, None

    @staticmethod
    def jvp(ctx, da, db, _):
        a, x = ctx.saved_tensors           # dX = A^{-1} (dB - dA X)
        rhs = db if da is None else (-(da @ x) if db is None else db - da @ x)
        return Solve.apply(a, rhs, False)[0], None


def _inv(op, A, check):
    need_tensor(op, A, "A")
    need_matrix("linalg.inv", A)           # torch's order: the shape, then the dtype
    need_float("linalg.inv", A)
    return Inv.apply(A, check)


@autocast_op("linalg.inv")
def inv(A, *, out=None):
    """The inverse of each square matrix of A (..., n, n) (torch.linalg.inv); a singular
    matrix raises LinAlgError."""
    _no_out("linalg.inv", out)
    return _inv("linalg.inv", A, True)[0]


@autocast_op("linalg.inv_ex")
def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info) (torch.linalg.inv_ex): info[k] > 0 where matrix k is singular (its
    inverse then holds LAPACK's inf/nan); check_errors=True raises instead."""
    _no_out("linalg.inv_ex", out)
    need_bool("linalg.inv_ex", check_errors, "check_errors")
    from ..return_types import linalg_inv_ex
    return linalg_inv_ex(_inv("linalg.inv_ex", A, check_errors))


@autocast_op("inverse")
def inverse(input, *, out=None):
    """torch.inverse: torch.linalg.inv."""
    _no_out("inverse", out)
    return _inv("inverse", input, True)[0]


def _no_out(op, out):
    if out is not None:
        raise RuntimeError(f"{op}: out= is not supported by minigrad")


def is_vector_rhs(A, B):
    """torch's rule: B is a (batch of) vector(s) when 1-D, or when B.shape == A.shape[:-1]."""
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def _solve(op, A, B, left, check):
    need_tensor(op, A, "A", 1)
    need_tensor(op, B, "B", 2)
    need_bool(op, left, "left")
    need_float("linalg.solve", A, half="lu_cpu")
    same_dtype("linalg.solve", A, B)
    need_matrix("linalg.solve", A)
    vector = is_vector_rhs(A, B)
    B2 = B.unsqueeze(-1) if vector else B
    n = A.shape[-1]
    if B2.ndim < 2 or B2.shape[-2 if left else -1] != n:
        bs = f"{B2.shape[-2]}x{B2.shape[-1]}" if B2.ndim >= 2 else str(B2.shape[-1])
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{eq} ({n}x{n} and {bs})")
    if not left:                        # X A = B  <=>  A^T X^T = B^T
        A, B2 = A.mT, B2.mT
    try:
        batch = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(B2.shape[:-2]))
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dims of A {tuple(A.shape)} and B "
                           f"{tuple(B.shape)} are not broadcastable") from None
    A2 = A.expand(*batch, n, n) if tuple(A.shape[:-2]) != batch else A
    B3 = B2.expand(*batch, *B2.shape[-2:]) if tuple(B2.shape[:-2]) != batch else B2
    x, info = Solve.apply(A2, B3, check)
    info = _own_batch(info, tuple(A.shape[:-2]))
    if not left:
        x = x.mT
    return (x.squeeze(-1) if vector else x), info


def _own_batch(info, shape):
    """info over A's own batch dims (torch's), from the info over the broadcast ones."""
    if tuple(info.shape) == shape:
        return info
    data = info.data[(0,) * (info.ndim - len(shape))]
    data = data[tuple(slice(0, 1) if s == 1 else slice(None) for s in shape)]
    from ..autograd import wrap
    return wrap(data.reshape(shape))


@autocast_op("linalg.solve")
def solve(A, B, *, left=True, out=None):
    """X with A X = B (left) or X A = B, batched and broadcast over leading dims; B may be a
    (batch of) vector(s) (torch.linalg.solve). A singular A raises LinAlgError."""
    _no_out("linalg.solve", out)
    return _solve("linalg.solve", A, B, left, True)[0]


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(result, info) (torch.linalg.solve_ex): as solve, with info > 0 for singular A."""
    _no_out("linalg.solve_ex", out)
    need_bool("linalg.solve_ex", check_errors, "check_errors")
    from ..return_types import linalg_solve_ex
    return linalg_solve_ex(_solve("linalg.solve_ex", A, B, left, check_errors))


# ---- triangular solves ----------------------------------------------------------------------
def _trsm(a, b, upper, left, unit):
    """op(A)^{-1} B (left) or B A^{-1} with only A's `upper`/lower triangle read (BLAS trsm:
    a zero diagonal gives inf/nan, no error, as torch's)."""
    xp = array_module(a)
    if not is_numpy(a):                     # pragma: no cover (CUDA only)
        sl = scipy_linalg(a, "linalg.solve_triangular")
        aa = a if left else a.swapaxes(-1, -2)
        bb = b if left else b.swapaxes(-1, -2)
        out = xp.empty(bb.shape, bb.dtype)
        for idx in np.ndindex(*aa.shape[:-2]):
            out[idx] = sl.solve_triangular(aa[idx], bb[idx], trans=0 if left else 1,
                                           lower=not upper, unit_diagonal=unit,
                                           check_finite=False)
        return out if left else out.swapaxes(-1, -2)
    from scipy.linalg import blas
    out = np.empty(b.shape, b.dtype)
    fn = blas.get_blas_funcs("trsm", (a,)) if b.size else None
    with np.errstate(all="ignore"):
        for idx in np.ndindex(*a.shape[:-2]):
            if b[idx].size:
                out[idx] = fn(1.0, a[idx], b[idx], side=0 if left else 1, lower=not upper,
                              diag=1 if unit else 0)
    return out


class SolveTriangular(Op):
    @staticmethod
    def forward(ctx, a, b, upper, left, unit):
        ctx.args = (upper, left, unit)
        x = _trsm(a, b, upper, left, unit)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors           # dB = A^{-T} G; dA = tri(-dB X^T)
        upper, left, unit = ctx.args
        gb = SolveTriangular.apply(a.mT, g, not upper, left, unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -(gb @ x.mT) if left else -(x.mT @ gb)
            k = (1 if upper else -1) if unit else 0
            ga = ga.triu(k) if upper else ga.tril(k)
        return ga, gb, None, None, None

    @staticmethod
    def jvp(ctx, da, db, *_):
        a, x = ctx.saved_tensors           # dX = A^{-1} (dB - tri(dA) X)
        upper, left, unit = ctx.args
        rhs = db
        if da is not None:
            k = (1 if upper else -1) if unit else 0
            da = da.triu(k) if upper else da.tril(k)
            rhs = -(da @ x if left else x @ da) if rhs is None else \
                rhs - (da @ x if left else x @ da)
        return SolveTriangular.apply(a, rhs, upper, left, unit)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with A X = B (left) or X A = B for triangular A, reading only A's upper or lower
    triangle (and a unit diagonal when unitriangular) (torch.linalg.solve_triangular)."""
    op = "linalg.solve_triangular"
    _no_out(op, out)
    need_tensor(op, A, "A", 1)
    need_tensor(op, B, "B", 2)
    for name, v in (("upper", upper), ("left", left), ("unitriangular", unitriangular)):
        need_bool(op, v, name)
    need_float(op, A, half="triangular_solve_cpu", ints="triangular_solve_cpu")
    same_dtype(op, A, B, "A", "B")
    if A.ndim < 2 or B.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {'A' if A.ndim < 2 else 'B'} must have "
                           "at least 2 dimensions.")
    need_matrix(op, A)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    try:
        batch = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2]))
    except ValueError:
        raise RuntimeError(f"{op}: the batch dims of A {tuple(A.shape)} and B "
                           f"{tuple(B.shape)} are not broadcastable") from None
    A2 = A.expand(*batch, n, n) if tuple(A.shape[:-2]) != batch else A
    B2 = B.expand(*batch, *B.shape[-2:]) if tuple(B.shape[:-2]) != batch else B
    return SolveTriangular.apply(A2, B2, upper, left, unitriangular)
