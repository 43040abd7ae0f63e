"""Batching for the public functions whose wrappers read raw arrays before any op runs.

Most wrappers only compute dims from logical shapes and call an Op (batching_rules.py
batches those). The ones here look at the data itself (an index key, a comparison, the
targets of a loss, a random mask, the ids of an embedding) or write in place, so the wrapper
calls the function below first when an argument is batched (one test in the wrapper, marked
`# inside vmap`). Each runs the same public function once on the physical values, the batch
at dim 0, and wraps the result; where the samples would mix (a loss's mean, embedding's
frequency counts), it reduces per sample or takes the loop over samples.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..tensor import Tensor
from . import batched
from .batched import is_batched_at, level_info, make, to_batched
from .batching import align, loop, wrap_result


def _level(*xs):
    return level_info(batched.top_level(xs))


def per_sample(fn, args):
    """fn(*args) once per sample, stacked: for a function (linear_cross_entropy) whose
    memory-bounded path is per call; `args` may hold None and unbatched tensors."""
    return loop(fn, _level(*[a for a in args if a is not None]), args)


# ---- indexing, comparisons, where, max/min ----------------------------------------------
def getitem(x, key):
    """x[key] for a BatchedTensor x (or with batched tensors in the key)."""
    from ..ops import index
    items = key if isinstance(key, tuple) else (key,)
    lv = _level(x, *items)
    if any(isinstance(k, Tensor) and k._batched for k in items) or not is_batched_at(x, lv.level):
        rebuild = (lambda ks: tuple(ks)) if isinstance(key, tuple) else (lambda ks: ks[0])
        return loop(lambda xi, *ks: xi[rebuild(ks)], lv, (x,) + items)
    return index.GetItem.apply(x, index.convert_key(key, backend.module_of_device(x)))


def compare(fn, a, b, op):
    from ..ops.compare import compare as plain
    lv = _level(a, b)
    pa, pb = align([a, b], lv)
    return make(plain(fn, pa, pb, op), lv.level)


def where(condition, input, other):
    from ..ops.compare import where as plain
    lv = _level(condition, input, other)
    return make(plain(*align([condition, input, other], lv)), lv.level)


def max_min(input, dim, keepdim, largest):
    """max/min over one dim (values, indices) or over everything, of a batched input."""
    from .. import return_types
    from ..ops.reduce import Amax, Amin, _max_min
    from ..ops.shape import normalize_dim
    op = "max" if largest else "min"
    lv = _level(input)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f"{op}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        cls = Amax if largest else Amin
        return make(cls.apply(input._value, tuple(range(1, input.ndim + 1)), False), lv.level)
    d = normalize_dim(dim, input.ndim, op)
    if input.ndim == 0:
        return loop(lambda x: _max_min(x, dim, keepdim, None, largest), lv, (input,))
    res = _max_min(input._value, d + 1, keepdim, None, largest)
    return getattr(return_types, op)(wrap_result(tuple(res), lv))


def sdpa(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa):
    """scaled_dot_product_attention broadcasts its leading dims: the batch dim goes in front
    of them (batching.align), one call for all samples."""
    from ..ops.attention import scaled_dot_product_attention as plain
    if dropout_p > 0:
        random_check_error_only()
        raise RuntimeError("vmap: scaled_dot_product_attention with dropout_p > 0 is not "
                           "supported inside vmap in minigrad; use F.dropout on the weights")
    lv = _level(query, key, value, attn_mask)
    args = [query, key, value] + ([] if attn_mask is None else [attn_mask])
    phys = align(args, lv)
    out = plain(phys[0], phys[1], phys[2], phys[3] if attn_mask is not None else None, 0.0,
                is_causal, scale, enable_gqa)
    return make(out, lv.level)


# ---- raw-array functions along logical dims -------------------------------------------------
def broadcasting(fn, *args):
    """fn(*args) of an elementwise function on raw arrays (isclose, logical_xor): the batch
    dim leads the broadcast (batching.align), one call for all samples."""
    lv = _level(*args)
    return wrap_result(fn(*align(args, lv)), lv)


def along_dim(fn, input, dim, op):
    """fn(x, d) of a function along one dim (sort, cummax) on a batched input: the same
    function on the physical value at d + 1; a 0-d input runs per sample."""
    from ..ops.shape import normalize_dim
    lv = _level(input)
    d = normalize_dim(dim, input.ndim, op)
    if input.ndim == 0:
        return loop(lambda x: fn(x, d), lv, (input,))
    return wrap_result(fn(input._value, d + 1), lv)


def along_dims(fn, input, dim, op):
    """fn(x, dims) of a reduction over dims (an int, a tuple, or None: all of them) on a
    batched input: the same function on the physical value over the shifted dims (a 0-d
    input and dim=() run per sample)."""
    from ..ops.shape import normalize_dims
    lv = _level(input)
    if input.ndim == 0 and dim is not None or isinstance(dim, (tuple, list)) and not dim:
        return loop(lambda x: fn(x, dim), lv, (input,))     # (dim=() means all, or none)
    dims = normalize_dims(dim, input.ndim, op)
    return wrap_result(fn(input._value, tuple(d + 1 for d in dims)), lv)


# ---- running statistics ------------------------------------------------------------------
def running_stats(fn, input, running_mean, running_var, weight, bias):
    """fn(input, running_mean, running_var, weight, bias) of a norm that updates its running
    buffers in place: with the buffers batched, each sample updates its own (the loop over
    samples writes through its slice of the buffers), as torch's vmap does. Buffers not
    batched where the input is would take every sample's update: refused, with torch's error
    (a RawArrayOfBatched, so jacfwd, whose layout batches the input, goes column by column)."""
    lv = _level(input, running_mean, running_var, weight, bias)
    if not (is_batched_at(running_mean, lv.level) and is_batched_at(running_var, lv.level)):
        raise batched.RawArrayOfBatched(
            "Batch norm got a batched tensor as input while the running_mean or running_var, "
            "which will be updated in place, were not batched. If you are using a module and "
            "do not need eval mode, please set `track_running_stats` to be False.")
    return loop(fn, lv, (input, running_mean, running_var, weight, bias))


# ---- in-place writes ------------------------------------------------------------------------
def _plain(t):
    while isinstance(t, Tensor) and t._batched:
        t = t._value
    return t


def update(x, compute, op, operands, check_cast):
    """x <- compute(x) for a BatchedTensor x: the new value is computed per sample (batched)
    and written into x's physical value, whose history is rebased as for any in-place op."""
    from ..ops.inplace import update as plain_update
    lv = level_info(x._level)
    for o in operands:
        if isinstance(o, Tensor) and o._batched and o._level > lv.level:
            raise RuntimeError(f"vmap: {op}(self, other) is not possible because `other` is "
                               "batched at a vmap where `self` is not (each sample would write "
                               "a different value into the same memory)")

    def physical(old):
        return to_batched(compute(make(old, lv.level)), lv.level, lv.size)
    plain_update(x._value, physical, op, *[_plain(o) for o in operands], check_cast=check_cast)
    return x


