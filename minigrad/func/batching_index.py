"""Batching for the index-valued public functions whose wrappers check index arrays before
any op runs (take, take_along_dim, index_select, index_put, scatter_reduce, searchsorted,
masked_select, repeat_interleave, max_unpool).

With only the data batched, most of these wrappers need no help: they check the (unbatched)
index and call ops that have batching rules. The functions here serve the rest, called from
the wrapper's `# inside vmap` test: each runs the same public function once on the physical
values, batch dim in front (an unbatched operand expanded to the batch, no copy), so its
checks run on the real arrays; where that cannot be done in one call (an index with a
different shape per sample would be needed), the loop over samples, with the fallback's
warning; where torch refuses (an output shape that depends on the values), torch's error.
"""
from __future__ import annotations

from .batched import is_batched_at, make, to_batched
from .batching import align, loop, warn_loop
from .batching_fns import _level

def per_sample(name, fn, args):
    """fn(*args) once per sample, stacked, with the loop fallback's one-time warning (named
    after the public function: its index is batched)."""
    warn_loop(name, f"{name} with a batched index", stacklevel=4)
    return loop(fn, _level(*[a for a in args if a is not None]), args)


def take_along_dim(input, indices, dim):
    """Per-sample indices: one call with both batched at dim 0 (take_along_dim broadcasts
    the other dims); dim=None reads each sample flattened."""
    from ..ops.select import take_along_dim as plain
    from ..ops.shape import normalize_dim
    lv = _level(input, indices)
    x, i = to_batched(input, lv.level, lv.size), to_batched(indices, lv.level, lv.size)
    if dim is None:
        return make(plain(x.reshape(lv.size, -1), i.reshape(lv.size, -1), 1), lv.level)
    if input.ndim == 0:
        return loop(lambda a, b: plain(a, b, dim), lv, (input, indices))
    return make(plain(x, i, normalize_dim(dim, input.ndim, "take_along_dim") + 1), lv.level)


def scatter_reduce(input, dim, index, src, reduce, include_self):
    """One call on the physical values, all three batched at dim 0 (scatter does not
    broadcast: an unbatched one is expanded)."""
    from ..ops.scatter_reduce import scatter_reduce as plain
    from ..ops.shape import normalize_dim
    lv = _level(input, index, src)
    if input.ndim == 0 or index.ndim == 0:
        return loop(lambda x, i, s: plain(x, dim, i, s, reduce, include_self=include_self),
                    lv, (input, index, src))
    d = normalize_dim(dim, input.ndim, "scatter_reduce") + 1
    x, i, s = (to_batched(t, lv.level, lv.size) for t in (input, index, src))
    return make(plain(x, d, i, s, reduce, include_self=include_self), lv.level)


def searchsorted(sorted_sequence, input, kwargs):
    """Rows of boundaries (or one 1-D sequence per sample) and their values, batched at dim
    0: the first N-1 dims match, so one call serves every sample."""
    from ..ops.select import searchsorted as plain
    from ..tensor import Tensor
    lv = _level(sorted_sequence, input)
    seq = sorted_sequence
    if not is_batched_at(seq, lv.level) and seq.ndim == 1:     # one sequence for all values
        return make(plain(seq, input._value, **kwargs), lv.level)
    if not isinstance(input, Tensor) or seq.ndim == 0 or input.ndim == 0:
        return loop(lambda s, v: plain(s, v, **kwargs), lv, (seq, input))
    s, v = to_batched(seq, lv.level, lv.size), to_batched(input, lv.level, lv.size)
    if seq.ndim == 1:                   # each sample's values against its own sequence
        return make(plain(s, v.reshape(lv.size, -1), **kwargs).reshape(v.shape), lv.level)
    return make(plain(s, v, **kwargs), lv.level)


def masked_select(input, mask):
    """A batched input with one mask: every sample selects as many elements, so the result
    is batched; a batched mask would give each sample its own length, refused as torch."""
    from ..ops.select import masked_select as plain
    lv = _level(input, mask)
    if is_batched_at(mask, lv.level):
        raise RuntimeError("vmap: Attempted to vmap over `mask` in torch.masked_select(self, "
                           "mask) We cannot support this because for each batch this would "
                           "return a differently shaped Tensor.")
    x = align([input], lv, max(input.ndim, mask.ndim))[0]    # mask broadcasts after the batch
    return make(plain(x, mask).reshape(lv.size, -1), lv.level)


def max_unpool(fn, nd, input, indices):
    """fn(x, idx) of max_unpool{nd}d: the batch folds into N (an unbatched sample (C, *) is
    already (N, C, *) physically)."""
    lv = _level(input, indices)
    x, i = to_batched(input, lv.level, lv.size), to_batched(indices, lv.level, lv.size)
    if input.ndim == nd + 1:
        return make(fn(x, i), lv.level)
    lead = (lv.size * input.shape[0],)
    y = fn(x.reshape(lead + tuple(input.shape[1:])), i.reshape(lead + tuple(indices.shape[1:])))
    return make(y.reshape((lv.size,) + tuple(input.shape[:1]) + tuple(y.shape[1:])), lv.level)
