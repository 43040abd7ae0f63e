"""Regression and likelihood losses with torch's semantics: huber_loss, gaussian_nll_loss,
poisson_nll_loss.

    huber:        0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta);  d = input - target
                  dd = d where |d| < delta, else delta sign(d)  (second derivative: 1 strictly
                  inside, 0 from |d| = delta on, as torch's)
    gaussian_nll: 0.5 (log v + (input - target)^2 / v) [+ 0.5 log(2 pi)],  v = max(var, eps)
                  (torch clamps var in place under no_grad: the gradient ignores the clamp)
    poisson_nll:  exp(input) - target input            (log_input)
                  input - target log(input + eps)      (otherwise)
                  [+ t log t - t + 0.5 log(2 pi t) where t > 1]   (full: Stirling's term)
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from ..dtypes import promote_types
from ..forward_ad import elementwise
from .arith import torch_name
from .checks import need_bool, need_float, need_operand, need_optional_tensor, need_tensor
from .compare import where
from .loss import get_reduction, reduce_loss
from .loss_distance import ClampMinThrough
from .loss_margin import as_operand, enum_reduction, op_errors


class Huber(Op):
    @staticmethod
    def forward(ctx, d, delta):
        xp = array_module(d)
        ctx.save_for_backward(d)
        ctx.delta = delta
        a = xp.abs(d)
        return xp.asarray(xp.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta)),
                          dtype=d.dtype)

    @staticmethod
    def backward(ctx, g):
        d, = ctx.saved_tensors                  # dd = d where |d| < delta, else delta sign(d)
        xp = array_module(d.data)
        inside = wrap(xp.abs(d.data) < ctx.delta)
        edge = wrap((xp.sign(d.data) * ctx.delta).astype(d.dtype, copy=False))
        return g * where(inside, d, edge), None

    jvp = elementwise                       # d huber = d dd inside, delta sign(d) dd outside


@autocast_op("huber_loss")
def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """Quadratic below delta, delta-scaled linear above, in input's dtype; input and target
    broadcast; optional weight of input's shape. Matches torch.nn.functional.huber_loss."""
    op = "huber_loss"
    need_tensor(op, input, "input", 1)
    need_tensor(op, target, "target", 2)
    need_optional_tensor(op, weight, "weight", 5)
    if weight is None:
        reduction = enum_reduction(reduction, op)
    delta = need_float(op, delta, "delta", 4)
    if not delta > 0:
        raise RuntimeError(f"{op} does not support non-positive values for delta (got "
                           f"{delta}).")
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"{op}: Using a target size {tuple(target.shape)} that is different to "
                      f"the input size {tuple(input.shape)}. This will likely lead to "
                      "incorrect results due to broadcasting.", UserWarning, stacklevel=2)
    dt = promote_types(input.dtype, target.dtype)
    if dt.kind != "f":
        raise NotImplementedError(f'{op}: "huber_cpu" not implemented for '
                                  f"'{torch_name(dt)}' (pass a floating point input)")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}: result type {torch_name(dt)} can't be cast to the desired "
                           f"output type {torch_name(input.dtype)} (the loss has the input's "
                           "dtype)")
    try:
        d = input.to(dt) - target.to(dt)
    except (RuntimeError, ValueError):
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} and target of shape "
                           f"{tuple(target.shape)} do not broadcast") from None
    loss = Huber.apply(d, delta)
    if loss.dtype != input.dtype:
        loss = loss.to(input.dtype)
    if weight is None:
        return reduce_loss(loss, reduction)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError(f"{op}: Weights and input must have the same size (weight "
                         f"{tuple(weight.shape)}, input {tuple(input.shape)}).")
    loss = loss * weight
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{op}: Invalid reduction mode: {reduction!r}. Expected one of "
                         "'none', 'mean', 'sum'.")
    return reduce_loss(loss, reduction)


def _var_shape(input, var, op):
    """var as torch broadcasts it: input's shape; input's shape without the last dim (then
    unsqueezed); or input's ndim with exactly one mismatched size, which is 1."""
    if tuple(var.shape) == tuple(input.shape):
        return var
    if tuple(input.shape[:-1]) == tuple(var.shape) and input.ndim:
        return var.unsqueeze(-1)
    if input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
        return var
    raise ValueError(f"{op}: var is of incorrect size: {tuple(var.shape)} for input of size "
                     f"{tuple(input.shape)}")


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean"):
    """Gaussian negative log-likelihood of target under N(input, var); var (clamped at eps,
    the gradient passing through the clamp) has input's shape, one dim less, or one size-1
    dim, or is a float. Matches torch.nn.functional.gaussian_nll_loss."""
    op = "gaussian_nll_loss"
    need_tensor(op, input, "input", 1)
    target = as_operand(target)
    need_operand(op, target, "target", 2)
    if isinstance(var, float):
        if var < 0:
            raise ValueError(f"{op}: var has negative entry/entries (var={var})")
        var = var * input.new_ones(tuple(input.shape))
    else:
        need_tensor(op, var, "var", 3)
        if bool((var < 0).any()):
            raise ValueError(f"{op}: var has negative entry/entries")
    var = _var_shape(input, var, op)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{op}: {reduction!r} is not valid (expected 'none', 'mean' or "
                         "'sum')")
    if isinstance(eps, bool) or not isinstance(eps, int):     # (an int eps keeps an int var)
        eps = need_float(op, eps, "eps", 5)
    if var.dtype.kind != "f" and not isinstance(eps, int):
        raise RuntimeError(f"{op}: result type Float can't be cast to the desired output type "
                           f"{torch_name(var.dtype)} (var is clamped at eps in place)")
    var = ClampMinThrough.apply(var, eps)
    with op_errors(op):
        loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:                                    # (any truthy value, as in torch)
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)


@autocast_op("poisson_nll_loss")
def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean"):
    """Poisson negative log-likelihood of target with rate exp(input) (log_input) or input;
    full adds Stirling's approximation of log(target!) where target > 1. Matches
    torch.nn.functional.poisson_nll_loss."""
    op = "poisson_nll_loss"
    reduction = get_reduction(reduction, op, size_average, reduce)
    need_tensor(op, input, "input", 1)
    need_tensor(op, target, "target", 2)
    need_bool(op, log_input, "log_input", 3)
    need_bool(op, full, "full", 4)
    eps = need_float(op, eps, "eps", 6)
    with op_errors(op):
        if log_input:
            loss = input.exp() - target * input
        else:
            loss = input - target * (input + eps).log()
    if full:
        if target.dtype == np.bool_:
            raise RuntimeError(f"{op}: Subtraction, the `-` operator, with a bool tensor "
                               "(target) is not supported")
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return reduce_loss(loss, reduction)
