"""Writing at indices: index_add, index_copy, index_fill, index_put and masked_scatter (out of
place; the Tensor `_` methods run them through ops/inplace.py); scatter_reduce is in
ops/scatter_reduce.py.

Repeated indices accumulate for the adding ops (np.add.at / cupyx.scatter_add); for
index_copy and index_put without accumulate the last write wins (torch leaves it unspecified).
Backward passes are written with minigrad ops, so double backward works.
"""
from __future__ import annotations

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module, module_of_device
from .arith import torch_name
from .checks import need_bool, need_number
from .index import IndexBackward, _add_at, _expand_bool, _is_basic, convert_key, masked_fill
from .inplace import SetItem
from ..forward_ad import additive
from .select import _index_array, _need_tensor
from .shape import normalize_dim, sum_to
# scatter_reduce lives in its own file; these names stay importable from here
from .scatter_reduce import DelayedError, ScatterReduce, scatter_reduce  # noqa: F401


def _same_dtype(x, src, msg):
    if x.dtype != src.dtype:
        raise RuntimeError(msg.format(self=torch_name(x.dtype).capitalize(),
                                      src=torch_name(src.dtype).capitalize()))


def _dim_key(op, input, dim, index, kinds, wrap_negative=False, error=IndexError):
    """(dim, index array 1-D, key addressing the slices) for the index_* ops; a 0-d input
    is seen as 1-D."""
    idx = _index_array(index, op, kinds=kinds, like=input)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    d = normalize_dim(dim, input.ndim, op)
    n = input.shape[d] if input.ndim else 1
    idx = idx.reshape(-1)
    if wrap_negative:
        idx = idx + n * (idx < 0)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise error(f"{op}(): index {bad} is out of bounds for dimension {d} with size {n}")
    return d, idx, (slice(None),) * d + (idx,)


def _check_source(op, input, d, idx, source, error=RuntimeError):
    shape = list(input.shape) or [1]
    shape[d] = idx.size
    sshape = list(source.shape) or [1]
    if sshape != shape:
        raise error(f"{op}(): source of shape {list(source.shape)} does not match self "
                           f"of shape {list(input.shape)} with {idx.size} indices along dim {d} "
                           f"(expected {shape})")


class IndexAdd(Op):
    @staticmethod
    def forward(ctx, x, key, source, alpha):
        ctx.key, ctx.alpha, ctx.sshape = key, alpha, source.shape
        out = x.reshape(-1).copy() if x.ndim == 0 else x.copy()
        src = source.reshape(out[key].shape)
        _add_at(array_module(x), out, key, src if alpha == 1 else src * alpha)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):       # dx = g; dsource = alpha * g[key]
        gs = None
        if ctx.needs_input_grad[2]:
            gs = g.reshape(-1)[ctx.key] if g.ndim == 0 else g[ctx.key]
            gs = (gs * ctx.alpha if ctx.alpha != 1 else gs).reshape(ctx.sshape)
        return g, None, gs, None

    jvp = additive              # d index_add(x, src) = index_add(dx, dsrc)


