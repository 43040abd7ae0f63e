"""nll_loss with torch's exact semantics, plus the checks all losses share (reductions,
float inputs, class weights and class-index targets). cross_entropy is in cross_entropy.py.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import wrap
from ..backend import array_module
from .checks import need_int, need_optional_tensor, need_tensor, not_differentiable
from .compare import where
from .index import Gather

REDUCTIONS = ("none", "mean", "sum")


# ---- checks shared by every loss ----------------------------------------------------------
def get_reduction(reduction, op, size_average=None, reduce=None, extra=()):
    """Validate `reduction`; the legacy size_average/reduce flags override it as in torch.
    `extra` names reductions valid for this loss only (kl_div's 'batchmean')."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(f"{op}: size_average and reduce are deprecated, use "
                      f"reduction={reduction!r} instead", UserWarning, stacklevel=3)
    if reduction not in REDUCTIONS and reduction not in extra:
        valid = ", ".join(repr(r) for r in ("none", "mean", "sum") + tuple(extra))
        raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction (expected "
                         f"one of {valid})")
    return reduction


def reduce_loss(loss, reduction):
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


def check_class_args(input, target, ignore_index, op):
    """torch's TypeErrors for a non-Tensor input or target (a list, a NumPy array) and for an
    ignore_index that is not an int (None)."""
    need_tensor(op, input, "input", 1)
    need_tensor(op, target, "target", 2)
    need_int(op, ignore_index, "ignore_index")
    if target.dtype.kind in "iu" and target.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"{op}: expected target dtype to be Long or Byte (int64 or uint8), "
                           f"but got {target.dtype}")


def check_float(t, name, op):
    if t.dtype.kind != "f":
        raise ValueError(f"{op}: {name} must be a floating point tensor, got dtype {t.dtype}")


def check_weight_dtype(input, weight, op):
    """torch: a class weight must have the input's dtype ("expected scalar type Float...")."""
    need_optional_tensor(op, weight, "weight", 3)
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"{op}: expected scalar type {input.dtype} but found {weight.dtype} "
                           "for weight (the class weights must have the input's dtype)")


def nll_kernel(input):
    """The name torch's error gives for a class weight that requires grad."""
    return "nll_loss_forward" if input.ndim <= 2 else "nll_loss2d_forward"


def _class_weight(weight, n_classes, op):
    if weight is None:
        return None
    check_float(weight, "weight", op)
    if tuple(weight.shape) != (n_classes,):
        raise ValueError(f"{op}: weight must have shape ({n_classes},), one entry per class, "
                         f"got {tuple(weight.shape)}")
    return weight.data


def _class_targets(input, target, ignore_index, op, values=True):
    """Check a class-index target against input (C,), (N, C) or (N, C, d1, ...): its shape,
    and (values=True) that every target is a class or ignore_index."""
    if target.dtype.kind not in "iu":
        raise ValueError(f"{op}: class-index target must have an integer dtype (int64), got "
                         f"{target.dtype} with shape {tuple(target.shape)}; probability "
                         "targets must have the input's shape")
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have at least 1 dim (C,), got a 0-d tensor")
    if input.ndim == 1:
        expected = ()
    else:
        if target.ndim == 0 or target.shape[0] != input.shape[0]:
            got = target.shape[0] if target.ndim else "a 0-d target"
            raise ValueError(f"{op}: expected input batch_size ({input.shape[0]}) to match "
                             f"target batch_size ({got})")
        expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        raise ValueError(f"{op}: expected target of shape {expected} for input of shape "
                         f"{tuple(input.shape)}, got {tuple(target.shape)}")
    n_classes = input.shape[0] if input.ndim == 1 else input.shape[1]
    if values:
        _check_target_values(target.data, n_classes, ignore_index, op)
    return n_classes


def _check_target_values(t, n_classes, ignore_index, op):
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        value = int(t[bad].reshape(-1)[0])
        raise IndexError(f"{op}: target {value} is out of bounds for {n_classes} classes "
                         f"(valid: 0..{n_classes - 1}, or ignore_index={ignore_index})")


def _rows(input, n_classes):
    """input as (rows, C) with the class dim last (a differentiable view/copy)."""
    if input.ndim == 1:
        return input.reshape(1, n_classes)
    if input.ndim > 2:
        order = (0,) + tuple(range(2, input.ndim)) + (1,)
        input = input.permute(*order)
    rows = 1
    for n in input.shape[:-1]:          # not reshape(-1, C): C may be 0
        rows *= n
    return input.reshape(rows, n_classes)


@autocast_op("nll_loss")
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities `input` (C,), (N, C) or (N, C, d1, ...)
    at class indices `target`; mean divides by the summed weights of non-ignored targets.
    Matches torch.nn.functional.nll_loss."""
    op = "nll_loss"
    check_class_args(input, target, ignore_index, op)
    reduction = get_reduction(reduction, op, size_average, reduce)
    check_float(input, "input", op)
    check_weight_dtype(input, weight, op)
    if input._batched or target._batched or weight is not None and weight._batched:  # in vmap
        from ..func import batching_fns
        return batching_fns.class_loss(nll_loss, input, target, weight, ignore_index,
                                       reduction, {})
    not_differentiable(weight, "weight", nll_kernel(input))
    n_classes = _class_targets(input, target, ignore_index, op)
    w = _class_weight(weight, n_classes, op)
    t = target.data
    xp = array_module(t)
    valid = t != ignore_index
    tc = xp.where(valid, t, 0).astype("int64")
    w_t = valid.astype(input.dtype)
    if w is not None:
        w_t = w_t * w.astype(input.dtype)[tc]
    class_dim = 0 if input.ndim == 1 else 1
    picked = Gather.apply(input, class_dim, xp.expand_dims(tc, class_dim)).squeeze(class_dim)
    # an ignored target is left out (0) even when its input is inf or NaN, as in torch
    picked = where(wrap(valid), picked, wrap(xp.zeros((), input.dtype)))
    loss = -picked * wrap(w_t)
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    # mean over the target weights; when they sum to 0 (all ignored) torch gives a NaN loss
    # with a zero gradient: divide by a safe 1 and select NaN, so no inf * 0 reaches backward
    w_sum = w_t.sum()
    some = w_sum != 0
    nan = wrap(xp.full((), xp.nan, input.dtype))
    return where(wrap(some), total / wrap(xp.where(some, w_sum, 1)), nan)