def setitem(x, key, value):
    from ..ops.inplace import SetItem, update as plain_update
    from ..ops.index import convert_key
    items = key if isinstance(key, tuple) else (key,)
    if not x._batched or any(isinstance(k, Tensor) and k._batched for k in items):
        raise RuntimeError("vmap: x[key] = value is not possible here: the tensor written to "
                           "must be batched (each sample writes its own values) and the key "
                           "may not be batched")
    key = convert_key(key, backend.module_of_device(x))
    return plain_update(x, lambda t: SetItem.apply(t, key, value), "setitem", value,
                        check_cast=False)


# ---- losses with class targets ------------------------------------------------------------
def class_loss(fn, input, target, weight, ignore_index, reduction, extra):
    """cross_entropy / nll_loss of a batch: the 'none' losses of all samples in one call,
    then each sample's own reduction (mean: over its own target weights, as torch's)."""
    lv = _level(input, target, weight)
    if is_batched_at(weight, lv.level) or not is_batched_at(input, lv.level):
        return loop(lambda i, t, w: fn(i, t, w, ignore_index=ignore_index,
                                       reduction=reduction, **extra),
                    lv, (input, target, weight))
    B, x = lv.size, input._value
    t = to_batched(target, lv.level, B)
    probs = target.dtype.kind == "f" and tuple(target.shape) == tuple(input.shape)
    if input.ndim >= 2:                 # (B, N, C, ...) -> (B*N, C, ...), one call for all
        n = input.shape[0]
        x = x.reshape((B * n,) + tuple(input.shape[1:]))
        t = t.reshape((B * n,) + tuple(target.shape[1:]))
    loss = fn(x, t, weight, ignore_index=ignore_index, reduction="none", **extra)
    if reduction == "none":
        shape = tuple(target.shape) if not probs else (
            () if input.ndim == 1 else (input.shape[0],) + tuple(input.shape[2:]))
        return make(loss.reshape((B,) + shape), lv.level)
    total = loss.reshape(B, -1).sum(1)
    if reduction == "sum":
        return make(total, lv.level)
    if probs:                           # mean over the rows of each sample
        rows = input.numel() // max(input.shape[1 if input.ndim > 1 else 0], 1)
        return make(total / rows, lv.level)
    tv = t.reshape(B, -1)               # mean over each sample's target weights
    valid = tv != ignore_index
    if weight is None:
        w_sum = valid.sum(1).to(input.dtype)
    else:
        from ..ops.compare import where as plain_where
        safe = plain_where(valid, tv, 0)
        w_sum = (weight[safe] * valid.to(input.dtype)).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return make(total / w_sum, lv.level)