class IndexCopy(Op):
    @staticmethod
    def forward(ctx, x, key, source):
        ctx.key, ctx.sshape = key, source.shape
        out = x.reshape(-1).copy() if x.ndim == 0 else x.copy()
        out[key] = source.reshape(out[key].shape)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):       # dx = g with the copied slices cleared; dsource = g[key]
        g1 = g.reshape(-1) if g.ndim == 0 else g
        gx = SetItem.apply(g1, ctx.key, 0.0).reshape(g.shape) if ctx.needs_input_grad[0] else None
        gs = g1[ctx.key].reshape(ctx.sshape) if ctx.needs_input_grad[2] else None
        return gx, None, gs

    jvp = additive              # d index_copy(x, src) = index_copy(dx, dsrc)


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with alpha * source added to the slices at index along dim; repeated
    indices add up (torch.index_add)."""
    _need_tensor(input, "index_add", "input")
    _need_tensor(source, "index_add", "source")
    need_number("index_add", alpha, "alpha")
    if getattr(index, "_batched", False):                   # inside vmap: per sample
        from ..func import batching_index
        return batching_index.per_sample(
            "index_add", lambda x, i, s: index_add(x, dim, i, s, alpha=alpha),
            (input, index, source))
    d, idx, key = _dim_key("index_add", input, dim, index, ("int32", "int64"),
                           error=RuntimeError)
    _same_dtype(input, source, "index_add_(): self ({self}) and source ({src}) must have the "
                               "same scalar type")
    _check_source("index_add", input, d, idx, source)
    if input.dtype.kind in "iub":
        alpha = int(alpha)          # torch converts alpha to the integer dtype
    return IndexAdd.apply(input, key, source, alpha)


@autocast_op("index_copy")
def index_copy(input, dim, index, source):
    """A copy of input with the slices at index along dim replaced by source's
    (torch.index_copy)."""
    _need_tensor(input, "index_copy", "input")
    _need_tensor(source, "index_copy", "source")
    if getattr(index, "_batched", False):                   # inside vmap: per sample
        from ..func import batching_index
        return batching_index.per_sample("index_copy", lambda x, i, s: index_copy(x, dim, i, s),
                                         (input, index, source))
    d, idx, key = _dim_key("index_copy", input, dim, index, ("int64",))
    _same_dtype(input, source, "index_copy_(): self and source expected to have the same "
                               "dtype, but got (self) {self} and (source) {src}")
    _check_source("index_copy", input, d, idx, source, IndexError)
    return IndexCopy.apply(input, key, source)


def index_fill(input, dim, index, value):
    """A copy of input with the slices at index along dim set to value (a number or a 0-d
    tensor, which gets the sum of their gradient) (torch.index_fill)."""
    _need_tensor(input, "index_fill", "input")
    if getattr(index, "_batched", False):                   # inside vmap: per sample
        from ..func import batching_index
        return batching_index.per_sample("index_fill", lambda x, i, v: index_fill(x, dim, i, v),
                                         (input, index, value))
    d, idx, key = _dim_key("index_fill", input, dim, index, ("int64",), wrap_negative=True)
    xp = module_of_device(input)
    mask = xp.zeros(input.shape or (1,), bool)
    mask[key] = True
    if hasattr(value, "grad_fn") and value.ndim != 0:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    return masked_fill(input, wrap(mask.reshape(input.shape)), value)


class IndexPutAccumulate(Op):
    @staticmethod
    def forward(ctx, x, key, values):
        ctx.key, ctx.vshape = key, values.shape
        xp = array_module(x)
        out = x.copy()
        if _is_basic(key):          # bool masks: each element at most once
            out[key] += values
        else:
            _add_at(xp, out, _expand_bool(xp, key), xp.broadcast_to(values, out[key].shape))
        return out

    @staticmethod
    def backward(ctx, g):       # dx = g; dvalues = g[key] summed to values' shape
        gv = sum_to(g[ctx.key], ctx.vshape) if ctx.needs_input_grad[2] else None
        return g, None, gv

    jvp = additive              # d index_put(x, v, accumulate) = index_put(dx, dv, accumulate)


def _of_shape(xp, shape):
    """A stand-in array of `shape` (no memory) for checks that only need shapes."""
    return xp.broadcast_to(xp.zeros((), "int8"), tuple(shape))


def index_put(input, indices, values, accumulate=False):
    """A copy of input with values written at input[indices] (a tuple of index tensors), or
    added there with accumulate=True, repeated indices adding up (torch.index_put)."""
    _need_tensor(input, "index_put", "input")
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    _need_tensor(values, "index_put", "values")
    need_bool("index_put", accumulate, "accumulate", 4)
    _same_dtype(input, values, "index_put: Index put requires the source and destination "
                               "dtypes match, got {self} for the destination and {src} for the "
                               "source.")
    if len(indices) > input.ndim:
        raise IndexError(f"index_put(): too many indices for tensor of dimension {input.ndim} "
                         f"(got {len(indices)})")
    for k in indices:
        if k is not None:
            _need_tensor(k, "index_put", "indices")
            if k.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
    if any(getattr(k, "_batched", False) for k in indices):    # inside vmap: per sample
        from ..func import batching_index
        return batching_index.per_sample(
            "index_put", lambda x, v, *ks: index_put(x, ks, v, accumulate),
            (input, values, *indices))
    xp = module_of_device(input)
    key = convert_key(tuple(slice(None) if k is None else k for k in indices), xp)
    try:                        # on shapes only: inside vmap, input and values have no array
        target = _of_shape(xp, input.shape)[key]
        xp.broadcast_to(_of_shape(xp, values.shape), target.shape)
    except IndexError as e:
        raise IndexError(f"index_put(): {e} (tensor of shape {list(input.shape)})") from None
    except ValueError:
        raise RuntimeError(f"index_put(): shape mismatch: values of shape "
                           f"{list(values.shape)} cannot be broadcast to indexing result of "
                           f"shape {list(target.shape)}") from None
    if accumulate:
        return IndexPutAccumulate.apply(input, key, values)
    return SetItem.apply(input, key, values)


class MaskedScatter(Op):
    @staticmethod
    def forward(ctx, x, mask, source):
        xp = array_module(x)
        try:
            shape = xp.broadcast_shapes(x.shape, mask.shape)
        except ValueError:
            raise RuntimeError(f"masked_scatter: the mask of shape {list(mask.shape)} does not "
                               f"broadcast with the input of shape {list(x.shape)}") from None
        m = xp.broadcast_to(mask, shape).copy()
        n = int(m.sum())
        if source.size < n:
            raise RuntimeError("masked_scatter: Number of elements of source < number of ones "
                               "in mask")
        out = xp.array(xp.broadcast_to(x, shape))
        out[m] = source.reshape(-1)[:n]
        ctx.args = x.shape, m, source.shape, n
        return out

    @staticmethod
    def backward(ctx, g):       # dx = g off the mask; dsource[:n] = g on the mask, in order
        x_shape, m, s_shape, n = ctx.args
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = sum_to(g * wrap((~m).astype(g.dtype)), x_shape)
        if ctx.needs_input_grad[2]:
            xp = array_module(m)
            picked = g.reshape(-1)[wrap(xp.nonzero(m.reshape(-1))[0])]
            size = 1
            for s in s_shape:
                size *= s
            gs = IndexBackward.apply(picked, (size,), slice(0, n)).reshape(s_shape)
        return gx, None, gs

    jvp = additive              # d masked_scatter(x, src) = masked_scatter(dx, dsrc)


def masked_scatter(input, mask, source):
    """A copy of input (broadcast with mask) whose elements where the bool mask is True are
    source's first elements, in order (torch.masked_scatter)."""
    _need_tensor(input, "masked_scatter", "input")
    _need_tensor(mask, "masked_scatter", "mask")
    _need_tensor(source, "masked_scatter", "source")
    if mask.dtype.kind != "b":
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {torch_name(mask.dtype)}")
    _same_dtype(input, source, "masked_scatter: expected self and source to have same dtypes "
                               "but got{self} and {src}")
    return MaskedScatter.apply(input, mask, source)


__all__ = ["index_add", "index_copy", "index_fill", "index_put", "index_put_", "masked_scatter",
           "scatter_reduce"]


def index_put_(input, indices, values, accumulate=False):
    """input.index_put_(indices, values, accumulate) (torch.index_put_)."""
    _need_tensor(input, "index_put_", "input")
    return input.index_put_(indices, values, accumulate)
