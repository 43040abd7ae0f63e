"""Writing at indices: index_add, index_copy, index_fill, index_put, scatter_reduce and
masked_scatter (out of place; the Tensor `_` methods run them through ops/inplace.py).

Repeated indices accumulate for the adding ops (np.add.at / cupyx.scatter_add); for
index_copy and index_put without accumulate the last write wins (torch leaves it unspecified).
Backward passes are written with minigrad ops, so double backward works.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_ad import linear
from .arith import torch_name
from .checks import need_bool, need_number, need_str
from .compare import where as where_
from .index import (Gather, IndexBackward, Scatter, ScatterAdd, _add_at, _along, _check_index,
                    _expand_bool, _is_basic, convert_key, masked_fill)
from .inplace import SetItem
from .jvp_helpers_jvpb import additive, zeros_tangent
from .select import _index_array, _need_tensor
from .shape import normalize_dim, sum_to


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
    d, idx, key = _dim_key("index_add", input, dim, index, ("int32", "int64"),
                           error=RuntimeError)
    _same_dtype(input, source, "index_add_(): self ({self}) and source ({src}) must have the "
                               "same scalar type")
    _check_source("index_add", input, d, idx, source)
    if input.dtype.kind in "iub":
        alpha = int(alpha)          # torch converts alpha to the integer dtype
    return IndexAdd.apply(input, key, source, alpha)


def index_copy(input, dim, index, source):
    """A copy of input with the slices at index along dim replaced by source's
    (torch.index_copy)."""
    _need_tensor(input, "index_copy", "input")
    _need_tensor(source, "index_copy", "source")
    d, idx, key = _dim_key("index_copy", input, dim, index, ("int64",))
    _same_dtype(input, source, "index_copy_(): self and source expected to have the same "
                               "dtype, but got (self) {self} and (source) {src}")
    _check_source("index_copy", input, d, idx, source, IndexError)
    return IndexCopy.apply(input, key, source)


def index_fill(input, dim, index, value):
    """A copy of input with the slices at index along dim set to value (a number or a 0-d
    tensor, which gets the sum of their gradient) (torch.index_fill)."""
    _need_tensor(input, "index_fill", "input")
    d, idx, key = _dim_key("index_fill", input, dim, index, ("int64",), wrap_negative=True)
    xp = array_module(input.data)
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
    xp = array_module(input.data)
    key = convert_key(tuple(slice(None) if k is None else k for k in indices), xp)
    try:
        target = input.data[key]
        xp.broadcast_to(values.data, target.shape)
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


# ---- scatter_reduce ------------------------------------------------------------------
_UFUNC = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum",
          "amin": "minimum"}


def _reduce_at(xp, reduce, out, where, src):
    """out[where] = ufunc(out[where], src) with repeated targets combined. Rounds over the
    k-th occurrence of each target: every round writes distinct places (NumPy and CuPy)."""
    if reduce in ("sum", "mean") and out.dtype.kind != "b":
        return _add_at(xp, out, where, src)
    ufunc = getattr(xp, {"sum": "logical_or", "prod": "logical_and"}.get(reduce, _UFUNC[reduce])
                    if out.dtype.kind == "b" else _UFUNC[reduce])
    flat = xp.ravel_multi_index(tuple(xp.broadcast_to(w, src.shape).reshape(-1) for w in where),
                                out.shape)
    vals = src.reshape(-1)
    order = xp.argsort(flat, kind="stable")
    sf = flat[order]
    first = xp.ones(sf.shape, bool)
    first[1:] = sf[1:] != sf[:-1]
    group = xp.cumsum(first) - 1            # (CuPy's ufuncs have no .accumulate)
    rank = xp.arange(sf.size) - xp.nonzero(first)[0][group]
    o = out.reshape(-1)
    for r in range(int(rank.max()) + 1 if rank.size else 0):
        sel = order[rank == r]
        o[flat[sel]] = ufunc(o[flat[sel]], vals[sel])


def _identity(reduce, dtype):
    """The value a reduction starts from when input's own value is left out."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    low = reduce == "amax"          # amax starts from the lowest value, amin from the highest
    if dtype.kind == "b":
        return not low
    if dtype.kind == "f":
        return -np.inf if low else np.inf
    info = np.iinfo(dtype)
    return info.min if low else info.max


