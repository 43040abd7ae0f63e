"""Selection ops: msort, unique, searchsorted, bucketize, nonzero, masked_select, take,
take_along_dim, index_select.

The differentiable ones are compositions of indexing (x[key], gather), so their gradients
accumulate into the selected elements and double backward comes for free. unique,
searchsorted, bucketize and nonzero return indices or distinct values: no gradient, as torch.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd import Op, wrap, _tensor_cls
from ..backend import array_module
from .checks import need_bool
from .index import Gather
from .shape import normalize_dim


def _need_tensor(x, op, arg):
    if not isinstance(x, _tensor_cls()):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def _same_device(op, x, other):
    if x.device != other.device:
        raise RuntimeError(f"{op}(): expected all tensors on the same device, got {x.device} "
                           f"and {other.device}")


def _index_array(index, op, arg="index", kinds=("int64",), like=None):
    """The array of an integer index tensor, with torch's dtype check (and on the device of
    the tensor `like`)."""
    _need_tensor(index, op, arg)
    if like is not None:
        _same_device(op, like, index)
    a = index.data
    if str(a.dtype) not in kinds:
        want = " or ".join(kinds)
        raise RuntimeError(f"{op}(): Expected dtype {want} for {arg}, got {a.dtype}")
    return a


# ---- sorting-based --------------------------------------------------------------------
def msort(input):
    """input sorted along its first dim (torch.msort)."""
    from .sort import sort
    _need_tensor(input, "msort", "input")
    return sort(input, 0).values


def _unique_flat(xp, a):
    """Sorted distinct values of a 1-D array (each NaN distinct, as torch), the inverse map
    and the counts."""
    order = xp.argsort(a, kind="stable")
    s = a[order]
    new = xp.ones(s.shape, bool)
    if s.size > 1:
        new[1:] = s[1:] != s[:-1]
    group = xp.cumsum(new) - 1
    inverse = xp.empty(a.shape, "int64")
    inverse[order] = group
    starts = xp.nonzero(new)[0]
    counts = xp.diff(xp.append(starts, s.size)).astype("int64")
    return s[new], inverse, counts


def _unique_dim(xp, a, d):
    """Distinct slices along dim d, in lexicographic order (torch.unique(dim=d))."""
    m = xp.moveaxis(a, d, 0)
    n = m.shape[0]
    rows = m.reshape(n, int(np.prod(m.shape[1:], dtype=np.int64)))
    if rows.shape[1] == 0:
        order = xp.arange(n)
    else:
        key = rows.astype("int8") if rows.dtype.kind == "b" else rows
        order = xp.lexsort(key.T[::-1])
    s = rows[order]
    new = xp.ones(n, bool)
    if n > 1:
        new[1:] = (s[1:] != s[:-1]).any(axis=1) if rows.shape[1] else False
    group = xp.cumsum(new) - 1
    inverse = xp.empty(n, "int64")
    inverse[order] = group
    starts = xp.nonzero(new)[0]
    counts = xp.diff(xp.append(starts, n)).astype("int64")
    out = m[order][new]
    return xp.moveaxis(out, 0, d), inverse, counts


def _no_dims(a, dim, op="unique"):
    if a.ndim == 0:
        raise IndexError(f"{op}: Dimension specified as {dim} but tensor has no dimensions")


class Unique(Op):
    """(values, inverse, counts) of torch.unique; the values have no derivative (as torch,
    whose backward raises)."""

    @staticmethod
    def forward(ctx, a, dim):
        xp = array_module(a)
        if dim is None:
            vals, inverse, counts = _unique_flat(xp, a.reshape(-1))
            return vals, inverse.reshape(a.shape), counts
        return _unique_dim(xp, a, dim)

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("the derivative for 'unique' is not implemented.")

    @staticmethod
    def jvp(ctx, *tangents):    # no forward derivative either, as torch's
        raise NotImplementedError("Trying to use forward AD with unique (Unique) that does not "
                                  "support it: the derivative for 'unique' is not implemented.")


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements of input, sorted (or distinct slices along dim), optionally with
    the index of each element in them (input's shape) and their counts (torch.unique). The
    result is always sorted (torch leaves the order with sorted=False unspecified); each NaN
    counts as distinct. No derivative: backward raises, as torch's."""
    _need_tensor(input, "unique", "input")
    for name, flag in (("sorted", sorted), ("return_inverse", return_inverse),
                       ("return_counts", return_counts)):
        need_bool("unique", flag, name)
    d = None
    if dim is not None:
        a = input.data
        _no_dims(a, dim)
        d = normalize_dim(dim, a.ndim, "unique")
        if a.shape[d] != 0 and 0 in a.shape:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                               "unique cannot be applied")
    vals, inverse, counts = Unique.apply(input, d)
    out = [vals] + [inverse] * bool(return_inverse) + [counts] * bool(return_counts)
    return out[0] if len(out) == 1 else tuple(out)


