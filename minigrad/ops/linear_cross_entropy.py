"""F.linear_cross_entropy: cross_entropy(linear(input, linear_weight, linear_bias), target),
torch 2.13's function, with a chunked path that never holds the (N, C) logits.

    options=None   the reference: the logits, then cross_entropy (every option).
    options=...    ops/linear_cross_entropy_chunked.py: blocks of rows, every option
                   (torch's chunked path falls back to the reference for label smoothing,
                   probability targets and K-dimensional weights; ours does not need to), and
                   derivatives of every order (torch's has no double backward).

Shapes: input (in_features) or (N, in_features); linear_weight (C, in_features) or
(C, d_1, ..., d_K, in_features) (then input must be batched); linear_bias (C, d_1, ..., d_K);
target class indices (N, d_1, ..., d_K) or () unbatched, or probabilities of the logits'
shape (N, C, d_1, ..., d_K); ignore_index=None means -100 (and must stay None with
probabilities).
"""
from __future__ import annotations

import math

import numpy as np

from .checks import need_float, need_optional_tensor, need_tensor
from .cross_entropy import cross_entropy
from .linear_cross_entropy_chunked import ChunkedLinearCrossEntropy, Plan
from .loss import check_weight_dtype, get_reduction

FN = "linear_cross_entropy"


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction="mean", ignore_index=None, label_smoothing=0.0,
                         options=None):
    """The cross-entropy of the logits input @ linear_weight^T + linear_bias against target,
    as torch.nn.functional.linear_cross_entropy; see the module docstring for options."""
    for k, (name, v) in enumerate([("input", input), ("linear_weight", linear_weight),
                                   ("target", target)]):
        need_tensor(FN, v, name, k + 1)
    need_optional_tensor(FN, linear_bias, "linear_bias")
    need_optional_tensor(FN, weight, "weight")
    reduction = get_reduction(reduction, FN)
    label_smoothing = need_float(FN, label_smoothing, "label_smoothing")
    if ignore_index is not None and (type(ignore_index) is bool or
                                     not isinstance(ignore_index, (int, np.integer))):
        raise TypeError(f"{FN}(): argument 'ignore_index' must be int or None, not "
                        f"{type(ignore_index).__name__}")
    if not 1 <= input.ndim <= 2:
        raise RuntimeError(f"{FN}: expected input with dimensionality 1 or 2, got {input.ndim}")
    tensors = (input, linear_weight, target, linear_bias, weight)
    if any(t is not None and t._batched for t in tensors):     # inside vmap: per sample
        from ..func import batching_fns
        return batching_fns.per_sample(
            lambda x, w, t, b, cw: linear_cross_entropy(
                x, w, t, linear_bias=b, weight=cw, reduction=reduction,
                ignore_index=ignore_index, label_smoothing=label_smoothing, options=options),
            tensors)
    if linear_weight.ndim < 2:
        raise RuntimeError(f"{FN}: expected linear_weight with dimensionality at least 2, got "
                           f"{linear_weight.ndim}")
    in_features, lead = input.shape[-1], tuple(input.shape[:-1])
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError(f"{FN}: expected equal input and linear_weight last dimensions "
                           f"(in_features), got {in_features} and {linear_weight.shape[-1]}, "
                           f"respectively")
    for name, t in (("linear_weight", linear_weight), ("linear_bias", linear_bias)):
        if t is not None and t.dtype != input.dtype:
            raise RuntimeError(f"{FN}: expected input and {name} to have the same dtype, got "
                               f"{input.dtype} and {t.dtype}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{FN}: expected a floating-point input, got {input.dtype}")
    n_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (n_classes, *out_features):
        raise RuntimeError(f"{FN}: expected linear_bias shape {(n_classes, *out_features)}, "
                           f"got {tuple(linear_bias.shape)}")
    if out_features and not lead:
        raise RuntimeError(f"{FN}: K-dimensional loss defined by linear_weight shape "
                           f"{tuple(linear_weight.shape)} requires batched input, "
                           f"(N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = (*lead, n_classes, *out_features)
    probs = tuple(target.shape) == logits_shape
    if probs and ignore_index is not None:
        raise RuntimeError(f"{FN}: ignore_index cannot be specified when target contains "
                           f"probabilities")
    ignore_index = -100 if ignore_index is None else int(ignore_index)
    _check_target(target, (*lead, *out_features), probs, ignore_index, n_classes)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"{FN}: label_smoothing must be between 0.0 and 1.0, got "
                           f"{label_smoothing}")
    check_weight_dtype(input, weight, FN)
    if weight is not None and tuple(weight.shape) != (n_classes,):
        raise RuntimeError(f"{FN}: weight tensor should be defined either for all "
                           f"{n_classes} classes or no classes but got weight tensor of shape: "
                           f"{tuple(weight.shape)}")
    if options is not None:
        from ..nn.linear_cross_entropy import LinearCrossEntropyOptions
        if not isinstance(options, LinearCrossEntropyOptions):
            raise TypeError(f"{FN}(): argument 'options' must be LinearCrossEntropyOptions or "
                            f"None, not {type(options).__name__}")
    if options is None or not lead or lead[0] == 0:
        # the reference (an unbatched or empty input has one logits row at most)
        w2 = linear_weight.reshape(math.prod(out_features, start=n_classes), in_features)
        b2 = None if linear_bias is None else linear_bias.reshape(-1)
        logits = (input @ w2.t() + (0 if b2 is None else b2)).reshape(logits_shape)
        return cross_entropy(logits, target, weight, ignore_index=ignore_index,
                             reduction=reduction, label_smoothing=label_smoothing)
    return _chunked(input, linear_weight, target, linear_bias, weight, reduction, ignore_index,
                    label_smoothing, options, probs)