def binary_cross_entropy(input, target, weight, reduction):
    """Elementwise losses of all samples in one call, then each sample's reduction."""
    from ..ops.loss_bce import _weighted, binary_cross_entropy as plain
    lv = _level(input, target, weight)
    x, t = to_batched(input, lv.level, lv.size), to_batched(target, lv.level, lv.size)
    w = align([weight], lv, input.ndim)[0] if is_batched_at(weight, lv.level) else weight
    # the weight multiplies here, differentiably: torch.func.vmap differentiates it too
    loss = _weighted(plain(x, t, None, reduction="none"), w, "binary_cross_entropy")
    if reduction == "none":
        return make(loss, lv.level)
    total = loss.reshape(lv.size, -1).sum(1)
    return make(total if reduction == "sum" else total / max(input.numel(), 1), lv.level)


# ---- index-valued inputs --------------------------------------------------------------------
def embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse):
    """Batched ids pick rows of an unbatched weight in one call; anything that looks across
    the ids (scale_grad_by_freq counts, max_norm renormalises) or per-sample weights: the
    loop over samples."""
    from ..nn.embedding import embedding as plain
    lv = _level(input, weight)
    kw = dict(padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
              scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)
    if is_batched_at(weight, lv.level) or max_norm is not None or scale_grad_by_freq:
        return loop(lambda i, w: plain(i, w, **kw), lv, (input, weight))
    return make(plain(input._value, weight, **kw), lv.level)


def one_hot(tensor, num_classes):
    from ..ops.index import one_hot as plain
    if num_classes == -1:
        raise RuntimeError("vmap: one_hot with num_classes=-1 is not supported inside vmap (the "
                           "number of classes would depend on the values); pass num_classes")
    lv = _level(tensor)
    return make(plain(tensor._value, num_classes), lv.level)


# ---- randomness -----------------------------------------------------------------------------
_drawing = [False]          # True while a batching-aware op draws its random numbers


def random_check():
    """Installed as backend.vmap_random_check while vmap runs: called by every random draw."""
    if _drawing[0]:
        return
    modes = {lv.randomness for lv in batched._stack}
    if "error" in modes:
        raise RuntimeError("vmap: called random operation while in randomness error mode. "
                           "Please either use the 'same' or 'different' randomness flags on "
                           "vmap or perform the randomness operation out of vmap")
    if "different" in modes:
        raise RuntimeError("vmap: randomness='different' is not supported for this random "
                           "op in minigrad (it is for rand, randn, randint, randperm, their "
                           "*_like, bernoulli, normal, poisson, multinomial, dropout, "
                           "drop_path and gumbel_softmax); this op would draw one value for "
                           "all samples. Use randomness='same', or draw the numbers outside "
                           "vmap")


def dropout(input, p, inplace):
    """Dropout inside vmap: 'different' draws a mask per sample of every level that asks
    for it (an unbatched input is expanded first), 'same' one mask for all its samples."""
    if inplace:
        raise RuntimeError("vmap: dropout(inplace=True) is not supported inside vmap; use "
                           "inplace=False")
    random_check_error_only()
    return _dropout_levels(input, p, batched._stack[::-1])


def random_check_error_only():
    if any(lv.randomness == "error" for lv in batched._stack):
        random_check()


def drop_path(input, p, scale_by_keep):
    """drop_path inside vmap: each sample's own dim 0 is dropped as dropout drops elements,
    by the randomness mode of every level ('different': a draw per sample, 'same': one)."""
    random_check_error_only()
    keep = 1.0 - p
    return _dropout_levels(input, p, batched._stack[::-1],
                           (input.shape[0],) + (1,) * (input.ndim - 1),
                           1 / keep if scale_by_keep and keep > 0 else 1)


def _dropout_levels(x, p, levels, mask_shape=None, scale=None):
    """x times a keep mask (of x's logical mask_shape, default its shape, times scale,
    default 1 / keep) drawn per sample at the 'different' levels, once at the others."""
    if not levels:
        from ..ops.dropout import MaskMul, _keep_mask
        keep = 1.0 - p
        _drawing[0] = True
        try:
            shape = x.shape if mask_shape is None else \
                x.shape[:x.ndim - len(mask_shape)] + mask_shape     # the batch dims in front
            mask = _keep_mask(x, shape, keep,
                              (1 / keep if keep else 0) if scale is None else scale)
        finally:
            _drawing[0] = False
        return MaskMul.apply(x, mask)
    lv, rest = levels[0], levels[1:]
    if lv.randomness == "different":
        return make(_dropout_levels(to_batched(x, lv.level, lv.size), p, rest, mask_shape,
                                    scale), lv.level)
    if not is_batched_at(x, lv.level):
        return _dropout_levels(x, p, rest, mask_shape, scale)
    from ..creation import ones
    mask = _dropout_levels(ones(tuple(x.shape), dtype=x.dtype, device=x.device), p, rest,
                           mask_shape, scale)
    return x * mask
