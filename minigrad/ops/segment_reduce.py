"""segment_reduce: reductions over consecutive segments of one axis (torch.segment_reduce).

Segments are given by `lengths` (..., S) or `offsets` (..., S + 1); the leading dims of
either match data's dims before `axis`. Out has data's shape with axis's size S:
    sum: sum_seg x (+ initial)      mean: (sum_seg x (+ initial)) / len  (initial if empty)
    max/min: over the segment and initial   prod: prod_seg x (* initial)
Empty segments give initial, else 0 / nan / -inf / inf / 1. The gradients are torch's:
max/min split dy evenly among the elements equal to the result; prod is exact with zeros.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from .checks import need_bool, need_int, need_optional_tensor, need_tensor, type_name
from .scatter_reduce import _reduce_at
from .shape import normalize_dim

_REDUCE = {"sum": "sum", "mean": "sum", "max": "amax", "amax": "amax", "min": "amin",
           "amin": "amin", "prod": "prod"}
_EMPTY = {"sum": 0.0, "mean": np.nan, "max": -np.inf, "amax": -np.inf, "min": np.inf,
          "amin": np.inf, "prod": 1.0}


def _segment_ids(off, n):
    """seg[b, k] = s where off[b, s] <= k < off[b, s + 1]; S (no segment) outside them."""
    B, S1 = off.shape
    seg = np.full((B, n), S1 - 1, dtype=np.int64)
    k = np.arange(n)
    for b in range(B):
        s = np.searchsorted(off[b], k, side="right") - 1
        inside = (s >= 0) & (s < S1 - 1)
        seg[b, inside] = s[inside]
    return seg


class SegmentReduce(Op):
    @staticmethod
    def forward(ctx, x, reduce, seg, lens, initial, shape3):
        xp = array_module(x)
        B, N, T = shape3
        S = lens.shape[1]
        xr = x.reshape(B, N, T)
        out = xp.full((B, S + 1, T), _EMPTY[reduce] if reduce != "mean" else 0.0, x.dtype)
        where = (xp.arange(B)[:, None, None], seg[:, :, None], xp.arange(T)[None, None, :])
        _reduce_at(xp, _REDUCE[reduce], out, where, xr)
        out = out[:, :S]
        n = lens[:, :, None].astype(x.dtype)
        if reduce == "mean":
            if initial is None:
                with np.errstate(invalid="ignore", divide="ignore"):
                    out = out / n
            else:
                out = xp.where(n > 0, (out + initial) / xp.maximum(n, 1), initial)
        elif initial is not None:
            op = {"sum": xp.add, "prod": xp.multiply, "max": xp.maximum, "amax": xp.maximum,
                  "min": xp.minimum, "amin": xp.minimum}[reduce]
            out = op(out, x.dtype.type(initial))
        out = xp.ascontiguousarray(out.astype(x.dtype, copy=False))
        ctx.args = reduce, seg, lens, initial, shape3
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors       # dx_k = dy[seg(k)] * d out[seg(k)] / d x_k
        reduce, seg, lens, initial, (B, N, T) = ctx.args
        xp = array_module(x.data)
        S = lens.shape[1]
        idx = wrap(xp.broadcast_to(seg[:, :, None], (B, N, T)))
        xr = x.reshape(B, N, T)

        def spread(t):                   # (B, S, T) -> (B, N, T); 0 outside the segments
            pad = wrap(xp.zeros((B, 1, T), t.data.dtype))
            return _cat1(t, pad).gather(1, idx)
        gr = g.reshape(B, S, T)
        if reduce == "sum":
            gx = spread(gr)
        elif reduce == "mean":           # d mean / dx = 1 / len
            gx = spread(gr / wrap(xp.maximum(lens, 1)[:, :, None].astype(x.data.dtype)))
        elif reduce in ("max", "amax", "min", "amin"):
            # dx = dy where x equals the result (or is nan), else 0; torch's kernel then
            # divides by the number of ties only where dy > 0 (kept: users compare with it)
            o = out.data.reshape(B, S, T)
            oe = xp.concatenate([o, xp.full((B, 1, T), np.nan, o.dtype)], 1)
            mask = (xr.data == xp.take_along_axis(oe, xp.broadcast_to(seg[:, :, None],
                                                                      (B, N, T)), 1))
            mask |= xp.isnan(xr.data) & (seg[:, :, None] < S)
            count = xp.zeros((B, S + 1, T), x.data.dtype)
            _reduce_at(xp, "sum", count, (xp.arange(B)[:, None, None], seg[:, :, None],
                                          xp.arange(T)[None, None, :]), mask.astype(count.dtype))
            from .compare import where
            ge = spread(gr)
            shared = spread(gr / wrap(xp.maximum(count[:, :S], 1)))
            gx = where(wrap(ge.data > 0), shared, ge) * wrap(mask.astype(x.data.dtype))
        else:
            gx = spread(gr) * _prod_others(xr, seg, lens, initial, (B, N, T))
        return gx.reshape(x.shape), None, None, None, None, None


def _cat1(a, b):
    from .shape import cat
    return cat([a, b], 1)


def _prod_others(xr, seg, lens, initial, shape3):
    """prod of the other elements of x_k's segment (times initial), (B, N, T): p / x_k when
    no element is zero, else exclusive cumprods from both ends over the segments laid out
    densely (B, S, longest, T), exact with zeros to every order (as prod's gradient)."""
    from .prod import _others
    B, N, T = shape3
    xp = array_module(xr.data)
    S = lens.shape[1]
    idx = wrap(xp.broadcast_to(seg[:, :, None], (B, N, T)))
    ones = wrap(xp.ones((B, 1, T), xr.data.dtype))
    if not (xr.data == 0).any():
        p = SegmentReduce.apply(xr, "prod", seg, lens, initial, shape3)     # (B, S, T)
        return _cat1(p, ones).gather(1, idx) / xr
    if S == 0:                          # no segments: nothing has a gradient
        return wrap(xp.zeros((B, N, T), xr.data.dtype))
    L = max(int(lens.max()), 1)
    off = xp.cumsum(lens, 1) - lens                                    # segment starts
    pos = xp.arange(L)
    src = xp.where(pos[None, None, :] < lens[:, :, None], off[:, :, None] + pos, N)
    src = wrap(xp.broadcast_to(src.reshape(B, S * L, 1), (B, S * L, T)))
    dense = _cat1(xr, ones).gather(1, src).reshape(B, S, L, T)       # padded with ones
    others = _others(dense, 2).reshape(B, S * L, T)
    if initial is not None:
        others = others * initial
    k = xp.arange(N)[None, :] - xp.take_along_axis(off, xp.minimum(seg, max(S - 1, 0)), 1)
    back = xp.where(seg < S, seg * L + k, S * L)                         # S * L: outside
    back = wrap(xp.broadcast_to(back[:, :, None], (B, N, T)))
    return _cat1(others, ones).gather(1, back)


def _offsets(name, t, axis, data):
    """The segment bounds as an int64 (B, S + 1) host array, checked as torch checks them."""
    if t.dtype.kind not in "iu":
        raise NotImplementedError(f"segment_reduce(): {name} must be an integer tensor, got "
                                  f"{t.dtype}")
    if t.ndim - 1 != axis:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of "
                           f"{name} but got {axis}.")
    if tuple(t.shape[:-1]) != tuple(data.shape[:axis]):
        raise RuntimeError(f"segment_reduce(): {name} of shape {list(t.shape)} does not fit "
                           f"data of shape {list(data.shape)} before axis {axis}")
    a = t.data.get() if hasattr(t.data, "get") else np.asarray(t.data)
    return a.astype(np.int64).reshape(int(np.prod(t.shape[:-1], dtype=np.int64)), t.shape[-1])


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0,
                   unsafe=False, initial=None):
    """Reduce ('sum', 'mean', 'max', 'min', 'prod') each segment of data along axis, the
    segments given by lengths or offsets; out has data's shape with axis's size the number
    of segments. Matches torch.segment_reduce."""
    fn = "segment_reduce"
    need_tensor(fn, data, "data", 1)
    if not isinstance(reduce, str):
        raise TypeError(f"segment_reduce(): argument 'reduce' (position 2) must be str, not "
                        f"{type_name(reduce)}")
    for name, t in (("lengths", lengths), ("indices", indices), ("offsets", offsets)):
        need_optional_tensor(fn, t, name)
    axis = need_int(fn, axis, "axis")
    need_bool(fn, unsafe, "unsafe")
    if initial is not None and (isinstance(initial, bool) or not isinstance(
            initial, (int, float, np.integer, np.floating))):
        raise TypeError(f"segment_reduce(): argument 'initial' must be Number, not "
                        f"{type_name(initial)}")
    if reduce not in _REDUCE:
        raise RuntimeError(f"segment_reduce(): reduce argument must be either sum, prod, mean, "
                           f"amax or amin, got {reduce}")
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    if data.dtype.kind != "f":
        raise NotImplementedError(f"segment_reduce(): not implemented for {data.dtype} data "
                                  "(floating point only, as torch's)")
    axis = normalize_dim(axis, max(data.ndim, 1), fn)
    if data.ndim == 0:
        raise RuntimeError("segment_reduce(): Expected data.dim() >= lengths.dim(), got a 0-d "
                           "data tensor")
    if lengths is not None:
        ln = _offsets("lengths", lengths, axis, data)
        if (ln < 0).any():
            raise RuntimeError("segment_reduce(): lengths contains negative value!")
        off = np.concatenate([np.zeros((ln.shape[0], 1), np.int64), np.cumsum(ln, 1)], 1)
        if not unsafe and (off[:, -1] != data.shape[axis]).any():
            raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to "
                               "sum to data.size(lengths.dim()-1) when !unsafe.")
    else:
        off = _offsets("offsets", offsets, axis, data)
        if off.shape[1] == 0:
            raise RuntimeError("segment_reduce(): offsets must hold at least one value")
        ln = np.diff(off, axis=1)
        if (ln < 0).any():
            raise RuntimeError("segment_reduce(): offsets must be non-decreasing "
                               "(Expected segment_length >= 0)")
    if (off[:, -1] > data.shape[axis]).any() or (off[:, 0] < 0).any():
        raise RuntimeError(f"segment_reduce(): the segments end at {int(off[:, -1].max())}, "
                           f"past data's size {data.shape[axis]} along axis {axis}")
    xp = array_module(data.data)
    lead, n, tail = data.shape[:axis], data.shape[axis], data.shape[axis + 1:]
    B, T = int(np.prod(lead, dtype=np.int64)), int(np.prod(tail, dtype=np.int64))
    seg = xp.asarray(_segment_ids(off, n))
    out = SegmentReduce.apply(data, reduce, seg, xp.asarray(ln), initial, (B, n, T))
    return out.reshape(*lead, ln.shape[1], *tail)