def _as_values(x, like, op):
    if isinstance(x, _tensor_cls()):
        return x.data, False
    if isinstance(x, (numbers.Number,)) and not isinstance(x, complex):
        return array_module(like).asarray(x), True
    raise TypeError(f"{op}(): argument 'input' must be Tensor or Number, not {type(x).__name__}")


def _search(seq, v, right, out_int32, op):
    """Insertion points of v in each sorted row of seq (1-D: one row for all of v), by
    torch's binary search: lo moves up while not (seq[mid] >= v) (right: > v), so NaN in
    either lands where torch puts it."""
    xp = array_module(seq)
    if seq.dtype != v.dtype:            # compare in the promoted dtype (as torch)
        common = xp.result_type(seq, v)
        seq, v = seq.astype(common), v.astype(common)
    if seq.dtype.kind == "b":
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for 'Bool'")
    n = seq.shape[-1]
    if seq.ndim == 1:
        rows, vals = seq.reshape(1, n), v.reshape(1, -1)
    else:
        m = int(np.prod(seq.shape[:-1], dtype=np.int64))
        rows, vals = seq.reshape(m, n), v.reshape(m, v.shape[-1])
    lo = xp.zeros(vals.shape, "int64")
    hi = xp.full(vals.shape, n, "int64")
    for _ in range(max(n, 1).bit_length()):
        mid = (lo + hi) // 2
        at = xp.take_along_axis(rows, xp.minimum(mid, max(n - 1, 0)), axis=1) if n else vals
        up = ~(at > vals) if right else ~(at >= vals)
        active = lo < hi
        lo = xp.where(active & up, mid + 1, lo)
        hi = xp.where(active & ~up, mid, hi)
    return wrap(lo.reshape(v.shape).astype("int32" if out_int32 else "int64"))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """Indices where input's values would be inserted into the sorted last dim of
    sorted_sequence to keep it sorted (torch.searchsorted); right/side='right' puts equal
    values after their matches. int64 result (int32 with out_int32). No gradient."""
    op = "torch.searchsorted"
    _need_tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    need_bool("searchsorted", out_int32, "out_int32")
    need_bool("searchsorted", right, "right")
    if sorted_sequence._batched or getattr(input, "_batched", False):      # inside vmap
        from ..func import batching_index
        return batching_index.searchsorted(sorted_sequence, input, dict(
            out_int32=out_int32, right=right, side=side, sorter=sorter))
    seq = sorted_sequence.data
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"{op}(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(f"{op}(): side and right can't be set to opposites, got side of "
                               f"left while right was True")
        right = side == "right"
    v, scalar = _as_values(input, seq, "searchsorted")
    if not scalar:
        _same_device("searchsorted", sorted_sequence, input)
    if seq.ndim == 0:
        raise RuntimeError(f"{op}(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must "
                           f"match, but we got boundaries tensor {list(seq.shape)} and input "
                           f"value tensor {list(v.shape)}")
    if scalar and seq.ndim != 1:
        raise RuntimeError(f"{op}(): input value can be a scalar only when boundaries tensor "
                           f"dimension is 1, but we got boundaries tensor dim({seq.ndim}) and "
                           f"input value's dim({v.ndim}) numel({v.size})")
    if seq.ndim != 1 and (v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(f"{op}(): boundaries tensor should be 1 dimension or the first N-1 "
                           f"dimensions of boundaries tensor and input value tensor must "
                           f"match, but we got boundaries tensor {list(seq.shape)} and input "
                           f"value tensor {list(v.shape)}")
    if sorter is not None:
        srt = _index_array(sorter, "searchsorted", "sorter",
                           like=sorted_sequence)
        if srt.shape != seq.shape:
            raise RuntimeError(f"{op}(): boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(seq.shape)}and got sorter tensor "
                               f"{list(srt.shape)}")
        if srt.size and (int(srt.min()) < 0 or int(srt.max()) >= seq.shape[-1]):
            raise RuntimeError(f"{op}(): sorter index out of range")
        seq = array_module(seq).take_along_axis(seq, srt, axis=-1)
    return _search(seq, v, right, out_int32, op)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value of input among the sorted 1-D boundaries (torch.bucketize):
    right=False gives i with boundaries[i-1] < x <= boundaries[i]. No gradient."""
    _need_tensor(boundaries, "bucketize", "boundaries")
    need_bool("bucketize", out_int32, "out_int32")
    need_bool("bucketize", right, "right")
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries.ndim})")
    v, scalar = _as_values(input, boundaries.data, "bucketize")
    if not scalar:
        _same_device("bucketize", boundaries, input)
    return _search(boundaries.data, v, right, out_int32, "bucketize")


# ---- masks ----------------------------------------------------------------------------
def nonzero(input, *, as_tuple=False):
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with as_tuple one
    1-D tensor per dim (a 0-d input counts as 1-D there) (torch.nonzero)."""
    _need_tensor(input, "nonzero", "input")
    need_bool("nonzero", as_tuple, "as_tuple")
    a = input.data
    xp = array_module(a)
    if as_tuple:
        return tuple(wrap(i.astype("int64")) for i in xp.nonzero(a.reshape(-1) if a.ndim == 0
                                                                else a))
    if a.ndim == 0:
        return wrap(xp.zeros((int(a != 0), 0), "int64"))
    return wrap(xp.stack(xp.nonzero(a), axis=1).astype("int64").reshape(-1, a.ndim))


def masked_select(input, mask):
    """The elements of input where the bool mask (broadcast with input) is True, as a 1-D
    tensor (torch.masked_select); the gradient goes back to the selected elements."""
    _need_tensor(input, "masked_select", "input")
    _need_tensor(mask, "masked_select", "mask")
    if mask.dtype.kind != "b":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    _same_device("masked_select", input, mask)
    if input._batched or mask._batched:                     # inside vmap
        from ..func import batching_index
        return batching_index.masked_select(input, mask)
    xp = array_module(input.data)
    try:
        shape = xp.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise RuntimeError(f"masked_select: the size of input {list(input.shape)} and of mask "
                           f"{list(mask.shape)} do not broadcast") from None
    x = input if input.shape == shape else input.expand(shape)
    m = mask.data if mask.shape == shape else xp.broadcast_to(mask.data, shape)
    return x.reshape(-1)[wrap(xp.ascontiguousarray(m).reshape(-1))]


# ---- integer indices ------------------------------------------------------------------
def take(input, index):
    """input seen as 1-D, read at index (negative counts from the end); the result has
    index's shape (torch.take)."""
    _need_tensor(input, "take", "input")
    _need_tensor(index, "take", "index")
    if index._batched:                                      # inside vmap: per sample
        from ..func import batching_index
        return batching_index.per_sample("take", take, (input, index))
    idx = _index_array(index, "take", like=input)
    n = input.numel()
    if idx.size and (int(idx.min()) < -n or int(idx.max()) >= n):
        bad = int(idx.min()) if int(idx.min()) < -n else int(idx.max())
        raise IndexError(f"take: out of range: tried to access index {bad} on a tensor of {n} "
                         f"elements.")
    flat = input.reshape(-1)
    return flat[wrap(idx % max(n, 1))]


def take_along_dim(input, indices, dim=None):
    """Values of input at indices along dim, input and indices broadcast over the other dims
    (torch.take_along_dim); dim=None reads the flattened input."""
    _need_tensor(input, "take_along_dim", "input")
    _need_tensor(indices, "take_along_dim", "indices")
    if indices._batched:                                    # inside vmap
        from ..func import batching_index
        return batching_index.take_along_dim(input, indices, dim)
    idx = _index_array(indices, "take_along_dim", "indices", like=input)
    if dim is None:
        input, idx = input.reshape(-1), idx.reshape(-1)
        d = 0
    else:
        _no_dims(input, dim, "take_along_dim")
        d = normalize_dim(dim, input.ndim, "take_along_dim")
        if input.ndim != idx.ndim:
            raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                               f"number of dimensions, but got {input.ndim} dimensions for "
                               f"input, and {idx.ndim} dimensions for indices")
    if input.ndim == 0:
        input, idx = input.reshape(1), idx.reshape(1)
    xp = array_module(idx)
    shape_x, shape_i = list(input.shape), list(idx.shape)
    shape_x[d] = shape_i[d] = 1
    try:
        common = list(xp.broadcast_shapes(tuple(shape_x), tuple(shape_i)))
    except ValueError:
        raise RuntimeError(f"take_along_dim: the shapes of input {list(input.shape)} and "
                           f"indices {list(idx.shape)} do not broadcast outside dim {d}") from None
    want_x, want_i = list(common), list(common)
    want_x[d], want_i[d] = input.shape[d], idx.shape[d]
    x = input if list(input.shape) == want_x else input.expand(want_x)
    idx = xp.broadcast_to(idx, tuple(want_i))
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= x.shape[d]):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise RuntimeError(f"take_along_dim(): index {bad} is out of bounds for dimension {d} "
                           f"with size {x.shape[d]}")
    if idx.size == 0:
        return x.reshape(-1)[:0].reshape(tuple(want_i))
    out = Gather.apply(x, d, xp.ascontiguousarray(idx))
    return out if dim is not None or out.ndim == 1 else out.reshape(-1)


