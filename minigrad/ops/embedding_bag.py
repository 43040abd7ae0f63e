"""embedding_bag: sums, means or maxima of bags of embedding rows, without the (n, dim)
intermediate being user-visible. Built from differentiable ops (a row gather, index_add and
gather), so gradients and double backward follow from the parts:

    sum:   out[b] = sum_{i in bag b} psw_i * weight[input_i]
    mean:  out[b] = sum_{i in bag b} weight[input_i] / |bag b|          (0 for an empty bag)
    max:   out[b, d] = weight[input_i, d] for the first i in bag b with the largest value

Entries equal to padding_idx are left out of their bag (and of its size).
"""
from __future__ import annotations

import numpy as np

from ..autograd import wrap
from ..backend import array_module
from .checks import (need_bool, need_float, need_optional_float, need_optional_int,
                     need_optional_tensor, need_str, need_tensor)
from .index import Gather
from .index_more import IndexAdd

_WHO = "embedding_bag"


def _scatter(xp, name, target, key, values):
    """target[key] = op(target[key], values) with repeated keys (op: maximum or minimum)."""
    if xp is np:
        getattr(np, name).at(target, key, values)
    else:
        import cupyx
        getattr(cupyx, "scatter_max" if name == "maximum" else "scatter_min")(target, key,
                                                                                values)


def _bags(input, offsets, include_last_offset):
    """The bag number of every element of input (flattened, host int64) and the bag count."""
    ids = np.asarray(input.numpy(force=True)).reshape(-1).astype(np.int64)
    if input.ndim == 2:
        b, n = input.shape
        if n == 0 and b:
            raise RuntimeError(f"{_WHO}: a 2-D input with bags of length 0 is not supported "
                               f"(torch fails too: step must be nonzero), got shape "
                               f"{tuple(input.shape)}")
        return ids, np.repeat(np.arange(b), n), b
    off = np.asarray(offsets.numpy(force=True)).astype(np.int64)
    if include_last_offset and off.size == 0:
        raise RuntimeError(f"{_WHO}: include_last_offset: number of offsets should be at least 1")
    nb = off.size - 1 if include_last_offset else off.size
    if off.size:
        if off[0] != 0:
            raise RuntimeError(f"{_WHO}: offsets[0] has to be 0, i.e., the first sequence in the "
                               f"mini-batch has to start from position 0. However, got {off[0]}")
        if off[-1] > ids.size:
            raise RuntimeError(f"{_WHO}: offsets[-1] can not be greater than input's length "
                               f"{ids.size} but got offsets[-1] of {off[-1]}")
        if np.any(np.diff(off) < 0):
            raise RuntimeError(f"{_WHO}: offsets must be non-decreasing, got {off.tolist()}")
    if include_last_offset and off[-1] != ids.size:
        # torch then gives different bags by dtype and mode (float64 runs the last bag to
        # the end of input, float32 sum/mean stop at offsets[-1]): refused
        raise RuntimeError(f"{_WHO}: with include_last_offset=True, offsets[-1] must equal the "
                           f"input's length {ids.size}, got {off[-1]}")
    ends = np.concatenate([off[1:], [ids.size]]) if not include_last_offset else off[1:]
    bag = np.full(ids.size, -1, np.int64)
    for k in range(nb):
        bag[off[k]:ends[k]] = k
    return ids, bag, nb


def _check(input, weight, offsets, mode, per_sample_weights, padding_idx):
    need_tensor(_WHO, input, "input", 1)
    need_tensor(_WHO, weight, "weight", 2)
    need_optional_tensor(_WHO, offsets, "offsets", 3)
    need_optional_tensor(_WHO, per_sample_weights, "per_sample_weights", 9)
    need_str(_WHO, mode, "mode")
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"{_WHO}: mode has to be one of sum, mean or max, got {mode!r}")
    if weight.ndim != 2:
        raise ValueError(f"{_WHO}: weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    if input.ndim not in (1, 2):
        raise ValueError(f"{_WHO}: input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.ndim}")
    if input.ndim == 2 and offsets is not None:
        raise ValueError(f"{_WHO}: if input is 2D, then offsets has to be None, as input is "
                         "treated as a mini-batch of fixed length sequences")
    if input.ndim == 1 and (offsets is None or offsets.ndim != 1):
        raise ValueError(f"{_WHO}: offsets has to be a 1D Tensor but got "
                         f"{None if offsets is None else f'{offsets.ndim}-D'}")
    for name, t in (("input", input), ("offsets", offsets)):
        if t is not None and t.dtype.kind not in "biu":
            raise RuntimeError(f"{_WHO}: expected {name} to have an integer dtype (int64 or "
                               f"int32), but got {t.dtype}")
    if input.ndim == 2 and input.dtype == np.bool_:
        raise NotImplementedError(f"{_WHO}: a 2-D bool input is not supported (torch's offsets "
                                  "for it, arange, is not implemented for bool)")
    if weight.dtype.kind != "f":
        raise RuntimeError(f"{_WHO}: expected weight to have a floating point dtype, but got "
                           f"{weight.dtype}")
    n, dim = weight.shape
    if dim == 0 and weight.dtype == np.float32 and mode != "max" and padding_idx is None \
            and input.numel():
        # torch's float32 sum/mean kernel fails here (float64 and max give (B, 0) zeros)
        raise RuntimeError(f"{_WHO}: a float32 weight of shape {tuple(weight.shape)} (an "
                           "embedding_dim of 0) is not supported in sum and mean modes")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"{_WHO}: per_sample_weights was not None. "
                                      f"per_sample_weights is only supported for mode='sum' "
                                      f"(got mode={mode!r})")
        if per_sample_weights.dtype != weight.dtype:
            raise RuntimeError(f"{_WHO}: expected per_sample_weights to have weight's dtype "
                               f"{weight.dtype}, but got {per_sample_weights.dtype}")
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"{_WHO}: if per_sample_weights ({tuple(per_sample_weights.shape)}) "
                             f"is not None, then it must have the same shape as the input "
                             f"({tuple(input.shape)})")
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise RuntimeError(f"{_WHO}: padding_idx must be within the number of embeddings, "
                               f"{-n} through {n - 1}, but got {padding_idx}")
        padding_idx %= n
    return padding_idx


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights=None, include_last_offset: bool = False,
                  padding_idx=None):
    """Reduce bags of embedding rows: input (B, L) gives B bags of L ids; input (n,) with
    offsets (B,) gives bags input[offsets[b]:offsets[b+1]]. Output (B, dim) in weight's dtype.
    Matches torch.nn.functional.embedding_bag; sparse=True (sparse gradients) is refused."""
    return _embedding_bag(input, weight, offsets, max_norm, norm_type, scale_grad_by_freq,
                          mode, sparse, per_sample_weights, include_last_offset, padding_idx)[0]


