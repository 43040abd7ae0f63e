"""Indexing ops: x[key], gather, scatter, scatter_add, masked_fill, one_hot.

Gradients of indexing accumulate: an element read twice receives both gradients
(np.add.at / cupyx.scatter_add), the rule behind learnable lookup tables such as
Swin's relative position bias.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, unwrap, wrap
from ..backend import array_module
from .checks import need_int, need_number, need_tensor
from .compare import where
from ..forward_ad import additive, linear, or_zeros
from .shape import grad_zeros, normalize_dim, sum_to


def _add_at(xp, target, key, values):
    """target[key] += values with repeated indices accumulating."""
    if xp.__name__ == "numpy":
        xp.add.at(target, key, values)
    else:
        import cupyx
        from ..settings import alert_not_deterministic    # lazy: only CUDA needs it
        alert_not_deterministic("accumulation with repeated indices on CUDA (scatter_add, "
                                "index_add, indexing backward: cupyx.scatter_add's atomics)")
        cupyx.scatter_add(target, key, values)


def _is_basic(key):
    """True when key addresses each element at most once (no integer-array index), so the
    gradient can be assigned instead of accumulated; bool masks, 0-d ones too, qualify."""
    items = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice))
               or (hasattr(k, "dtype") and k.dtype.kind == "b") for k in items)


def _expand_bool(xp, key):
    """Replace boolean masks by their nonzero() index arrays (needed by add.at)."""
    items = key if isinstance(key, tuple) else (key,)
    out = []
    for k in items:
        if hasattr(k, "dtype") and k.dtype.kind == "b":
            out.extend(xp.nonzero(k))
        else:
            out.append(k)
    return tuple(out)


class GetItem(Op):
    view_of_input = True        # basic indexing (ints, slices) gives a view, as in torch

    @staticmethod
    def forward(ctx, x, key):
        ctx.in_shape, ctx.key = x.shape, key
        try:
            out = x[key]
            if not isinstance(out, type(x)):    # all-int key: NumPy gives a scalar, torch a
                out = x[(key if isinstance(key, tuple) else (key,)) + (Ellipsis,)]  # 0-d view
            return out
        except IndexError as e:
            raise IndexError(f"index: {e} (tensor of shape {tuple(x.shape)})") from None

    @staticmethod
    def backward(ctx, g):
        return IndexBackward.apply(g, ctx.in_shape, ctx.key), None

    jvp = linear


class IndexBackward(Op):
    """Scatter-add g into zeros of the indexed tensor's shape; its own backward is x[key]."""

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.key = key
        xp = array_module(g)
        out = xp.zeros(shape, g.dtype)
        if _is_basic(key):
            out[key] = g
        else:
            _add_at(xp, out, _expand_bool(xp, key), g)
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.key], None, None

    jvp = linear                # linear in g: d(scatter-add g) = scatter-add dg


def convert_key(key, xp):
    """Tensors and lists inside an index become arrays on the indexed tensor's device."""
    items = key if isinstance(key, tuple) else (key,)
    out = []
    for k in items:
        if getattr(k, "_batched", False):      # inside vmap, indexing an unbatched tensor
            raise RuntimeError("vmap: t[index] with a batched index into a tensor that is not "
                               "batched is not supported; use F.embedding(index, t) for row "
                               "lookups, or make t batched")
        k = unwrap(k)
        if isinstance(k, list) or (hasattr(k, "dtype") and array_module(k) is not xp):
            # (an empty list selects nothing, as torch's; NumPy would make it float)
            k = xp.zeros(0, "int64") if isinstance(k, list) and not k else xp.asarray(k)
        if hasattr(k, "dtype") and k.dtype.kind not in "biu":
            raise IndexError(f"index: tensors used as indices must be integer or bool, "
                             f"got {k.dtype}")
        out.append(k)
    return tuple(out) if isinstance(key, tuple) else out[0]


def _along(xp, index, dim):
    """Advanced-index tuple that addresses x[i0, .., index[i], .., in] along `dim`."""
    grids = []
    for d, n in enumerate(index.shape):
        shape = [1] * index.ndim
        shape[d] = n
        grids.append(index if d == dim else xp.arange(n).reshape(shape))
    return tuple(grids)


def _check_index(op, x, dim, index, src=None):
    if index.ndim != x.ndim:
        raise RuntimeError(f"{op}: index has {index.ndim} dims but input has {x.ndim} "
                           f"(shapes {tuple(index.shape)} and {tuple(x.shape)})")
    for d in range(x.ndim):
        if d != dim and index.shape[d] > x.shape[d]:
            raise RuntimeError(f"{op}: index shape {tuple(index.shape)} is larger than input shape "
                               f"{tuple(x.shape)} in dim {d}")
    if src is not None and hasattr(src, "shape"):
        if src.ndim != index.ndim or any(i > n for i, n in zip(index.shape, src.shape)):
            raise RuntimeError(f"{op}: index shape {tuple(index.shape)} must not be larger than "
                               f"src shape {tuple(src.shape)} in any dim (and both need the same "
                               "number of dims)")
    if index.size and (int(index.min()) < 0 or int(index.max()) >= x.shape[dim]):
        bad = int(index.min()) if int(index.min()) < 0 else int(index.max())
        raise RuntimeError(f"{op}: index {bad} is out of bounds for dim {dim} with size "
                         f"{x.shape[dim]}")


