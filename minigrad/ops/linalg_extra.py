"""torch.linalg's least squares and tensor helpers: lstsq, householder_product, tensorinv,
tensorsolve, vander.

lstsq's solution takes torch's gradient, that of X = pinv(A) B (linalg_lstsq_backward):
    dA = pinv_backward(G B^T, pinv(A), A),  dB = pinv(A)^T G
residuals = ||A X - B||^2 per column is differentiable through X (as torch's); rank and
singular_values are not. Which outputs a
driver fills, as torch's on the CPU: rank for gelsy/gelsd/gelss; singular_values for
gelsd/gelss; residuals (squared column norms of A X - B) for gels/gelsd/gelss when m > n and
every matrix has full rank; the others are empty tensors.
householder_product is the product H_1 ... H_k of H_i = I - tau_i v_i v_i^T written with
differentiable ops (its gradient is the exact one, as torch's formula gives).
"""
from __future__ import annotations

import math

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_rules import from_backward
from .checks import need_int, need_str, need_tensor
from .linalg_common import need_float, no_cuda
from .linalg_more import _pinv_backward, pinv
from .linalg_solve import inv, solve

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _lstsq_arrays(a, b, rcond, driver):
    """(solution, rank, singular values) per matrix with scipy's LAPACK drivers."""
    import scipy.linalg as sl
    from scipy.linalg import lapack
    m, n = a.shape[-2:]
    k = b.shape[-1]
    sol = np.zeros(a.shape[:-2] + (n, k), a.dtype)
    rank = np.zeros(a.shape[:-2], np.int64)
    sv = np.zeros(a.shape[:-2] + (min(m, n),), a.dtype)
    if a.size == 0 or b.size == 0:
        return sol, rank, sv
    for idx in np.ndindex(*a.shape[:-2]):
        if driver == "gels":
            fn = lapack.get_lapack_funcs("gels", (a[idx],))
            bb = np.zeros((max(m, n), k), a.dtype)
            bb[:m] = b[idx]
            sol[idx] = fn(a[idx], bb)[1][:n]
            continue
        x, _, r, s = sl.lstsq(a[idx], b[idx], cond=rcond, lapack_driver=driver,
                              check_finite=False)
        sol[idx], rank[idx] = x, r
        if s is not None:
            sv[idx] = s
    return sol, rank, sv


class Lstsq(Op):
    @staticmethod
    def forward(ctx, a, b, rcond, driver):
        sol, rank, sv = _lstsq_arrays(a, b, rcond, driver)
        ctx.extra = (rank, sv)
        ctx.save_for_backward(a, b)
        return sol

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors           # X = pinv(A) B: dA = pinv_backward(G B^T), dB
        p = pinv(a)
        ga = _pinv_backward(g @ b.mT, p, a) if ctx.needs_input_grad[0] else None
        gb = p.mT @ g if ctx.needs_input_grad[1] else None
        return ga, gb, None, None

    jvp = from_backward         # J v by the double-vjp identity (exact)


@autocast_op("linalg.lstsq")
def lstsq(A, B, rcond=None, *, driver=None):
    """(solution, residuals, rank, singular_values) of min ||A X - B||_F per matrix
    (torch.linalg.lstsq; CPU drivers gelsy (default), gelsd, gelss, gels)."""
    op = "torch.linalg.lstsq"
    need_tensor("linalg.lstsq", A, "self", 1)
    need_tensor("linalg.lstsq", B, "b", 2)
    if A.dtype.kind != "f" or A.dtype.itemsize < 4:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if A.dtype != B.dtype:
        raise RuntimeError(f"{op}: Expected input and other to have the same dtype, but got "
                           f"input's dtype {A.dtype} and other's dtype {B.dtype}")
    if driver is None:
        driver = "gelsy"
    need_str("linalg.lstsq", driver, "driver")
    if driver not in _DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           "gelss)")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if not (A.ndim >= B.ndim and A.ndim - B.ndim <= 1) or B.ndim == 0:
        raise RuntimeError(f"{op}: input.dim() must be greater or equal to other.dim() and "
                           "(input.dim() - other.dim()) <= 1")
    no_cuda(A.data, "linalg.lstsq", "least squares")
    vector = B.ndim == A.ndim - 1
    B2 = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2:]
    if B2.shape[-2] != m:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size(-2)"
                           if not vector else f"{op}: input.size(-2) should match other.size(-1)")
    batch = np.broadcast_shapes(tuple(A.shape[:-2]), tuple(B2.shape[:-2]))
    A2, B3 = A.expand(*batch, m, n), B2.expand(*batch, m, B2.shape[-1])
    eps = np.finfo(A.dtype).eps * max(m, n)
    rc = eps if rcond is None else float(rcond)
    if rc <= 0:
        rc = eps
    x = Lstsq.apply(A2, B3, rc, driver)
    rank, sv = x.grad_fn.extra if x.grad_fn is not None else _lstsq_arrays(
        A2.data, B3.data, rc, driver)[1:]
    xp = array_module(A.data)
    empty_f = wrap(xp.empty((0,), A.dtype))
    full = driver == "gels" or bool((rank == n).all())
    if driver != "gelsy" and m > n and full and A2.numel():
        res = ((A2 @ x - B3) ** 2).sum(-2)     # differentiable, as torch's
    else:
        res = empty_f
    rank_t = wrap(xp.asarray(rank)) if driver != "gels" else wrap(xp.empty((0,), np.int64))
    sv_t = wrap(xp.asarray(sv)) if driver in ("gelsd", "gelss") else empty_f
    from ..return_types import linalg_lstsq
    return linalg_lstsq((x.squeeze(-1) if vector else x, res, rank_t, sv_t))


