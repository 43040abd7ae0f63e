"""cdist: p-norm distances between the rows of two batches of matrices (torch.cdist).

Computed pair by pair in row blocks (memory of one block of differences, not B*P*R*M), the
gradient likewise, with torch's per-p formulas (inf: every element at the max gets the full
gradient, as torch's cdist; no split between ties). As in torch, the gradient is first
order only: differentiating it again raises.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from .arith import torch_name
from .compare import need_tensor

_BLOCK = 1 << 22            # elements of differences held at once


def _blocks(a, b):
    rows = max(1, _BLOCK // max(1, b.shape[-2] * a.shape[-1]))
    for s in range(0, a.shape[-2], rows):
        e = min(s + rows, a.shape[-2])
        yield s, e, a[..., s:e, None, :] - b[..., None, :, :]       # (B.., rows, R, M)


def _norm(diff, p, xp):
    a = xp.abs(diff)
    if p == math.inf:
        return a.max(axis=-1)
    if p == 0:
        return (diff != 0).sum(axis=-1).astype(diff.dtype)
    if p == 1:
        return a.sum(axis=-1)
    if p == 2:
        return xp.sqrt((a * a).sum(axis=-1))
    return (a ** p).sum(axis=-1) ** (1.0 / p)


def _norm_grad(diff, g, d, p, xp):
    """d dist / d x1 times g for one block; torch's _cdist_backward formulas."""
    if p == 0:
        return xp.zeros_like(diff)
    if p == 1:
        return xp.sign(diff) * g
    if p == math.inf:
        return xp.sign(diff) * (xp.abs(diff) == d) * g
    safe = xp.where(d == 0, 1, d)
    if p == 2:
        return xp.where(d == 0, 0, diff * (g / safe))
    if p < 2:
        scaled = xp.sign(diff) * xp.abs(diff) ** (p - 1)
    else:
        scaled = diff * xp.abs(diff) ** (p - 2)
    return xp.where(d == 0, 0, scaled * (g / safe ** (p - 1)))


class Cdist(Op):
    @staticmethod
    def forward(ctx, a, b, p):
        xp = array_module(a)
        out = xp.zeros(a.shape[:-1] + (b.shape[-2],), a.dtype)
        if a.shape[-1]:
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                for s, e, diff in _blocks(a, b):
                    out[..., s:e, :] = _norm(diff, p, xp)
        ctx.p = p
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        ga, gb = CdistBackward.apply(g, a, b, out, ctx.p)
        return ga, gb, None

    @staticmethod
    def jvp(ctx, ta, tb, _):                # dd_ij = sum_m w_ijm (da_im - db_jm), w the
        a, b, d = ctx.saved_tensors         # derivative of the norm at a_i - b_j (first
        for t in (ta, tb):                  # order only, as torch's cdist; blocks as forward)
            if t is not None and t.requires_grad:
                raise NotImplementedError("cdist: a forward-mode tangent that requires grad "
                                          "is not supported (cdist has first derivatives only)")
        a, b, d = a.data, b.data, d.data
        xp = array_module(a)
        out = xp.zeros(d.shape, d.dtype)
        ones = xp.ones(d.shape[:-1] + (d.shape[-1], 1), d.dtype)
        if a.shape[-1]:
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                for s, e, diff in _blocks(a, b):
                    w = _norm_grad(diff, ones[..., s:e, :, :], d[..., s:e, :, None], ctx.p, xp)
                    if ta is not None:
                        out[..., s:e, :] += (w * ta.data[..., s:e, None, :]).sum(axis=-1)
                    if tb is not None:
                        out[..., s:e, :] -= (w * tb.data[..., None, :, :]).sum(axis=-1)
        return wrap(out)


class CdistBackward(Op):
    @staticmethod
    def forward(ctx, g, a, b, d, p):
        xp = array_module(a)
        ga, gb = xp.zeros(a.shape, a.dtype), xp.zeros(b.shape, b.dtype)
        if a.shape[-1]:
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
                for s, e, diff in _blocks(a, b):
                    t = _norm_grad(diff, g[..., s:e, :, None], d[..., s:e, :, None], p, xp)
                    ga[..., s:e, :] = t.sum(axis=-2)
                    gb -= t.sum(axis=-3)
        return ga, gb

    @staticmethod
    def backward(ctx, gga, ggb):
        raise RuntimeError("the derivative for '_cdist_backward' is not implemented (as in "
                           "torch): cdist has first derivatives only")

    @staticmethod
    def jvp(ctx, tg, ta, tb, *_):           # linear in g: the same op of dg; a and b: second
        if ta is not None or tb is not None:    # order, refused as backward does
            CdistBackward.backward(ctx, None, None)
        return CdistBackward.apply(tg, *ctx.inputs[1:])


_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
          "donot_use_mm_for_euclid_dist")


@autocast_op("cdist")
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between the rows of x1 (B.., P, M) and x2 (B.., R, M): (B.., P, R),
    batch dims broadcast (torch.cdist). Always computed pair by pair (torch may use a matmul
    for p=2, which is less accurate); compute_mode is checked, not used."""
    need_tensor("cdist", x1, "x1", 1)
    need_tensor("cdist", x2, "x2", 2)
    for name, x in (("X1", x1), ("X2", x2)):
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{x.ndim}D")
        if x.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{torch_name(x.dtype)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError("X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or not p >= 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"cdist: X1 and X2 must have the same dtype, got "
                           f"{torch_name(x1.dtype)} and {torch_name(x2.dtype)}")
    try:
        batch = tuple(np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2]))
    except ValueError:
        raise RuntimeError(f"cdist: the batch dims of X1 {tuple(x1.shape[:-2])} and X2 "
                           f"{tuple(x2.shape[:-2])} do not broadcast") from None
    if x1.shape[:-2] != batch:
        x1 = x1.expand(*batch, *x1.shape[-2:])
    if x2.shape[:-2] != batch:
        x2 = x2.expand(*batch, *x2.shape[-2:])
    return Cdist.apply(x1, x2, float(p))


__all__ = ["cdist"]
