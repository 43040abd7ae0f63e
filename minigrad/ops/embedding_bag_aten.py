"""torch.embedding_bag, the ATen form under F.embedding_bag: flat indices and offsets, an int
mode (0 sum, 1 mean, 2 max), and four outputs (output, offset2bag, bag_size, max_indices).
The output is F.embedding_bag's (ops/embedding_bag.py); the other three are torch's CPU
bookkeeping, reproduced value for value:

    offset2bag[i]   the bag of indices[i]; empty (0,) where torch's sum kernel takes its
                    fast path (float32/float16 weight with unit column stride, no
                    padding_idx, per_sample_weights with unit stride), which never builds it
    bag_size[b]     the non-padding entries of bag b (mean, max); zeros for sum
    max_indices     max: the weight row that won bag b, column d (0 for a bag with none);
                    mean: bag_size again; sum: zeros
All three have the indices' and offsets' integer dtype (int32 only when both are).
"""
from __future__ import annotations

import numpy as np

from ..autograd import wrap
from ..backend import array_module
from .checks import need_bool, need_int, need_optional_int, need_optional_tensor, need_tensor
from .embedding_bag import _embedding_bag

_WHO = "embedding_bag"
_MODES = ("sum", "mean", "max")


def _check(weight, indices, offsets, mode, per_sample_weights, include_last_offset):
    if mode not in (0, 1, 2):
        raise RuntimeError(f"{_WHO}: `mode` must be sum, mean, or max (0, 1 or 2), got {mode}")
    if weight.dtype.kind != "f":
        raise RuntimeError(f"{_WHO}: Expected tensor for argument #1 'weight' to have one of "
                           f"the following scalar types: Half, Float, Double; but got "
                           f"{weight.dtype}")
    for k, (name, t) in enumerate((("indices", indices), ("offsets", offsets))):
        ok = t.dtype.name in ("int64", "int32") or (k == 0 and t.dtype == np.bool_)
        if not ok:
            raise RuntimeError(f"{_WHO}: Expected tensor for argument #{k + 1} '{name}' to "
                               f"have one of the following scalar types: Long, Int; but got "
                               f"{t.dtype}")
    if weight.ndim != 2:
        raise RuntimeError(f"{_WHO}: weight has to be a 2D Tensor, but got Tensor of dimension "
                           f"{weight.ndim}")
    if indices.ndim != 1:
        # torch reads a 2-D indices' first size as its length: refused
        raise RuntimeError(f"{_WHO}: indices has to be a 1D Tensor (with offsets), but got "
                           f"Tensor of dimension {indices.ndim}")
    if offsets.ndim != 1:
        raise RuntimeError(f"{_WHO}: offsets has to be a 1D Tensor, but got Tensor of dimension "
                           f"{offsets.ndim}")
    if offsets.numel() == 0 and not include_last_offset:
        # torch's kernel crashes on empty offsets
        raise RuntimeError(f"{_WHO}: offsets must have at least one entry (the start of the "
                           f"first bag), got shape {tuple(offsets.shape)}")
    if per_sample_weights is not None and mode != 0:
        raise RuntimeError(f"{_WHO}: per_sample_weights only supported with mode='sum'")


def embedding_bag(weight, indices, offsets, scale_grad_by_freq: bool = False, mode: int = 0,
                  sparse: bool = False, per_sample_weights=None,
                  include_last_offset: bool = False, padding_idx=None):
    """Bags of embedding rows reduced by mode (0 sum, 1 mean, 2 max), with torch's
    bookkeeping: (output (B, dim), offset2bag, bag_size (B,), max_indices ((B, dim) for
    max, else (B,))). Matches torch.embedding_bag; sparse=True is refused (no sparse grads)."""
    need_tensor(_WHO, weight, "weight", 1)
    need_tensor(_WHO, indices, "indices", 2)
    need_tensor(_WHO, offsets, "offsets", 3)
    need_bool(_WHO, scale_grad_by_freq, "scale_grad_by_freq", 4)
    mode = need_int(_WHO, mode, "mode", 5)
    need_bool(_WHO, sparse, "sparse", 6)
    need_optional_tensor(_WHO, per_sample_weights, "per_sample_weights", 7)
    need_bool(_WHO, include_last_offset, "include_last_offset", 8)
    padding_idx = need_optional_int(_WHO, padding_idx, "padding_idx", 9)
    _check(weight, indices, offsets, mode, per_sample_weights, include_last_offset)
    # torch's max backward ignores scale_grad_by_freq (F.embedding_bag refuses the pair)
    out, (ids, bag, sel, nb, first) = _embedding_bag(
        indices, weight, offsets, None, 2.0, scale_grad_by_freq and mode != 2, _MODES[mode],
        sparse, per_sample_weights, include_last_offset, padding_idx)
    itype = np.int32 if indices.dtype.name == offsets.dtype.name == "int32" else np.int64
    fast = mode == 0 and weight.dtype.name in ("float32", "float16") and padding_idx is None \
        and (weight.shape[1] == 0 or weight.stride(1) == 1) \
        and (per_sample_weights is None or per_sample_weights.stride(0) == 1)
    offset2bag = np.zeros(0, itype) if fast else bag.astype(itype)
    if mode == 0:
        bag_size = max_indices = np.zeros(nb, itype)
    else:
        bag_size = np.bincount(bag[sel], minlength=nb).astype(itype)
        max_indices = bag_size.copy()
    if mode == 2:
        xp = array_module(first)
        first = first if xp is np else first.get()
        # position k (no winner: an empty or all-padding bag) reads the appended 0
        max_indices = np.concatenate([ids[sel], [0]]).astype(itype)[first]
    xp = array_module(weight.data)
    return (out,) + tuple(wrap(a if xp is np else xp.asarray(a))
                          for a in (offset2bag, bag_size, max_indices))


__all__ = ["embedding_bag"]
