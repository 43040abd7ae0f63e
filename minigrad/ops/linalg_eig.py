"""Symmetric eigendecomposition (torch.linalg.eigh, eigvalsh), and eig/eigvals, which need
complex results minigrad does not have (they raise NotImplementedError).

A = V diag(L) V^T with L ascending, reading A's lower (UPLO='L') or upper triangle. torch's
gradient (linalg_eig_backward, hermitian case), with E_ij = L_j - L_i (diagonal 1):
    K = (V^T gV - gV^T V) / 2                  (the skew-symmetric part)
    dA = V (K / E + diag(gL)) V^T              (symmetric: torch treats A as symmetric)
eigvalsh alone: dA = V diag(gL) V^T. Forward mode (torch's, dA as given, not symmetrized):
    P = V^T dA V;  dL = diag(P);  dV = V (P / E) with a zero diagonal.
Repeated eigenvalues give inf/nan where gV is nonzero, as torch's; an unused eigenvectors
output is not part of the formula (finite always). Eigenvectors are unique up to sign: NumPy's
LAPACK (syevd) and torch's agree for many inputs, not all (compare gauge-invariant products).
"""
from __future__ import annotations

from ..autocast_state import autocast_op
from .. import autograd
from ..autograd import Op, wrap
from ..backend import array_module
from .checks import need_str, need_tensor
from .linalg_common import need_float, need_matrix
from .linalg_decomp import unused_as_none


class Eigh(Op):
    @staticmethod
    def forward(ctx, a, uplo):
        xp = array_module(a)
        if a.size == 0:
            w, v = xp.zeros(a.shape[:-1], a.dtype), xp.zeros(a.shape, a.dtype)
        else:
            w, v = xp.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gl, gv):
        w, v = ctx.saved_tensors           # dA = V (skew(V^T gV) / E + diag(gL)) V^T
        gv = unused_as_none(gv)
        if gv is None:
            return (v * gl.unsqueeze(-2)) @ v.mT, None
        from .matrix import diag_embed
        vhgv = v.mT @ gv
        vhgv = 0.5 * (vhgv - vhgv.mT)
        e = w.unsqueeze(-2) - w.unsqueeze(-1) + diag_embed(w * 0 + 1)
        return v @ (vhgv / e + diag_embed(gl)) @ v.mT, None

    @staticmethod
    def jvp(ctx, da, _):
        w, v = ctx.saved_tensors           # torch's: P = V^T dA V (dA as given, not symmetrized)
        from .matrix import diag_embed    # dL = diag(P), dV = V (P / E) with a zero diagonal
        p = v.mT @ da @ v
        one = diag_embed(w * 0 + 1)
        e = w.unsqueeze(-2) - w.unsqueeze(-1) + one
        return p.diagonal(0, -2, -1), v @ ((p / e) * (1 - one))


def _check(op, A, UPLO):
    need_tensor(op, A, "A")
    need_str(op, UPLO, "UPLO")
    need_float(op, A, half="linalg_eigh_cpu", ints="linalg_eigh_cpu")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    need_matrix(op, A)


@autocast_op("linalg.eigh")
def eigh(A, UPLO="L", *, out=None):
    """(eigenvalues, eigenvectors) of symmetric matrices, eigenvalues ascending, read from the
    lower (UPLO='L') or upper triangle (torch.linalg.eigh)."""
    _check("linalg.eigh", A, UPLO)
    from ..return_types import linalg_eigh
    return linalg_eigh(Eigh.apply(A, UPLO))


@autocast_op("linalg.eigvalsh")
def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues of symmetric matrices, ascending (torch.linalg.eigvalsh)."""
    _check("linalg.eigvalsh", A, UPLO)
    if A.requires_grad and autograd.is_grad_enabled():
        return Eigh.apply(A, UPLO)[0]
    a = A.data
    xp = array_module(a)
    return wrap(xp.zeros(a.shape[:-1], a.dtype) if a.size == 0 else
                xp.linalg.eigvalsh(a, UPLO=UPLO))


def _complex(name):
    raise NotImplementedError(f"torch.linalg.{name} returns complex tensors, and minigrad has no "
                              "complex dtype; for symmetric matrices use minigrad.linalg.eigh "
                              "(or eigvalsh), whose results are real")


@autocast_op("linalg.eig")
def eig(A, *, out=None):
    """Not available: torch.linalg.eig returns complex tensors (use eigh for symmetric A)."""
    _complex("eig")


@autocast_op("linalg.eigvals")
def eigvals(A, *, out=None):
    """Not available: torch.linalg.eigvals returns complex tensors (use eigvalsh)."""
    _complex("eigvals")