class DelayedError(Op):
    """Identity whose backward raises `msg`: a first derivative with no second (torch's)."""

    @staticmethod
    def forward(ctx, x, msg):
        ctx.msg = msg
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(ctx.msg)

    jvp = linear                # the identity: the tangent passes (its backward raises too)


class ScatterReduce(Op):
    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        xp = array_module(x)
        ctx.args = dim, index, reduce, include_self
        where = _along(xp, index, dim)
        out = x.copy()
        if not include_self:
            out[where] = _identity(reduce, x.dtype)
        _reduce_at(xp, reduce, out, where, src)
        if reduce == "mean":
            count = xp.full(x.shape, 1 if include_self else 0, x.dtype)
            _add_at(xp, count, where, xp.ones(index.shape, x.dtype))
            count = xp.maximum(count, 1)
            out = out / count if x.dtype.kind == "f" else out // count
            ctx.count = count
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, src, out = ctx.saved_tensors    # per torch's scatter_reduce_backward
        dim, index, reduce, include_self = ctx.args
        xp = array_module(g.data)

        def gather(t):
            return Gather.apply(t, dim, index)

        if reduce == "sum":                 # dx = g; dsrc = g[index]
            gx, gs = g, gather(g)
        elif reduce == "mean":              # dx = g / N; dsrc = (g / N)[index]
            gx = g / wrap(ctx.count)
            gs = gather(gx)
        elif reduce == "prod":              # dx = g * out / x, zeros handled apart
            mself = masked_fill(x, x == 0, 1)
            gx = g * ScatterReduce.apply(mself, dim, index, src, reduce, include_self) / mself
            zero = src.data == 0
            nz = xp.zeros(x.shape, g.dtype)
            _add_at(xp, nz, _along(xp, index, dim), zero.astype(g.dtype))
            single = wrap(zero & (nz[_along(xp, index, dim)] == 1))
            msrc = masked_fill(src, single, 1)
            other = ScatterReduce.apply(x, dim, index, msrc, reduce, include_self)
            gs = where_(single, gather(g * other),
                        gather(g * out) / masked_fill(src, wrap(zero), 1))
            if (nz > 1).any():              # as torch: no second derivative there
                gs = DelayedError.apply(gs, "scatter_reduce(): Double backward is unsupported "
                                        "for src when >1 zeros in src are scattered to the "
                                        "same position in self")
        else:                               # amax/amin: g shared evenly among the ties
            value = out.data[_along(xp, index, dim)]
            self_is = (x.data == out.data).astype(g.dtype)
            src_is = (src.data == value).astype(g.dtype)
            n = self_is.copy()
            _add_at(xp, n, _along(xp, index, dim), src_is)
            share = g / wrap(n)
            gx, gs = share * wrap(self_is), gather(share) * wrap(src_is)
        if not include_self:
            gx = Scatter.apply(gx, dim, index, 0.0)
        return gx, None, None, gs, None, None

    @staticmethod
    def jvp(ctx, tx, _, __, ts, *___):
        x, dim, index, src, reduce, include_self = ctx.inputs
        if reduce in ("sum", "mean"):   # linear in (x, src) jointly
            return additive(ctx, tx, None, None, ts, None, None)
        if reduce == "prod":
            return _scatter_prod_jvp(ctx, tx, ts)
        # amax/amin: the mean of the tangents of the elements that tie for the result
        x, src, out = ctx.saved_tensors
        xp = array_module(out.data)
        where = _along(xp, index, dim)
        self_is = x.data == out.data
        if not include_self:            # x's own value took no part where src was scattered
            self_is[where] = False
        src_is = src.data == out.data[where]
        count = wrap(self_is.astype(out.dtype))
        count = ScatterAdd.apply(count, dim, index, wrap(src_is.astype(out.dtype)))
        num = (tx if tx is not None else zeros_tangent(x)) * wrap(self_is.astype(out.dtype))
        if ts is not None:
            num = ScatterAdd.apply(num, dim, index, ts * wrap(src_is.astype(out.dtype)))
        return num / count


