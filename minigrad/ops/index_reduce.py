"""index_reduce and put: index writes written as the scatter/index_put they amount to, so
their gradients are those ops' gradients (torch's formulas for both).

    index_reduce(x, dim, index, src, r)  = scatter_reduce(x, dim, index broadcast along dim
                                                          to src's shape, src, r)
    put(x, index, src, accumulate)       = index_put(x.flatten(), (index,), src.flatten(),
                                                     accumulate).reshape(x.shape)
"""
from __future__ import annotations

from ..autograd import wrap
from ..backend import array_module
from .arith import torch_name
from .checks import need_bool, need_int, need_str
from .index_more import index_put
from .scatter_reduce import scatter_reduce
from .select import _need_tensor
from .shape import normalize_dim

_REDUCES = ("prod", "mean", "amax", "amin")


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """A copy of input where the slices input.select(dim, index[i]) are reduced ("prod",
    "mean", "amax", "amin") with source.select(dim, i), input's own value included unless
    include_self=False. Integer mean rounds down. Matches torch.index_reduce."""
    op = "index_reduce_"
    for name, t in (("input", input), ("index", index), ("source", source)):
        _need_tensor(t, "index_reduce", name)
    need_int("index_reduce", dim, "dim", 2)
    need_str("index_reduce", reduce, "reduce", 5)
    need_bool("index_reduce", include_self, "include_self")
    if reduce not in _REDUCES:
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    if str(index.dtype) not in ("int64", "int32"):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index but got: "
                           f"{torch_name(index.dtype)}")
    if input.dtype != source.dtype:
        raise RuntimeError(f"{op}(): self ({torch_name(input.dtype)}) and source "
                           f"({torch_name(source.dtype)}) must have the same scalar type")
    if index.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    d = normalize_dim(dim, input.ndim, "index_reduce")
    x = input.reshape(1) if input.ndim == 0 else input
    s = source.reshape(1) if source.ndim == 0 else source
    k = index.numel()
    if s.ndim != x.ndim or [n for i, n in enumerate(s.shape) if i != d] != \
            [n for i, n in enumerate(x.shape) if i != d]:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(input.shape)} "
                           f"source.shape = {list(source.shape)}")
    if k != s.shape[d]:
        raise RuntimeError(f"{op}(): Number of indices ({k}) should be equal to "
                           f"source.size(dim): ({s.shape[d]}), for dim: {dim}")
    idx = index.data.reshape(-1)
    if k and (int(idx.min()) < 0 or int(idx.max()) >= x.shape[d]):
        raise IndexError(f"index_reduce(): index out of range in self (index "
                         f"{int(idx.min()) if int(idx.min()) < 0 else int(idx.max())} for "
                         f"dimension {d} of size {x.shape[d]})")
    # index i of dim d -> source's whole slice i: broadcast index to source's shape
    view = [1] * s.ndim
    view[d] = k
    xp = array_module(idx)
    full = wrap(xp.broadcast_to(idx.astype("int64").reshape(view), s.shape).copy())
    out = scatter_reduce(x, d, full, s, reduce, include_self=include_self)
    return out.reshape(()) if input.ndim == 0 else out


def put(input, index, source, accumulate=False):
    """A copy of input, seen as 1-D, with source's values written (or added, with
    accumulate=True) at the flat positions in index; negative indices count from the end.
    Matches torch.put."""
    op = "put_"
    for name, t in (("input", input), ("index", index), ("source", source)):
        _need_tensor(t, "put", name)
    need_bool("put", accumulate, "accumulate")
    if str(index.dtype) != "int64":
        raise RuntimeError(f"{op}(): Expected a long tensor for index, but got "
                           f"{torch_name(index.dtype)}")
    if input.dtype != source.dtype:
        raise RuntimeError(f"{op}(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {torch_name(input.dtype)} and source.dtype = "
                           f"{torch_name(source.dtype)}")
    if index.numel() != source.numel():
        raise IndexError(f"{op}(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, "
                         f"index.numel() = {index.numel()}")
    n = input.numel()
    idx = index.data.reshape(-1)
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < -n or hi >= n:
            bad = lo if lo < -n else hi
            raise IndexError(f"{op}(): out of range: tried to access index {bad} on a tensor of "
                             f"{n} elements.")
    idx = idx + n * (idx < 0)
    flat = index_put(input.reshape(-1), (wrap(idx),), source.reshape(-1), accumulate)
    return flat.reshape(input.shape)