@autocast_op("linalg.householder_product")
def householder_product(A, tau, *, out=None, _name="linalg.householder_product"):
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T with v_i the i-th column
    of A below the diagonal and 1 on it (torch.linalg.householder_product, LAPACK's orgqr)."""
    op = "torch.linalg.householder_product"
    need_tensor(_name, A, "input", 1)
    need_tensor(_name, tau, "tau", 2)
    need_float(op, A, half="orgqr_cpu", ints="orgqr_cpu")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    m, n = A.shape[-2:]
    k = tau.shape[-1] if tau.ndim else 0
    if m < n:
        raise RuntimeError(f"{op}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if n < k:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if tau.dtype != A.dtype:
        from .arith import torch_name
        raise RuntimeError(f"{op}: tau dtype {torch_name(tau.dtype)} does not match input dtype "
                           f"{torch_name(A.dtype)}")
    if tau.ndim != A.ndim - 1 or tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{op}: Expected batch dimensions of tau to be equal to "
                           "input.shape[:-2]")
    from ..creation import eye
    v = A[..., :, :k].tril(-1) + eye(m, k, dtype=A.dtype)
    q = eye(m, dtype=A.dtype).expand(*A.shape[:-2], m, m)
    for i in range(k):
        vi = v[..., :, i:i + 1]
        q = q - (q @ vi) * tau[..., i:i + 1].unsqueeze(-1) @ vi.mT
    if k == 0:                          # no reflector: the identity, still a result of A
        from .linalg_more import keep_graph
        return keep_graph(q[..., :, :n], A)
    return q[..., :, :n]


@autocast_op("linalg.tensorinv")
def tensorinv(A, ind=2, *, out=None):
    """The inverse with respect to tensordot: shape A.shape[ind:] + A.shape[:ind]
    (torch.linalg.tensorinv)."""
    need_tensor("linalg.tensorinv", A, "A")
    ind = need_int("linalg.tensorinv", ind, "ind")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(A.shape[:ind]), math.prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return inv(A.reshape(rows, cols)).reshape(*A.shape[ind:], *A.shape[:ind])


@autocast_op("linalg.tensorsolve")
def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B, X of shape A.shape[B.ndim:]
    (torch.linalg.tensorsolve; dims: A's dims moved to the end first)."""
    need_tensor("linalg.tensorsolve", A, "A", 1)
    need_tensor("linalg.tensorsolve", B, "B", 2)
    if dims is not None:
        from .layout import movedim
        dims = list(dims)
        A = movedim(A, dims, list(range(A.ndim - len(dims), A.ndim)))
    cols = math.prod(A.shape[B.ndim:])
    rows = B.numel()
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) "
                           f"== prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    if math.prod(A.shape[:B.ndim]) != rows:
        raise RuntimeError(f"linalg.tensorsolve: A's leading dims {tuple(A.shape[:B.ndim])} do "
                           f"not match B's shape {tuple(B.shape)}")
    return solve(A.reshape(rows, cols), B.reshape(rows)).reshape(*A.shape[B.ndim:])


def vander(x, *, N=None):
    """The Vandermonde matrix (..., n, N) with columns x^0, x^1, ..., x^(N-1); integer inputs
    give int64 (torch.linalg.vander)."""
    need_tensor("linalg.vander", x, "x")
    from .arith import torch_name
    if x.dtype.kind == "b" or x.dtype == np.float16:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, "
                           f"but got {torch_name(x.dtype)}")
    if x.ndim == 0:
        raise RuntimeError("N must be greater than 1.")
    N = x.shape[-1] if N is None else need_int("linalg.vander", N, "N")
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    if x.dtype.kind in "iu":
        x = x.to(np.int64)
    from .scan import cumprod
    from .shape import cat
    one = (x.unsqueeze(-1) * 0 + 1)
    return cumprod(cat([one, x.unsqueeze(-1).expand(*x.shape, N - 1)], -1), -1)


@autocast_op("orgqr")
def orgqr(input, tau):
    """torch.orgqr: linalg.householder_product."""
    return householder_product(input, tau, _name="orgqr")