class Gather(Op):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = x.shape, dim, index
        return x[_along(array_module(x), index, dim)]

    @staticmethod
    def backward(ctx, g):
        zeros = grad_zeros(g, ctx.in_shape)
        return ScatterAdd.apply(zeros, ctx.dim, ctx.index, g), None, None

    jvp = linear                # d gather(x) = gather(dx)


class ScatterAdd(Op):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        xp = array_module(x)
        out = x.copy()
        _add_at(xp, out, _along(xp, index, dim), src[tuple(slice(0, n) for n in index.shape)])
        ctx.src_shape = src.shape
        return out

    @staticmethod
    def backward(ctx, g):
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = _pad_to(Gather.apply(g, ctx.dim, ctx.index), ctx.src_shape)
        return g, None, None, gsrc

    jvp = additive              # d scatter_add(x, src) = scatter_add(dx, dsrc)


class Scatter(Op):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        xp = array_module(x)
        out = x.copy()
        where = _along(xp, index, dim)
        if hasattr(src, "shape"):
            ctx.src_shape = src.shape
            src = src[tuple(slice(0, n) for n in index.shape)]
        out[where] = src
        ctx.mask = xp.ones(x.shape, bool)
        ctx.mask[where] = False
        return out

    @staticmethod
    def backward(ctx, g):       # overwritten positions get no gradient; src gets g at them
        gx = g * wrap(ctx.mask.astype(g.dtype))
        gsrc = None
        if len(ctx.needs_input_grad) > 3 and ctx.needs_input_grad[3]:
            gsrc = _pad_to(Gather.apply(g, ctx.dim, ctx.index), ctx.src_shape)
        return gx, None, None, gsrc

    @staticmethod
    def jvp(ctx, tx, _, __, tsrc):      # d scatter(x, src) = scatter(dx, dsrc); a number: 0
        x, dim, index, src = ctx.inputs
        return Scatter.apply(or_zeros(x, tx), dim, index, or_zeros(src, tsrc))


def _pad_to(t, shape):
    """src may be larger than index (torch allows it); its extra elements get zero gradient."""
    if t.shape == tuple(shape):
        return t
    return IndexBackward.apply(t, tuple(shape), tuple(slice(0, n) for n in t.shape))


class MaskedFill(Op):
    """out = where(mask, value, x) over the broadcast shape of x and mask (torch.masked_fill);
    `value` is a 0-d tensor (differentiable) or None, `fill` the number written."""

    @staticmethod
    def forward(ctx, x, mask, value, fill):
        xp = array_module(x)
        try:
            shape = xp.broadcast_shapes(x.shape, mask.shape)
        except ValueError:
            raise RuntimeError(f"masked_fill: the mask of shape {tuple(mask.shape)} does not "
                               f"broadcast with the input of shape {tuple(x.shape)}") from None
        ctx.args = x.shape, mask
        return xp.where(mask, xp.asarray(fill, dtype=x.dtype), xp.broadcast_to(x, shape))

    @staticmethod
    def backward(ctx, g):
        x_shape, mask = ctx.args    # dx = g where the mask is off; dvalue = sum(g where on)
        m = wrap(mask)              # (selected, as torch: NaN from above stays out)
        gx = sum_to(where(m, 0.0, g), x_shape) if ctx.needs_input_grad[0] else None
        gv = None
        if ctx.needs_input_grad[2]:                 # (the engine casts it to value's dtype)
            gv = where(m, g, 0.0).sum()
        return gx, None, gv, None

    @staticmethod
    def jvp(ctx, tx, _, tv, __):        # d out = dx off the mask, dvalue on it
        x, mask, value, fill = ctx.inputs
        t = MaskedFill.apply(or_zeros(x, tx), mask, None, 0)
        if tv is not None:
            t = t + tv * wrap(mask.data.astype(tv.dtype))
        return t


