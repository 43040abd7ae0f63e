"""scatter_reduce: src's elements reduced ("sum", "prod", "mean", "amax", "amin") into the
places an index points at along a dim, with or without input's own value (torch's).

The forward reduces repeated targets in rounds (every round writes distinct places, on NumPy
and CuPy alike); the backward follows torch's scatter_reduce_backward, written with minigrad
ops so it is differentiable again, and the forward rule (jvp) is written out per reduction,
exact where a product has zeros.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_ad import linear
from .checks import need_bool, need_str
from .compare import where as where_
from .index import (Gather, Scatter, ScatterAdd, _add_at, _along, _check_index,
                    masked_fill)
from ..forward_ad import additive, zeros_like as zeros_tangent
from .select import _index_array, _need_tensor
from .shape import normalize_dim

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
        xp = array_module(x.data)           # (not g's: a batched gradient has no raw array)

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
    _need_tensor(index, "scatter_reduce", "index")
    if input._batched or index._batched or src._batched:    # inside vmap
        from ..func import batching_index
        return batching_index.scatter_reduce(input, dim, index, src, reduce, include_self)
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
