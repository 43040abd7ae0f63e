"""Elementwise losses built from ops (their gradients follow from the parts):
kl_div, mse_loss, l1_loss, smooth_l1_loss.

    kl_div:        t (log t - x), with 0 log 0 = 0;   log_target: exp(t) (t - x)
    smooth_l1:     0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from ..dtypes import promote_types
from ..forward_ad import elementwise
from .checks import need_bool, need_float, need_optional_tensor, need_tensor
from .compare import where
from .loss import check_float, get_reduction, reduce_loss


class XLogX(Op):
    """t log t with 0 log 0 = 0 (torch's xlogy(t, t))."""

    @staticmethod
    def forward(ctx, t):
        xp = array_module(t)
        ctx.save_for_backward(t)
        with _quiet():
            return xp.where(t == 0, 0, t * xp.log(t)).astype(t.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        t, = ctx.saved_tensors
        # torch's xlogy(t, t) backward: xlogy(t != 0, t) + t / t, which is NaN at t = 0
        nonzero = wrap(t.data != 0)
        with _quiet():
            log_t = where(nonzero, t.log(), t * 0)
            return g * (log_t + t / t)

    jvp = elementwise                       # d (t log t) = (log t + 1) dt (diagonal J)


def _quiet():
    """log(0) and 0/0 are expected here; silence NumPy's warnings about them."""
    return np.errstate(divide="ignore", invalid="ignore")


@autocast_op("kl_div")
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence with `input` in log space: sum t (log t - input); reductions none, sum,
    mean (over elements) and batchmean (sum / batch size); gradients reach the target too.
    Matches torch.nn.functional.kl_div."""
    op = "kl_div"
    need_tensor(op, input, "input", 1)
    need_tensor(op, target, "target", 2)
    need_bool(op, log_target, "log_target")
    reduction = get_reduction(reduction, op, size_average, reduce, extra=("batchmean",))
    check_float(input, "input", op)
    check_float(target, "target", op)
    _broadcastable(input, target, op)
    if reduction == "mean":
        warnings.warn("kl_div: reduction='mean' divides by the number of elements, not the "
                      "batch size; 'batchmean' gives the true KL divergence", stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = XLogX.apply(target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return reduce_loss(loss, reduction)


def _broadcastable(input, target, op):
    try:
        np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
    except ValueError:
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} and target of shape "
                         f"{tuple(target.shape)} do not broadcast") from None


def _pair(input, target, op):
    """input - target in their promoted float dtype (torch takes an integer or bool operand
    next to a float one; l1_loss subtracts first, so a bool operand raises there)."""
    need_tensor(op, input, "input", 1)
    need_tensor(op, target, "target", 2)
    dt = promote_types(input.dtype, target.dtype)       # torch broadcasts first: no 0-d rule
    if dt.kind != "f":
        raise NotImplementedError(f'{op}: "{op}" not implemented for {dt} (input '
                                  f"{input.dtype}, target {target.dtype}): pass a floating "
                                  "point input or target")
    if op == "l1_loss" and np.bool_ in (input.dtype, target.dtype):
        raise RuntimeError(f"{op}: Subtraction, the `-` operator, with a bool tensor is not "
                           "supported")
    input, target = input.to(dt), target.to(dt)
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(f"{op}: target size {tuple(target.shape)} differs from input size "
                      f"{tuple(input.shape)}; they will be broadcast, which is likely wrong",
                      stacklevel=3)
    try:
        return input - target
    except RuntimeError:
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} and target of shape "
                         f"{tuple(target.shape)} do not broadcast") from None


def _weighted_reduce(loss, weight, reduction, op):
    need_optional_tensor(op, weight, "weight")
    if weight is None:
        return reduce_loss(loss, reduction)
    if tuple(weight.shape) != tuple(loss.shape):
        raise ValueError(f"{op}: weight must have the input's shape {tuple(loss.shape)}, got "
                         f"{tuple(weight.shape)}")
    loss = loss * weight
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.sum() / weight.sum()


@autocast_op("mse_loss")
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error (x - y)^2 with optional elementwise weight; matches
    torch.nn.functional.mse_loss."""
    reduction = get_reduction(reduction, "mse_loss", size_average, reduce)
    d = _pair(input, target, "mse_loss")
    return _weighted_reduce(d * d, weight, reduction, "mse_loss")


@autocast_op("l1_loss")
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error |x - y| with optional elementwise weight; matches
    torch.nn.functional.l1_loss."""
    reduction = get_reduction(reduction, "l1_loss", size_average, reduce)
    d = _pair(input, target, "l1_loss")
    return _weighted_reduce(d.abs(), weight, reduction, "l1_loss")


@autocast_op("smooth_l1_loss")
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Huber-like loss: quadratic below `beta`, linear above; beta=0 is l1_loss. Matches
    torch.nn.functional.smooth_l1_loss."""
    op = "smooth_l1_loss"
    reduction = get_reduction(reduction, op, size_average, reduce)
    beta = need_float(op, beta, "beta")
    if not beta >= 0:                       # (nan too, as torch)
        raise ValueError(f"{op}: beta must be non-negative, got {beta}")
    d = _pair(input, target, op)
    a = d.abs()
    if beta == 0:
        return reduce_loss(a, reduction)
    small = a < beta                        # (a comparison: no graph, and vmap batches it)
    return reduce_loss(where(small, d * d * (0.5 / beta), a - 0.5 * beta), reduction)