def _fill_number(value, dtype):
    """The Python number masked_fill writes into a tensor of `dtype`, with torch's checks."""
    if dtype.kind == "b":
        return bool(value)
    if isinstance(value, complex) and dtype.kind != "c":
        raise RuntimeError(f"value cannot be converted to type {dtype} without overflow")
    if dtype.kind in "iu":
        if not math.isfinite(value):
            raise RuntimeError(f"value cannot be converted to type {dtype} without overflow")
        v, info = int(value), np.iinfo(dtype)
        low = -(info.max // 2) - 1 if dtype.kind == "u" else info.min   # uint8 takes -128..255
        if not low <= v <= info.max:
            raise RuntimeError(f"value cannot be converted to type {dtype} without overflow")
        return v % (info.max + 1) if dtype.kind == "u" else v
    if dtype.kind == "f" and math.isfinite(value) and abs(value) > np.finfo(dtype).max:
        raise RuntimeError(f"value cannot be converted to type {dtype} without overflow")
    return value


def _prepare(op, input, dim, index, src=None):
    """torch's rules for gather/scatter: a 0-d input, index or src counts as 1-D of size 1,
    and an empty index skips the shape checks (the result is empty, or input unchanged).
    Returns (input, dim, index array, src) ready for the Function, or None for an empty
    index."""
    need_tensor(op, input, "input", 1)
    need_tensor(op, index, "index", 3)
    if src is not None:
        if op == "scatter_add" or not isinstance(src, (int, float, complex, bool)):
            need_tensor(op, src, "src", 4)
        if hasattr(src, "dtype") and src.dtype != input.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype "
                               f"({input.dtype} vs {src.dtype})")
    idx = unwrap(index)
    d = normalize_dim(dim, input.ndim, op)
    if getattr(idx, "dtype", None) is None or idx.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: index must be an int64 tensor, got "
                           f"{getattr(idx, 'dtype', type(idx).__name__)}")
    if idx.size == 0:
        return None
    if input.ndim == 0:
        input = input.reshape(1)
    if idx.ndim == 0:
        idx = idx.reshape(1)
    if hasattr(src, "dtype") and src.dtype != input.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    if src is not None and getattr(src, "ndim", None) == 0:
        src = src.reshape(1)
    _check_index(op, input, d, idx, src)
    return input, d, idx, src


def gather(input, dim, index):
    """out[i][j] = input[i][index[i][j]] along `dim` (torch.gather); out has index's shape."""
    shape = tuple(unwrap(index).shape) if hasattr(unwrap(index), "shape") else None
    args = _prepare("gather", input, dim, index)
    if args is None:                     # empty index: an empty result, still in the graph
        return input.flatten()[:0].reshape(shape)
    out = Gather.apply(*args[:3])
    return out if out.shape == shape else out.reshape(shape)


def scatter(input, dim, index, src=None, value=None):
    """Out-of-place torch.scatter: a copy of input with src (or value) written at index."""
    if src is None:
        if value is None:
            raise TypeError("scatter: pass src or value")
        src = need_number("scatter", value, "value")
        src = src.item() if isinstance(src, np.generic) else src
    args = _prepare("scatter", input, dim, index, src)
    if args is None:
        return input.clone()
    out = Scatter.apply(*args)
    return out if out.shape == input.shape else out.reshape(input.shape)


def scatter_add(input, dim, index, src):
    """Out-of-place torch.scatter_add: a copy of input with src added at index."""
    need_tensor("scatter_add", src, "src", 4)
    args = _prepare("scatter_add", input, dim, index, src)
    if args is None:
        return input.clone()
    out = ScatterAdd.apply(*args)
    return out if out.shape == input.shape else out.reshape(input.shape)


def masked_fill(input, mask, value):
    """A copy of input with `value` where the bool `mask` (broadcast) is True; a 0-d tensor
    value gets the sum of the gradient at those positions (torch.masked_fill)."""
    from ..tensor import Tensor  # lazy: tensor.py imports this module for its methods
    need_tensor("masked_fill", input, "input", 1)
    need_tensor("masked_fill", mask, "mask", 2)
    if mask.dtype.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype}")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        if value._batched:          # inside vmap, a value per sample: where() batches it
            from .compare import where
            return where(mask, value.to(input.dtype), input)
        fill = _fill_number(value.item(), input.dtype)
    elif isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
        value, fill = None, _fill_number(value.item() if hasattr(value, "item") else value,
                                         input.dtype)
    else:
        raise TypeError(f"masked_fill(): argument 'value' must be a Number or a 0-d Tensor, not "
                        f"{type(value).__name__}")
    return MaskedFill.apply(input, mask, value, fill)


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding with a trailing class dim (torch.nn.functional.one_hot)."""
    need_tensor("one_hot", tensor, "tensor", 1)
    num_classes = need_int("one_hot", num_classes, "num_classes", 2)
    if tensor._batched:                                     # inside vmap
        from ..func import batching_fns
        return batching_fns.one_hot(tensor, num_classes)
    t = tensor.data
    xp = array_module(t)
    if t.dtype != np.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor "
                           f"(int64), got {t.dtype}")
    if not t.size and num_classes <= 0:     # torch: also for an explicit num_classes of 0
        raise RuntimeError("one_hot: can not infer the total number of classes from an "
                           "empty tensor; pass num_classes")
    if num_classes == -1:
        if not t.size:
            raise RuntimeError("one_hot: can not infer the total number of classes from an "
                               "empty tensor; pass num_classes")
        num_classes = int(t.max()) + 1
    if t.size and (int(t.min()) < 0 or int(t.max()) >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got "
                           f"min {int(t.min())} and max {int(t.max())}")
    return wrap((t[..., None] == xp.arange(num_classes)).astype("int64"))