def _embedding_bag(input, weight, offsets, max_norm, norm_type, scale_grad_by_freq, mode,
                   sparse, per_sample_weights, include_last_offset, padding_idx):
    """embedding_bag's output, and what torch.embedding_bag's other outputs are made of:
    (output, (ids, bag number of every id, the kept (non-padding) positions, number of bags,
    max mode's winning position in the kept ids per bag and column (k: none)))."""
    max_norm = need_optional_float(_WHO, max_norm, "max_norm", 4)
    if max_norm is not None:        # torch reads norm_type only when it renormalises
        norm_type = need_float(_WHO, norm_type, "norm_type", 5)
    need_bool(_WHO, scale_grad_by_freq, "scale_grad_by_freq", 6)
    need_bool(_WHO, sparse, "sparse", 8)
    padding_idx = need_optional_int(_WHO, padding_idx, "padding_idx", 11)
    padding_idx = _check(input, weight, offsets, mode, per_sample_weights, padding_idx)
    if input.ndim == 1:             # (a 2-D input ignores include_last_offset, as torch's)
        need_bool(_WHO, include_last_offset, "include_last_offset", 10)
    else:
        include_last_offset = False
    if scale_grad_by_freq and mode == "max":
        raise ValueError(f"{_WHO}: max mode does not support scaling the gradient by the "
                         "frequency")
    if sparse and mode == "max":
        raise ValueError(f"{_WHO}: max mode does not support sparse weights")
    if sparse:
        raise NotImplementedError(f"{_WHO}: sparse=True asks for a sparse gradient, which "
                                  "minigrad does not have; pass sparse=False (dense gradient)")
    ids, bag, nb = _bags(input, offsets, include_last_offset)
    n, dim = weight.shape
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        bad = int(np.flatnonzero((ids < 0) | (ids >= n))[0])
        raise RuntimeError(f"{_WHO}: index {bad} of input takes value {ids[bad]} which is not in "
                         f"the valid range [0, {n})")
    keep = np.ones(ids.size, bool)
    if padding_idx is not None:
        keep &= ids != padding_idx
    sel = np.flatnonzero(keep)
    xp = array_module(weight.data)
    dev = (lambda a: a) if xp is np else xp.asarray
    if max_norm is not None:        # torch renormalises the rows of every id, in place
        from ..nn.embedding import _renorm_rows
        _renorm_rows(weight, dev(ids), max_norm, norm_type)
    rows = weight[wrap(dev(ids[sel]))]
    if scale_grad_by_freq:
        # torch's CPU kernel divides the gradient of the k-th distinct id (ascending) by the
        # count of sorted_ids[k], not of that id (it indexes the sorted ids by the distinct
        # number); matched here so that the numbers are torch's
        srt = np.sort(ids)
        uniq = np.unique(srt)
        counts = np.bincount(ids, minlength=n)
        per_id = np.ones(n)
        per_id[uniq] = counts[srt[:uniq.size]]
        s = wrap(dev(per_id[ids[sel]][:, None].astype(weight.dtype)))
        rows = rows / s + (rows - rows / s).detach()
    kbag = dev(bag[sel])
    info = (ids, bag, sel, nb)
    if mode == "max":
        out, first = _bag_max(xp, rows, kbag, nb, dim, weight.dtype)
        return out, info + (first,)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1)[wrap(dev(sel))].unsqueeze(-1)
    out = IndexAdd.apply(wrap(xp.zeros((nb, dim), weight.dtype)), kbag, rows, 1)
    if mode == "mean":
        size = np.bincount(bag[sel], minlength=nb)
        out = out / wrap(dev(np.maximum(size, 1)[:, None].astype(weight.dtype)))
    return out, info + (None,)


def _bag_max(xp, rows, kbag, nb, dim, dtype):
    """Per bag and column, the first entry with the largest value (its row gets the
    gradient); an empty bag gives zeros. Returns (output, the winners' positions: k for
    none)."""
    k = rows.shape[0]
    vals = rows.data
    top = xp.full((nb, dim), -np.inf, dtype)
    _scatter(xp, "maximum", top, kbag, vals)
    cand = xp.where(vals == top[kbag], xp.arange(k)[:, None], k)
    first = xp.full((nb, dim), k, np.int64)
    _scatter(xp, "minimum", first, kbag, cand)
    from ..ops.shape import cat
    padded = cat([rows, wrap(xp.zeros((1, dim), dtype))])     # row k: an empty bag's zeros
    return Gather.apply(padded, 0, first), first