def index_select(input, dim, index):
    """The slices of input at the 1-D (or 0-d) index along dim (torch.index_select); the
    gradient accumulates into the selected slices (repeats add up)."""
    _need_tensor(input, "index_select", "input")
    _need_tensor(index, "index_select", "index")
    if index._batched:                                      # inside vmap: per sample
        from ..func import batching_index
        return batching_index.per_sample("index_select", lambda x, i: index_select(x, dim, i),
                                         (input, index))
    idx = _index_array(index, "index_select", kinds=("int32", "int64"), like=input)
    d = normalize_dim(dim, input.ndim, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = input.shape[d] if input.ndim else 1
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        if d == 0:                          # torch's kinds: IndexError along dim 0 only
            raise IndexError("index_select(): index out of range in self")
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise RuntimeError(f"index_select(): index {bad} is out of bounds for dimension {d} "
                           f"with size {n}")
    if input.ndim == 0:
        if idx.size != 1:
            raise IndexError("index_select(): Index to scalar can have only 1 value, got "
                             f"{idx.size} value(s)")
        return input.clone()
    key = (slice(None),) * d + (array_module(idx).asarray(idx.reshape(-1), "int64"),)
    return input[key]


__all__ = ["bucketize", "index_select", "masked_select", "msort", "nonzero", "searchsorted",
           "take", "take_along_dim", "unique"]
