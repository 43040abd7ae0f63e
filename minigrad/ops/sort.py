"""Sorting and order statistics: sort, argsort, topk, kthvalue, median, nanmedian, mode.

Each finds indices with NumPy/CuPy, then gathers the values (reduce.select_along), so the
gradient flows to the selected elements only and double backward comes for free. NaN sorts
as the largest value, as in torch. The results are torch.return_types-style named tuples.
Among tied values torch's topk/kthvalue/mode may pick a different index than ours (theirs
depends on its selection algorithm); the values agree.
"""
from __future__ import annotations

from .. import return_types
from ..backend import array_module
from .checks import need_bool, need_int, reduce_args
from .reduce import Amax, select_along
from .shape import normalize_dim


def _order(x, dim, descending):
    """Stable argsort along dim; descending keeps equal values in their original order and
    puts NaN first (torch's order)."""
    xp = array_module(x)
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    idx = xp.argsort(xp.flip(x, axis=dim), axis=dim, kind="stable")
    return x.shape[dim] - 1 - xp.flip(idx, axis=dim)


def _prepare(input, dim, op, check_empty=True):
    """(dim, array) with a 0-d input seen as shape (1,); torch's error for an empty dim."""
    d = normalize_dim(dim, input.ndim, op)
    x = input.data.reshape(1) if input.ndim == 0 else input.data
    if check_empty and x.shape[d] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    return d, x


def _no_bool(input, op, error=NotImplementedError):
    if input.dtype.kind == "b":
        raise error(f'"{op}_cpu" not implemented for \'Bool\'')


def _result(input, d, idx, keepdim, cls):
    if input.ndim == 0:             # torch: a 0-d input is its own result, even for topk(0)
        idx = array_module(idx).zeros((), "int64")
    return select_along(input, d, idx.astype("int64"), keepdim, cls)


def _sort_args(op, input, descending, stable):
    reduce_args(op, input)
    need_bool(op, descending, "descending")
    if stable is not None or op == "argsort":   # torch: sort's stable is Optional[bool]
        need_bool(op, stable, "stable")


def sort(input, dim=-1, descending=False, *, stable=False):
    """(values, indices) sorted along dim; always stable here (torch.sort)."""
    _sort_args("sort", input, descending, stable)
    if input._batched:                                      # inside vmap
        from ..func import batching_fns
        return batching_fns.along_dim(lambda x, d: sort(x, d, descending, stable=stable),
                                      input, dim, "sort")
    d, x = _prepare(input, dim, "sort", check_empty=False)
    return _result(input, d, _order(x, d, descending), True, return_types.sort)


def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices of sort (torch.argsort)."""
    _sort_args("argsort", input, descending, stable)
    normalize_dim(dim, input.ndim, "argsort")
    return sort(input, dim, descending, stable=stable).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) elements along dim and their indices (torch.topk).
    sorted=False still returns them sorted (torch leaves the order unspecified)."""
    reduce_args("topk", input)
    k = need_int("topk", k, "k", 2)
    need_bool("topk", largest, "largest")
    need_bool("topk", sorted, "sorted")
    if input.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d, x = _prepare(input, dim, "topk", check_empty=False)
    if not 0 <= k <= x.shape[d]:
        raise RuntimeError("selected index k out of range")
    idx = _order(x, d, largest)
    idx = idx[(slice(None),) * d + (slice(0, k),)]
    return _result(input, d, idx, True, return_types.topk)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest element along dim (k from 1) and its index (torch.kthvalue)."""
    reduce_args("kthvalue", input, keepdim)
    k = need_int("kthvalue", k, "k", 2)
    _no_bool(input, "kthvalue")
    d, x = _prepare(input, dim, "kthvalue")
    if not 1 <= k <= x.shape[d]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    idx = _order(x, d, False)[(slice(None),) * d + (slice(k - 1, k),)]
    return _result(input, d, idx, keepdim, return_types.kthvalue)


class MedianAll(Amax):
    """The lower median of all elements; tied elements share the gradient (as torch)."""

    @staticmethod
    def forward(ctx, x, ignore_nan):
        xp = array_module(x)
        flat = x.reshape(-1)
        nan = xp.isnan(flat) if x.dtype.kind == "f" else None
        if ignore_nan and nan is not None:
            flat = flat[~nan]
        if flat.size == 0 or (not ignore_nan and nan is not None and nan.any()):
            out = xp.full((1,) * x.ndim, xp.nan, x.dtype)
        else:
            out = xp.sort(flat)[(flat.size - 1) // 2].reshape((1,) * x.ndim)
        ctx.args = x.shape, tuple(range(x.ndim)), False
        ctx.save_for_backward(x, out)
        return out.reshape(())


def _median_dim(input, dim, keepdim, ignore_nan, op, cls):
    d, x = _prepare(input, dim, op)
    xp = array_module(x)
    order = _order(x, d, False)                         # NaN last
    shape = list(x.shape)
    shape[d] = 1
    if x.dtype.kind == "f":
        nan = xp.isnan(x)
        n_valid = (~nan).sum(axis=d, keepdims=True)
    else:
        nan, n_valid = None, xp.full(shape, x.shape[d])
    pos = xp.maximum(n_valid - 1, 0) // 2 if ignore_nan else xp.full(shape, (x.shape[d] - 1) // 2)
    idx = xp.take_along_axis(order, pos, axis=d)
    if nan is not None and not ignore_nan:              # a NaN in the row: the median is NaN
        idx = xp.where(nan.any(axis=d, keepdims=True), nan.argmax(axis=d, keepdims=True), idx)
    return _result(input, d, idx, keepdim, cls)


def median(input, dim=None, keepdim=False):
    """median(x): the lower median of all elements; median(x, dim): (values, indices) along
    dim. NaN if any element is NaN (torch.median)."""
    reduce_args("median", input, keepdim)
    _no_bool(input, "median")
    if dim is None:
        return MedianAll.apply(input, False)
    return _median_dim(input, dim, keepdim, False, "median", return_types.median)


def nanmedian(input, dim=None, keepdim=False):
    """median ignoring NaN; NaN only where all are NaN (torch.nanmedian)."""
    reduce_args("nanmedian", input, keepdim)
    _no_bool(input, "nanmedian")
    if dim is None:
        return MedianAll.apply(input, True)
    return _median_dim(input, dim, keepdim, True, "nanmedian", return_types.nanmedian)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest on a tie) and the index of its last
    occurrence (torch.mode). Counts by pairwise comparison: O(n^2) per row."""
    reduce_args("mode", input, keepdim)
    d, x = _prepare(input, dim, "mode")
    xp = array_module(x)
    a = xp.moveaxis(x, d, -1)
    counts = (a[..., :, None] == a[..., None, :]).sum(axis=-1)
    best = counts == counts.max(axis=-1, keepdims=True)
    big = xp.array(True) if a.dtype.kind == "b" else xp.array(xp.inf if a.dtype.kind == "f"
                                                               else xp.iinfo(a.dtype).max)
    value = xp.where(best, a, big.astype(a.dtype)).min(axis=-1, keepdims=True)
    n = a.shape[-1]
    last = n - 1 - xp.flip(a == value, axis=-1).argmax(axis=-1, keepdims=True)
    return _result(input, d, xp.moveaxis(last, -1, d), keepdim, return_types.mode)


__all__ = ["argsort", "kthvalue", "median", "mode", "nanmedian", "sort", "topk"]
