"""Binary cross-entropy on probabilities and on logits, with torch's exact semantics.

binary_cross_entropy (torch clamps each log at -100, so p = 0 or 1 stays finite):
    l  = -(t max(log p, -100) + (1 - t) max(log(1 - p), -100))
    dp = (p - t) / max(p (1 - p), 1e-12),   dt = log(1 - p) - log(p)
binary_cross_entropy_with_logits (stable for any x: softplus(-x) = -logsigmoid(x)):
    l  = (1 - t) x + (1 + (pw - 1) t) softplus(-x)
    dx = (1 + (pw - 1) t) sigmoid(x) - pw t,   dt = -x + (pw - 1) softplus(-x)
Both are fused ops for the elementwise loss; weight and the reduction are ordinary ops after.
"""
from __future__ import annotations

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_ad import tangent_sum
from .activation import LogSigmoid
from .checks import need_optional_tensor, need_tensor, not_differentiable
from .loss import check_float, get_reduction, reduce_loss


class BinaryCrossEntropy(Op):
    @staticmethod
    def forward(ctx, p, t):
        xp = array_module(p)
        ctx.save_for_backward(p, t)
        with np.errstate(divide="ignore"):      # log(0) = -inf, clamped to -100 as torch
            log_p = xp.maximum(xp.log(p), -100)
            log_q = xp.maximum(xp.log1p(-p), -100)
        return -(t * log_p + (1 - t) * log_q)

    @staticmethod
    def backward(ctx, g):
        p, t = ctx.saved_tensors                 # uses p, t
        gp = gt = None
        if ctx.needs_input_grad[0]:
            gp = g * (p - t) / (p * (1 - p)).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            gt = g * ((1 - p).log() - p.log())
        return gp, gt

    @staticmethod
    def jvp(ctx, tp, tt):                   # dl = (p - t) / max(p (1 - p), 1e-12) dp
        p, t = ctx.saved_tensors            #      + (log(1 - p) - log(p)) dt
        return tangent_sum(ctx, None if tp is None else tp * (p - t) / (p * (1 - p)).clamp(
            min=1e-12), None if tt is None else tt * ((1 - p).log() - p.log()))


class BinaryCrossEntropyWithLogits(Op):
    @staticmethod
    def forward(ctx, x, t, pos_weight):
        xp = array_module(x)
        ctx.save_for_backward(x, t)
        ctx.pos_weight = pos_weight
        # softplus(-x) = log1p(exp(-|x|)) + max(-x, 0); asarray: NumPy gives a scalar for 0-d
        sp = xp.asarray(xp.exp(-xp.abs(x)))
        xp.log1p(sp, out=sp)
        sp += xp.maximum(-x, 0)
        if pos_weight is not None:
            sp *= 1 + (pos_weight - 1) * t
        return (1 - t) * x + sp

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors                 # uses x, t (pos_weight is a constant)
        pw = None if ctx.pos_weight is None else wrap(ctx.pos_weight)
        gx = gt = None
        if ctx.needs_input_grad[0]:
            if pw is None:
                gx = g * (x.sigmoid() - t)
            else:
                gx = g * ((1 + (pw - 1) * t) * x.sigmoid() - pw * t)
        if ctx.needs_input_grad[1]:
            gt = -x if pw is None else -x + (pw - 1) * -LogSigmoid.apply(x)
            gt = g * gt
        return gx, gt, None

    @staticmethod
    def jvp(ctx, tx, tt, _):                # dl = ((1 + (pw - 1) t) sigmoid(x) - pw t) dx
        x, t = ctx.saved_tensors            #      + (-x + (pw - 1) softplus(-x)) dt
        pw = None if ctx.pos_weight is None else wrap(ctx.pos_weight)
        dx = dt = None
        if tx is not None:
            dx = tx * (x.sigmoid() - t if pw is None else
                       (1 + (pw - 1) * t) * x.sigmoid() - pw * t)
        if tt is not None:
            dt = tt * (-x if pw is None else -x + (pw - 1) * -LogSigmoid.apply(x))
        return tangent_sum(ctx, dx, dt)


def _same_shape(input, target, op):
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"{op}: target size {tuple(target.shape)} must be the same as input "
                         f"size {tuple(input.shape)}")


