"""torch.geqrf and torch.ormqr: QR in LAPACK's compact Householder form, and the product of
its Q with a matrix.

geqrf(A) -> (a, tau): R on and above the diagonal of `a`, the reflectors v_i below it (with
an implicit 1 on the diagonal); Q = H_1 ... H_k, H_i = I - tau_i v_i v_i^T (LAPACK geqrf,
one matrix at a time; torch has no derivative for it). ormqr applies Q (or Q^T) on either
side as a composition of differentiable ops, so its gradients (and second derivatives) for
input, tau and other follow from the parts, as torch's OrmqrBackward gives.
"""
from __future__ import annotations

from ..autograd import Op
from ..backend import array_module
from .checks import need_bool, need_tensor
from .linalg_common import flat, is_numpy, need_float


def _geqrf(a):
    xp = array_module(a)
    a2, batch = flat(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    out = a2.copy()
    tau = xp.zeros((a2.shape[0], k), a.dtype)
    if is_numpy(a):
        from scipy.linalg import lapack
        fn = lapack.get_lapack_funcs("geqrf", (a2,))
        for i in range(a2.shape[0] if k else 0):
            out[i], tau[i] = fn(a2[i])[:2]
    else:           # pragma: no cover (CUDA only): cuSOLVER's geqrf through CuPy
        for i in range(a2.shape[0] if k else 0):
            h, tau[i] = xp.linalg.qr(a2[i], mode="raw")
            out[i] = h.T
    return out.reshape(a.shape), tau.reshape(batch + (k,))


class Geqrf(Op):
    name = "geqrf"

    @staticmethod
    def forward(ctx, a):
        return _geqrf(a)

    @staticmethod
    def backward(ctx, ga, gtau):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


def geqrf(input):
    """(a, tau): the QR factorization of (..., m, n) `input` in LAPACK's geqrf form, tau of
    shape (..., min(m, n)). Matches torch.geqrf."""
    from ..return_types import geqrf as result
    need_tensor("geqrf", input, "input", 1)
    if input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    need_float("torch.geqrf", input, half="geqrf_cpu", ints="geqrf_cpu")
    return result(Geqrf.apply(input))


def _check_ormqr(input, tau, other, left, transpose):
    op = "torch.ormqr"
    need_tensor("ormqr", input, "input", 1)
    need_tensor("ormqr", tau, "tau", 2)
    need_tensor("ormqr", other, "other", 3)
    need_bool("ormqr", left, "left", 4)
    need_bool("ormqr", transpose, "transpose", 5)
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if other.ndim < 2:
        raise RuntimeError(f"{op}: other must have at least 2 dimensions.")
    # torch's checks, in its order (its message has no space after "dtype")
    side = -2 if left else -1
    if tau.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    k = tau.shape[-1]
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f"{op}: other.shape[{side}] must be equal to input.shape[-2]")
    if k != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(f"{op}: tau.shape[-1] must be equal to min(other.shape[{side}], "
                           "input.shape[-1])")
    if input.ndim - tau.ndim != 1:
        raise RuntimeError(f"{op}: Expected tau to have one dimension less than input, but "
                           f"got tau.ndim equal to {tau.ndim} and input.ndim is equal to "
                           f"{input.ndim}")
    if input.ndim != other.ndim:
        raise RuntimeError(f"{op}: Expected other to have the same number of dimensions as "
                           f"input, but got other.ndim equal to {other.ndim} and input.ndim "
                           f"is equal to {input.ndim}")
    for name, t, shp in (("tau", tau, tau.shape[:-1]), ("other", other, other.shape[:-2])):
        if tuple(shp) != tuple(input.shape[:-2]):
            raise RuntimeError(f"{op}: Expected batch dimensions of {name} to be equal to "
                               f"input.shape[:-2], but got {list(shp)}")
    need_float(op, input, half="ormqr_cpu", ints="ormqr_cpu")
    for name, t in (("tau", tau), ("other", other)):
        if t.dtype != input.dtype:
            from .arith import torch_name
            raise RuntimeError(f"{op}: Expected input and {name} to have the same dtype, but "
                               f"input has dtype{torch_name(input.dtype)} and {name} has "
                               f"dtype {torch_name(t.dtype)}")


def ormqr(input, tau, other, left=True, transpose=False):
    """op(Q) @ other (left) or other @ op(Q), Q = H_1 ... H_k from geqrf's (input, tau) and
    op the transpose when `transpose`. Differentiable in input, tau and other.
    Matches torch.ormqr."""
    _check_ormqr(input, tau, other, left, transpose)
    from ..creation import eye
    k, mn = tau.shape[-1], input.shape[-2]
    v = input[..., :, :k].tril(-1) + eye(mn, k, dtype=input.dtype, device=input.device)
    c = other
    # Q C = H_1 (... (H_k C)); Q^T C = H_k ... H_1 C; C Q = C H_1 ... H_k; C Q^T reversed
    order = range(k) if left == transpose else range(k - 1, -1, -1)
    for i in order:
        vi, ti = v[..., :, i:i + 1], tau[..., i:i + 1].unsqueeze(-1)
        c = c - ti * vi @ (vi.mT @ c) if left else c - ti * (c @ vi) @ vi.mT
    return c * 1 if k == 0 else c       # no reflector: Q = I, a fresh copy of other
