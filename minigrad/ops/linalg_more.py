"""torch.linalg's functions built on the decompositions: pinv, matrix_power, matrix_exp,
matrix_rank, cond, cross, multi_dot, vecdot, tensorinv, tensorsolve, vander, and the aliases
matmul and diagonal.

    pinv (torch's pinv_backward, a function of A and P = pinv(A) only), for m <= n:
        K = G^T P;  dA = -(P K)^T + K P^T - A P K P^T + P^T P (G^T - K A)
    (m > n: the transposed form).  A rank change at the cut-off is not differentiable.
    matrix_exp: dA = the upper-right block of exp([[A^T, G], [0, A^T]]) (Frechet derivative),
    an op of the same kind, so double backward works.
Compositions (matrix_power, cross, multi_dot, vecdot, cond) take their gradients from their
parts. cond: p None/2/-2 from the singular values (any shape), the other p from
norm(A, p) * norm(inv(A), p) on square matrices (inf where A is singular).
"""
from __future__ import annotations

import math

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_rules import from_backward
from .checks import need_bool, need_int, need_tensor
from .linalg_common import need_float, need_matrix, same_dtype, scipy_linalg
from .linalg_solve import inv, inv_ex


def _pinv_backward(g, p, a):
    m, n = a.shape[-2:]
    ph, gh = p.mT, g.mT
    if m <= n:
        k = gh @ p
        kph = k @ ph
        return -(p @ k).mT + kph - (a @ p) @ kph + (ph @ p) @ (gh - k @ a)
    k = p @ gh
    phk = ph @ k
    return -(k @ p).mT + ((gh - a @ k) @ p) @ ph + phk - (phk @ p) @ a


class Pinv(Op):
    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        xp = array_module(a)
        m, n = a.shape[-2:]
        if a.size == 0:
            p = xp.zeros(a.shape[:-2] + (n, m), a.dtype)
        elif hermitian:
            w, v = xp.linalg.eigh(a)
            wa = abs(w)
            tol = xp.maximum(atol[..., None], rtol[..., None] * wa.max(-1, keepdims=True))
            with np.errstate(all="ignore"):
                winv = xp.where(wa > tol, 1 / w, 0).astype(a.dtype)
            p = (v * winv[..., None, :]) @ v.swapaxes(-1, -2)
        else:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
            tol = xp.maximum(atol[..., None], rtol[..., None] * s[..., :1])
            with np.errstate(all="ignore"):
                sinv = xp.where(s > tol, 1 / s, 0).astype(a.dtype)
            p = (vh.swapaxes(-1, -2) * sinv[..., None, :]) @ u.swapaxes(-1, -2)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors           # torch's pinv_backward
        return _pinv_backward(g, p, a), None, None, None

    jvp = from_backward         # J v by the double-vjp identity (exact)


def _tol(op, A, v, name):
    """atol/rtol as an array broadcast against the batch dims (None -> None)."""
    if v is None:
        return None
    xp = array_module(A.data)
    if isinstance(v, type(A)):
        return xp.asarray(v.data, dtype=A.dtype)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"{op}(): argument '{name}' must be float or Tensor, not "
                        f"{type(v).__name__}")
    return xp.asarray(float(v), dtype=A.dtype)


def _tols(op, A, atol, rtol):
    """torch's defaults: atol 0; rtol eps * max(m, n) where atol is None or <= 0, else 0."""
    xp = array_module(A.data)
    at, rt = _tol(op, A, atol, "atol"), _tol(op, A, rtol, "rtol")
    eps = np.finfo(A.dtype).eps * max(A.shape[-2:])
    if rt is None:
        rt = xp.asarray(eps, A.dtype) if at is None else xp.where(at > 0, 0, eps).astype(A.dtype)
    at = xp.asarray(0.0, A.dtype) if at is None else at
    shape = np.broadcast_shapes(at.shape, rt.shape, tuple(A.shape[:-2]))
    return xp.broadcast_to(at, shape), xp.broadcast_to(rt, shape)