def _scatter_prod_jvp(ctx, tx, ts):
    """d out_p = sum over the factors f of out_p of df * (the product of the other factors):
    with P the product of the nonzero factors, P (df / f summed) where no factor is 0, P dz
    where exactly one, z, is 0, and 0 where two or more are."""
    x, dim, index, src, reduce, include_self = ctx.inputs
    xp = array_module(x.data)
    f = x.data.dtype
    where = _along(xp, index, dim)
    counts = xp.ones(x.shape, bool)         # x's own value is a factor here
    if not include_self:
        counts[where] = False
    xz, sz = x.data == 0, src.data == 0
    nz = (xz & counts).astype(f)            # zero factors per place
    _add_at(xp, nz, where, sz.astype(f))
    x1, s1 = masked_fill(x, wrap(xz), 1), masked_fill(src, wrap(sz), 1)
    product = ScatterReduce.apply(x1, dim, index, s1, "prod", include_self)   # P

    def weight(v1, zero, n):                # 1/f where no zero, [f is the zero] where one
        return wrap((n == 0).astype(f)) / v1 + wrap(((n == 1) & zero).astype(f))
    t = tx * weight(x1, xz, nz) * wrap(counts.astype(f)) if tx is not None else zeros_tangent(x)
    if ts is not None:
        t = ScatterAdd.apply(t, dim, index, ts * weight(s1, sz, nz[where]))
    return product * t


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """A copy of input with src's elements reduced ("sum", "prod", "mean", "amax", "amin")
    into the places index points at along dim, together with input's own value unless
    include_self=False (torch.scatter_reduce). Integer mean rounds down."""
    _need_tensor(input, "scatter_reduce", "input")
    _need_tensor(src, "scatter_reduce", "src")
    need_bool("scatter_reduce", include_self, "include_self")
    need_str("scatter_reduce", reduce, "reduce", 5)
    if reduce not in _UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    if input.dtype != src.dtype:
        raise RuntimeError("scatter_reduce(): Expected self.dtype to be equal to src.dtype")
    if reduce == "mean" and input.dtype.kind == "b":
        raise NotImplementedError("\"scatter_gather_tensor_cpu_reduce_mean\" not implemented "
                                  "for 'Bool'")
    idx = _index_array(index, "scatter_reduce", kinds=("int64", "int32"), like=input)
    d = normalize_dim(dim, input.ndim, "scatter_reduce")
    if idx.size == 0:
        return input.clone()
    x = input.reshape(1) if input.ndim == 0 else input
    idx = idx.reshape(1) if idx.ndim == 0 else idx
    s = src.reshape(1) if src.ndim == 0 else src
    _check_index("scatter_reduce", x, d, idx)
    if s.ndim != idx.ndim or any(a < b for a, b in zip(s.shape, idx.shape)):
        raise RuntimeError(f"scatter_reduce: src of shape {list(src.shape)} is smaller than "
                           f"index of shape {list(idx.shape)}")
    if s.shape != idx.shape:
        s = s[tuple(slice(0, n) for n in idx.shape)]
    out = ScatterReduce.apply(x, d, idx, s, reduce, bool(include_self))
    return out if out.shape == input.shape else out.reshape(input.shape)


__all__ = ["index_add", "index_copy", "index_fill", "index_put", "index_put_", "masked_scatter",
           "scatter_reduce"]


def index_put_(input, indices, values, accumulate=False):
    """input.index_put_(indices, values, accumulate) (torch.index_put_)."""
    _need_tensor(input, "index_put_", "input")
    return input.index_put_(indices, values, accumulate)
