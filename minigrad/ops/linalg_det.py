"""Determinants: torch.linalg.det, slogdet, torch.det, logdet, slogdet (torch's formulas).

    det:      dA = g det(A) A^{-T}  (the cofactor matrix times g)
    slogdet:  d logabsdet = g A^{-T}; sign's gradient is zero (it requires grad, as torch's)
    logdet:   logabsdet where sign >= 0, nan where det < 0 (-inf where det == 0)

det's backward follows torch's two paths. Without create_graph it solves with A's LU factor
whose exactly-zero pivots are replaced by eps: for a matrix whose LU has an exact zero pivot
(det == 0 exactly) this gives a zero gradient, as torch's does (the true cofactor matrix of a
rank n-1 matrix is not zero: that is torch's quirk, matched). With create_graph, matrices with
|det| < 100 eps use the SVD formula dA = g det(U) det(V^T) U diag(prod_{j != i} s_j) V^T
(written with differentiable ops), the others solve(A^T, g det I).
"""
from __future__ import annotations

import math

import numpy as np

from .. import autograd
from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_rules import from_backward
from .linalg_common import getrf, getrs, need_float, need_matrix, need_tensor
from .linalg_solve import Solve


class Det(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(all="ignore"):     # torch factors A^T (see _det_grad_lu)
            return array_module(a).linalg.det(a.swapaxes(-1, -2))

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors             # dA = g det(A) A^{-T} (cofactors)
        if not autograd.is_grad_enabled():
            return wrap(_det_grad_lu(a.data, g.data))
        d = Det.apply(a)
        eps = np.finfo(a.data.dtype).eps
        mask = np.asarray(_host(abs(d.data) < 100 * eps)).reshape(-1)
        n = a.shape[-1]
        nb = math.prod(a.shape[:-2])
        a2, g2, d2 = a.reshape(nb, n, n), g.reshape(nb), d.reshape(nb)
        if not mask.any():
            return _cofactor_solve(a2, g2 * d2).reshape(a.shape)
        if mask.all():
            return _cofactor_svd(a2, g2).reshape(a.shape)
        from .index import GetItem      # the two groups, then back in batch order
        xp = array_module(a.data)
        sing, regular = xp.asarray(np.flatnonzero(mask)), xp.asarray(np.flatnonzero(~mask))
        parts = [_cofactor_solve(GetItem.apply(a2, regular), GetItem.apply(g2 * d2, regular)),
                 _cofactor_svd(GetItem.apply(a2, sing), GetItem.apply(g2, sing))]
        from .shape import cat
        order = np.argsort(np.concatenate([np.flatnonzero(~mask), np.flatnonzero(mask)]))
        return GetItem.apply(cat(parts, 0), xp.asarray(order)).reshape(a.shape)

    jvp = from_backward         # d det = sum(cofactors * dA)


def _host(a):
    return a.get() if hasattr(a, "get") and not isinstance(a, np.ndarray) else a


def _det_grad_lu(a, g):
    """torch's first-order path: A^{-T} (g det I) with the LU factor's zero pivots set to eps.
    torch factors A^T (a row-major A is A^T to LAPACK) and solves with that factor."""
    xp = array_module(a)
    n = a.shape[-1]
    lu, piv, _ = getrf(a.swapaxes(-1, -2))
    diag = xp.diagonal(lu, 0, -2, -1)
    sign = xp.where(xp.sum(piv != xp.arange(n), -1) % 2 == 1, -1.0, 1.0)
    det = sign * xp.prod(diag, -1)
    lu = lu + _diag_embed(xp, xp.where(diag == 0, np.finfo(a.dtype).eps, 0).astype(a.dtype))
    d = _diag_embed(xp, xp.broadcast_to((det * g)[..., None], diag.shape).astype(a.dtype))
    return getrs(lu, piv, d, trans=0)


def _diag_embed(xp, v):
    out = xp.zeros(v.shape + (v.shape[-1],), v.dtype)
    i = xp.arange(v.shape[-1])
    out[..., i, i] = v
    return out


def _cofactor_solve(a, gd):
    """A^{-T} diag(g det) for a batch (b, n, n) of regular matrices."""
    from .matrix import diag_embed
    n = a.shape[-1]
    return Solve.apply(a.mT, diag_embed(gd.unsqueeze(-1).expand(gd.shape[0], n)), False)[0]


def _cofactor_svd(a, g):
    """g det(U) det(V^T) U diag(prod_{j != i} s_j) V^T (finite for singular matrices)."""
    from .linalg_decomp import svd_parts
    u, s, vh = svd_parts(a, False)
    alpha = Det.apply(u) * Det.apply(vh)
    return (u * (prod_others(s) * (g * alpha).unsqueeze(-1)).unsqueeze(-2)) @ vh


def prod_others(s):
    """prod_{j != i} s_j along the last dim, exact with zeros (exclusive cumulative products
    from both ends)."""
    from .scan import cumprod
    from .shape import cat
    from .tile import flip
    one = s[..., :1] * 0 + 1
    left = cumprod(cat([one, s[..., :-1]], -1), -1)
    right = flip(cumprod(flip(cat([s[..., 1:], one], -1), (-1,)), -1), (-1,))
    return left * right


class Slogdet(Op):
    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        with np.errstate(all="ignore"):
            sign, logabs = xp.linalg.slogdet(a)
        sign, logabs = xp.asarray(sign, a.dtype), xp.asarray(logabs, a.dtype)
        ctx.save_for_backward(a)
        return sign, logabs

    @staticmethod
    def backward(ctx, _, g):
        a, = ctx.saved_tensors             # d logabsdet = g A^{-T}
        from .matrix import diag_embed
        n = a.shape[-1]
        return Solve.apply(a.mT, diag_embed(g.unsqueeze(-1).expand(*g.shape, n)), False)[0]

    jvp = from_backward         # d logabsdet = sum(A^{-T} * dA)


def _check(op, A, name="A"):
    need_tensor(op, A, name)
    return A


def det(A, *, out=None):
    """Determinant of each square matrix of A (..., n, n) (torch.linalg.det; 1 for 0x0)."""
    _check("linalg.det", A)
    need_float("linalg.det", A, half="lu_cpu")
    need_matrix("linalg.det", A)
    return Det.apply(A)


def slogdet(A, *, out=None):
    """(sign, logabsdet) of each square matrix: det = sign * exp(logabsdet); a singular
    matrix gives (0, -inf) (torch.linalg.slogdet)."""
    from ..return_types import linalg_slogdet
    return linalg_slogdet(_slogdet("linalg.slogdet", A))


def _slogdet(op, A):
    _check(op, A)
    need_float("linalg.slogdet", A)
    need_matrix("linalg.slogdet", A)
    return Slogdet.apply(A)


def torch_slogdet(input):
    """torch.slogdet: torch.linalg.slogdet, as a return_types.slogdet."""
    from ..return_types import slogdet as named
    return named(_slogdet("slogdet", input))


def torch_det(input):
    """torch.det: torch.linalg.det."""
    return det(input)


def logdet(input):
    """log det of each square matrix: nan where det < 0, -inf where det == 0 (torch.logdet)."""
    _check("logdet", input, "input")
    need_float("logdet", input)
    need_matrix("logdet", input)
    sign, logabs = Slogdet.apply(input)
    from .compare import where
    return where(sign == -1, float("nan"), logabs)