def _pinv_check(op, A):
    need_tensor(op, A, "input")
    if A.ndim < 2 or A.dtype.kind != "f" or A.dtype.itemsize < 4:
        from .arith import torch_name
        raise RuntimeError(f"linalg.pinv({torch_name(A.dtype)}{{{list(A.shape)}}}): expected a "
                           "tensor with 2 or more dimensions of float, double, cfloat or cdouble "
                           "types")


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The pseudoinverse (..., n, m) of A (..., m, n): singular values (or |eigenvalues|
    with hermitian=True) <= max(atol, rtol * largest) count as zero (torch.linalg.pinv)."""
    _pinv_check("linalg.pinv", A)
    need_bool("linalg.pinv", hermitian, "hermitian")
    if hermitian:
        need_matrix("linalg.eigh", A)
    at, rt = _tols("linalg.pinv", A, atol, rtol)
    return Pinv.apply(A, at, rt, hermitian)


@autocast_op("pinverse")
def pinverse(input, rcond=1e-15):
    """torch.pinverse: linalg.pinv with rtol=rcond."""
    return pinv(input, rtol=rcond)


@autocast_op("linalg.matrix_rank")
def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    """The number of singular values (|eigenvalues| when hermitian) above max(atol, rtol *
    largest), int64 (torch.linalg.matrix_rank; `tol` is the older name of atol)."""
    op = "linalg.matrix_rank"
    need_tensor(op, A, "input")
    need_bool(op, hermitian, "hermitian")
    if A.dtype.kind != "f" or A.dtype.itemsize < 4:
        raise RuntimeError("This function doesn't handle types other than float and double")
    need_matrix(op, A, square=hermitian)
    if tol is not None:
        atol, rtol = tol, (0.0 if rtol is None else rtol)
    at, rt = _tols(op, A, atol, rtol)
    a = A.data
    xp = array_module(a)
    if a.size == 0:
        return wrap(xp.zeros(a.shape[:-2], np.int64))
    s = abs(xp.linalg.eigvalsh(a)) if hermitian else xp.linalg.svd(a, compute_uv=False)
    tolv = xp.maximum(at, rt * s.max(-1))
    return wrap((s > tolv[..., None]).sum(-1).astype(np.int64))


class MatrixExp(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        if a.size == 0:
            return a.copy()
        sl = scipy_linalg(a, "linalg.matrix_exp")
        if array_module(a) is np:
            return sl.expm(a).astype(a.dtype, copy=False)
        out = array_module(a).empty_like(a)     # pragma: no cover (CUDA only)
        for idx in np.ndindex(*a.shape[:-2]):
            out[idx] = sl.expm(a[idx])
        return out

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors             # dA = exp([[A^T, G], [0, A^T]])[:n, n:]
        from .shape import cat
        n = a.shape[-1]
        at = a.mT
        top = cat([at, g], -1)
        bottom = cat([g * 0, at], -1)
        return MatrixExp.apply(cat([top, bottom], -2))[..., :n, n:]

    jvp = from_backward         # J v by the double-vjp identity (exact)


def matrix_exp(A):
    """exp(A) = sum_k A^k / k! of each square matrix (torch.linalg.matrix_exp)."""
    need_tensor("linalg.matrix_exp", A, "A")
    need_float("linalg.matrix_exp", A, half=True)
    need_matrix("linalg.matrix_exp", A)
    if A.dtype == np.float16:       # torch 2.13's CPU float16 result is wrong (quirk): refuse
        raise RuntimeError("linalg.matrix_exp: float16 is not supported by minigrad (torch's "
                           "CPU float16 matrix_exp returns wrong values); use float32")
    return MatrixExp.apply(A)


def matrix_power(A, n, *, out=None):
    """A^n by repeated squaring; n = 0 gives identities, n < 0 powers of inv(A)
    (torch.linalg.matrix_power)."""
    op = "linalg.matrix_power"
    need_tensor(op, A, "A")
    n = need_int(op, n, "n")
    need_matrix(op, A)
    if n == 0:                          # identities that depend on A (zero gradient)
        from ..creation import eye
        return keep_graph(eye(A.shape[-1], dtype=A.dtype).expand(*A.shape), A)
    if n < 0:
        A, n = inv(A), -n
    if n >= 2 and A.dtype.kind == "b":
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    if n == 1:
        return A.clone()
    result, z = None, A
    while n > 0:                        # torch's binary decomposition of n
        if n & 1:
            result = z if result is None else result @ z
        n >>= 1
        if n:
            z = z @ z
    return result


def keep_graph(value, like):
    """value, as a result of `like` with a zero gradient (torch's result requires grad)."""
    from ..autograd import wrap
    from .compare import where
    xp = array_module(like.data)
    return where(wrap(xp.ones(like.shape, dtype=bool)), value, like)


def cross(input, other, *, dim=-1, out=None):
    """The cross product along dim (size 3), broadcast (torch.linalg.cross)."""
    op = "linalg.cross"
    need_tensor(op, input, "input", 1)
    need_tensor(op, other, "other", 2)
    dim = need_int(op, dim, "dim")
    if input.dtype != other.dtype:
        raise RuntimeError(f"{op}: expected both inputs to have the same dtype, got "
                           f"{input.dtype} and {other.dtype}")
    if input.dtype.kind == "b":
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    nd = max(input.ndim, other.ndim)
    if not -nd <= dim < max(nd, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, "
                         f"{nd - 1}], but got {dim})")
    sa = input.shape[dim] if input.ndim else None
    sb = other.shape[dim] if other.ndim else None
    if sa != 3 or sb != 3:
        raise RuntimeError(f"{op}: inputs dimension {dim} must have length 3. Got {sa} and {sb}")
    try:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    except ValueError:
        raise RuntimeError(f"{op}: the shapes {tuple(input.shape)} and {tuple(other.shape)} "
                           "are not broadcastable") from None
    a, b = input.expand(*shape), other.expand(*shape)
    from .tile import roll                  # c_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1}
    return roll(a, -1, dim) * roll(b, 1, dim) - roll(a, 1, dim) * roll(b, -1, dim)


@autocast_op("linalg.vecdot")
def vecdot(x, y, *, dim=-1, out=None):
    """sum(x * y, dim) with broadcasting (torch.linalg.vecdot; conj(x) for complex)."""
    op = "linalg.vecdot"
    need_tensor(op, x, "x", 1)
    need_tensor(op, y, "y", 2)
    dim = need_int(op, dim, "dim")
    need_float(op, x, half=True, name="x")
    same_dtype(op, x, y, "x", "y")
    try:
        shape = np.broadcast_shapes(tuple(x.shape), tuple(y.shape))
    except ValueError:
        raise RuntimeError(f"{op}: the shapes {tuple(x.shape)} and {tuple(y.shape)} are not "
                           "broadcastable") from None
    if not shape:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    return (x * y).sum(dim)


@autocast_op("linalg.multi_dot")
def multi_dot(tensors, *, out=None):
    """The product of a chain of matrices in the cheapest order (the first and last may be
    vectors) (torch.linalg.multi_dot)."""
    op = "multi_dot()"
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"linalg_multi_dot(): argument 'tensors' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for t in tensors:
        need_tensor("linalg_multi_dot", t, "tensors")
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"{op}: expected at least 2 tensors but got {n}")
    for k, t in enumerate(tensors):
        if k in (0, n - 1) and t.ndim not in (1, 2):
            which = "first" if k == 0 else "last"
            raise RuntimeError(f"{op}: the {which} tensor must be 1D or 2D but got {t.ndim}D")
        if 0 < k < n - 1 and t.ndim != 2:
            raise RuntimeError(f"{op}: tensor {k} must be 2D but got {t.ndim}D")
        if t.dtype != tensors[0].dtype:
            from .linalg_torch import _c_type
            raise RuntimeError(f"{op}: all tensors must have be the same dtype but tensor 0 is "
                               f"{_c_type(tensors[0].dtype)} and tensor {k} "
                               f"{_c_type(t.dtype)}")
    mats = list(tensors)
    first, last = mats[0].ndim == 1, mats[-1].ndim == 1
    if first:
        mats[0] = mats[0].unsqueeze(0)
    if last:
        mats[-1] = mats[-1].unsqueeze(-1)
    for k in range(n - 1):
        if mats[k].shape[1] != mats[k + 1].shape[0]:
            raise RuntimeError(f"{op}: tensors {k} and {k + 1} with shapes "
                               f"{list(mats[k].shape)} and {list(mats[k + 1].shape)} cannot "
                               "be multiplied")
    out = _chain(mats, _chain_order([m.shape[0] for m in mats] + [mats[-1].shape[1]]), 0, n - 1)
    if first and last:
        return out.reshape(())
    return out.squeeze(0) if first else (out.squeeze(-1) if last else out)