def _weighted(loss, weight, op, name="weight"):
    need_optional_tensor(op, weight, name)
    if weight is None:
        return loss
    if weight.dtype != loss.dtype:          # torch: the loss keeps its dtype (any weight dtype)
        weight = weight.to(loss.dtype)
    try:
        if np.broadcast_shapes(weight.shape, loss.shape) != tuple(loss.shape):
            raise ValueError
    except ValueError:
        raise ValueError(f"{op}: {name} of shape {tuple(weight.shape)} does not broadcast to "
                         f"the input's shape {tuple(loss.shape)}") from None
    return loss * weight


def _check_target(input, target, op):
    """torch: the target has input's dtype and (unlike the logits version) lies in [0, 1]."""
    if target.dtype != input.dtype:
        raise RuntimeError(f"{op}: target has dtype {target.dtype} but expected {input.dtype} "
                           "(the input's dtype)")
    t = target.data
    if t.size and not bool(((t >= 0) & (t <= 1)).all()):
        raise RuntimeError(f"{op}: all elements of target should be between 0 and 1")


@autocast_op("binary_cross_entropy")
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross-entropy of probabilities `input` against `target` (same shape), each log
    clamped at -100; matches torch.nn.functional.binary_cross_entropy."""
    op = "binary_cross_entropy"
    need_tensor(op, input, "input", 1)
    need_tensor(op, target, "target", 2)
    need_optional_tensor(op, weight, "weight", 3)
    reduction = get_reduction(reduction, op, size_average, reduce)
    check_float(input, "input", op)
    check_float(target, "target", op)
    _same_shape(input, target, op)
    if input._batched or target._batched or weight is not None and weight._batched:  # in vmap
        from ..func import batching_fns     # (torch.func.vmap differentiates the weight too)
        return batching_fns.binary_cross_entropy(input, target, weight, reduction)
    not_differentiable(weight, "weight", op)
    p = input.data
    if p.size and not bool(((p >= 0) & (p <= 1)).all()):
        raise ValueError(f"{op}: all elements of input should be between 0 and 1, got values "
                         f"in [{float(p.min())}, {float(p.max())}] (pass logits to "
                         "binary_cross_entropy_with_logits instead)")
    _check_target(input, target, op)
    loss = BinaryCrossEntropy.apply(input, target)
    return reduce_loss(_weighted(loss, weight, op), reduction)


@autocast_op("binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy of sigmoid(input) against `target`, computed stably from the
    logits; pos_weight (broadcast along the last dim) weighs positives. Matches
    torch.nn.functional.binary_cross_entropy_with_logits."""
    op = "binary_cross_entropy_with_logits"
    need_tensor(op, input, "input", 1)
    need_tensor(op, target, "target", 2)
    need_optional_tensor(op, weight, "weight", 3)
    need_optional_tensor(op, pos_weight, "pos_weight")
    reduction = get_reduction(reduction, op, size_average, reduce)
    check_float(input, "input", op)
    check_float(target, "target", op)
    _same_shape(input, target, op)
    not_differentiable(weight, "weight", op)
    not_differentiable(pos_weight, "pos_weight", op)
    pw = None
    if pos_weight is not None:
        if pos_weight.dtype == np.bool_:     # torch computes pos_weight - 1
            raise RuntimeError(f"{op}: Subtraction, the `-` operator, with a bool tensor "
                               "(pos_weight) is not supported")
        pw = pos_weight.data
        try:
            if np.broadcast_shapes(pw.shape, input.shape) != tuple(input.shape):
                raise ValueError
        except ValueError:
            raise ValueError(f"{op}: pos_weight of shape {tuple(pw.shape)} does not broadcast "
                             f"to the input's shape {tuple(input.shape)} (it is broadcast "
                             "along the last dim, e.g. shape (C,) for (N, C))") from None
        pw = pw.astype(input.dtype, copy=False)
    loss = BinaryCrossEntropyWithLogits.apply(input, target, pw)
    if loss.dtype != target.dtype:          # torch: the loss has the target's dtype
        loss = loss.to(target.dtype)
    return reduce_loss(_weighted(loss, weight, op), reduction)