def _chunked(x, W, target, b, weight, reduction, ignore_index, eps, options, probs):
    n, d, C = x.shape[0], x.shape[1], W.shape[0]
    rows_shape = (n, *W.shape[1:-1])
    chunk = options.chunk_size(n, d, C)
    blocks = [slice(s, min(s + chunk, n)) for s in range(0, n, chunk)]
    plan = Plan(target, weight, ignore_index, eps, reduction, blocks,
                _mean_denominator(target, weight, ignore_index, probs, rows_shape))
    plan.keep_buffers = bool(options.allow_retain_graph)
    rows = (x, target) if probs else (x,)
    return ChunkedLinearCrossEntropy.apply(plan, *rows, W, *(() if b is None else (b,)))


def _check_target(target, rows_shape, probs, ignore_index, C):
    """The target must cover exactly the input's rows: blocks cut it by rows, and a longer
    one would otherwise be cut short silently (torch 2.13's chunked path does that)."""
    if probs:
        if target.dtype.kind != "f":
            raise RuntimeError(f"{FN}: expected a floating-point target of class "
                               f"probabilities, got {target.dtype}")
        return
    if tuple(target.shape) != rows_shape:
        if target.ndim >= 1 and rows_shape and target.shape[0] != rows_shape[0]:
            raise ValueError(f"{FN}: Expected input batch_size ({rows_shape[0]}) to match "
                             f"target batch_size ({target.shape[0]}).")
        raise RuntimeError(f"{FN}: expected target of shape {rows_shape} (class indices) or "
                           f"the logits' shape (probabilities), got {tuple(target.shape)}")
    if target.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"{FN}: expected target dtype to be Long or Byte, but got "
                           f"{target.dtype}")
    t = target.data
    bad = ((t < 0) | (t >= C)) & (t != ignore_index)
    if bad.any():
        raise IndexError(f"{FN}: Target {int(t[bad].ravel()[0])} is out of bounds.")


def _mean_denominator(target, weight, ignore_index, probs, rows_shape):
    """What reduction='mean' divides the summed row losses by (torch's cross_entropy rule):
    the number of rows (probabilities), else the summed class weight of the rows whose
    target is not ignore_index (their count without a weight)."""
    if probs:
        return float(math.prod(rows_shape))
    t = target.data
    xp_keep = t != ignore_index
    if weight is None:
        return float(xp_keep.sum())
    w = weight.data
    safe = t * xp_keep                             # ignored rows look up class 0, weighed 0
    return float((w[safe] * xp_keep).sum())