def _chain_order(p):
    """The matrix-chain split table (the classic O(n^3) dynamic programme, as torch's)."""
    n = len(p) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return _chain(mats, split, i, k) @ _chain(mats, split, k + 1, j)


def matmul(input, other, *, out=None):
    """torch.linalg.matmul: torch.matmul."""
    from .linalg import matmul as mm
    return mm(input, other)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """torch.linalg.diagonal: A.diagonal(offset, dim1, dim2) with keyword-only options."""
    from .matrix import diagonal as diag
    need_tensor("linalg.diagonal", A, "A")
    return diag(A, offset, dim1, dim2)


_COND_NORMS = ("fro", "nuc", float("inf"), float("-inf"), 1, -1)


@autocast_op("linalg.cond")
def cond(A, p=None, *, out=None):
    """The condition number of each matrix for the norm p (torch.linalg.cond)."""
    op = "linalg.cond"
    need_tensor(op, A, "A")
    if p is not None and p not in (2, -2) + _COND_NORMS:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if p is None or p in (2, -2):
        from .linalg_decomp import svdvals
        need_matrix("linalg.svd", A, square=False)
        if A.numel() == 0:
            need_float("linalg.svd", A, half="linalg_svd_cpu")
            from ..autograd import wrap
            return wrap(array_module(A.data).zeros(A.shape[:-2], A.dtype))
        s = svdvals(A)
        with np.errstate(all="ignore"):
            return s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
    need_matrix(f"linalg.cond(ord={p})", A)
    from .norms import matrix_norm
    y, info = inv_ex(A)
    if A.numel() == 0:
        return matrix_norm(A, p) * matrix_norm(y, p)
    with np.errstate(all="ignore"):
        c = matrix_norm(A, p) * matrix_norm(y, p)
    from .compare import where
    return where(info > 0, float("inf"), c)
