"""Distances and the losses built on them: cosine_similarity, pairwise_distance,
triplet_margin_loss, triplet_margin_with_distance_loss. All are compositions of
differentiable ops (gradients and double backward follow), written as torch computes them:

    pairwise_distance(x1, x2) = ||x1 - x2 + eps||_p over the last dim
    cosine_similarity(x1, x2) = sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps), dim)
    triplet(a, p, n)          = max(margin + d(a, p) - d(a, n), 0)   (swap: d(a, n) -> min with
                                                                     d(p, n))
torch clamps the norms in cosine_similarity in place under no_grad, so the gradient flows
through the clamp as if it were not there: ClampMinThrough does the same.
"""
from __future__ import annotations

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from ..dtypes import promote_types
from .arith import torch_name
from .checks import need_bool, need_float, need_int, need_tensor
from .compare import minimum, where
from .loss import reduce_loss
from .loss_margin import enum_reduction, op_errors
from .norms import vector_norm


class ClampMinThrough(Op):
    """max(x, low) forward, identity backward: torch's `x.clamp_min_(low)` under no_grad on
    a tensor that is still in the graph (the gradient ignores the clamp)."""

    @staticmethod
    def forward(ctx, x, low):
        xp = array_module(x)
        with np.errstate(invalid="ignore"):
            return xp.asarray(xp.maximum(x, low)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g, None

    @staticmethod
    def jvp(ctx, tx, low):                  # d y = dx where x >= low, else 0: torch's in-place
        keep = ctx.inputs[0].data >= ctx.inputs[1]      # clamp_min_ under no_grad still
        return where(wrap(keep), tx, 0.0)   # updates the tangent (forward AD ignores no_grad)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """p-norm of x1 - x2 + eps over the last dim of their broadcast shape (0-d: the value
    itself). Matches torch.nn.functional.pairwise_distance and torch.pairwise_distance."""
    op = "pairwise_distance"
    need_tensor(op, x1, "x1", 1)
    need_tensor(op, x2, "x2", 2)
    p = need_float(op, p, "p", 3)
    eps = need_float(op, eps, "eps", 4)
    need_bool(op, keepdim, "keepdim", 5)
    inner = max(x1.ndim, x2.ndim) - 1
    with op_errors(op):
        return vector_norm(x1 - x2 + eps, p, inner, keepdim)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """Cosine of the angle between x1 and x2 (broadcast) along `dim`; each norm is clamped
    at eps before dividing. Matches torch.nn.functional.cosine_similarity."""
    op = "cosine_similarity"
    need_tensor(op, x1, "x1", 1)
    need_tensor(op, x2, "x2", 2)
    dim = need_int(op, dim, "dim", 3)
    eps = need_float(op, eps, "eps", 4)
    common = promote_types(x1.dtype, x2.dtype)
    if common.kind != "f":
        raise RuntimeError(f"{op}: expected common dtype to be floating point, yet common "
                           f"dtype is {torch_name(common)}")
    if not eps >= 0:
        raise RuntimeError(f"{op}: eps must be non-negative, got: {eps}")
    x1 = x1 if x1.dtype.kind == "f" else x1.to(common)
    x2 = x2 if x2.dtype.kind == "f" else x2.to(common)
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(f"{op}: x1 of shape {tuple(x1.shape)} and x2 of shape "
                           f"{tuple(x2.shape)} do not broadcast") from None
    x1, x2 = x1.expand(*shape), x2.expand(*shape)
    n1 = ClampMinThrough.apply(vector_norm(x1, 2, dim, True), eps)
    n2 = ClampMinThrough.apply(vector_norm(x2, 2, dim, True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _same_ndim(anchor, positive, negative, op):
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"{op}: The anchor, positive, and negative tensors are expected to "
                           f"have the same number of dimensions, but got: anchor "
                           f"{anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")


def _positive_margin(margin, op):
    margin = need_float(op, margin, "margin")
    if margin <= 0:                     # (nan passes, as in torch)
        raise ValueError(f"{op}: margin must be greater than 0, got {margin}")
    return margin


@autocast_op("triplet_margin_loss")
def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean"):
    """max(margin + d(a, p) - d(a, n), 0) with d the pairwise p-distance; swap uses
    min(d(a, n), d(p, n)). Matches torch.nn.functional.triplet_margin_loss."""
    op = "triplet_margin_loss"
    reduction = enum_reduction(reduction, op, size_average, reduce)
    margin = _positive_margin(margin, op)
    for k, (name, t) in enumerate((("anchor", anchor), ("positive", positive),
                                   ("negative", negative))):
        need_tensor(op, t, name, k + 1)
    p = need_float(op, p, "p", 5)
    eps = need_float(op, eps, "eps", 6)
    need_bool(op, swap, "swap", 7)
    _same_ndim(anchor, positive, negative, op)
    with op_errors(op):
        d_pos = pairwise_distance(anchor, positive, p, eps)
        d_neg = pairwise_distance(anchor, negative, p, eps)
        if swap:
            d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
        return reduce_loss((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean"):
    """triplet_margin_loss with any distance_function(x, y) -> distances (default
    pairwise_distance). Matches torch.nn.functional.triplet_margin_with_distance_loss."""
    op = "triplet_margin_with_distance_loss"
    reduction = enum_reduction(reduction, op, elementwise=False)
    margin = _positive_margin(margin, op)
    for k, (name, t) in enumerate((("anchor", anchor), ("positive", positive),
                                   ("negative", negative))):
        need_tensor(op, t, name, k + 1)
    _same_ndim(anchor, positive, negative, op)
    if distance_function is None:
        distance_function = pairwise_distance
    elif not callable(distance_function):
        raise TypeError(f"{op}: distance_function must be callable, got "
                        f"{type(distance_function).__name__}")
    with op_errors(op):
        d_pos = distance_function(anchor, positive)
        d_neg = distance_function(anchor, negative)
        if swap:                        # (any truthy value, as in torch)
            d_neg = minimum(d_neg, distance_function(positive, negative))
        return reduce_loss((margin + d_pos - d_neg).clamp_min(0), reduction)
