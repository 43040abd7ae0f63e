"""Scans along one dim: cumsum, cumprod, cummax, cummin, logcumsumexp (torch's names).

Each forward is written once against NumPy/CuPy. The running max/min and logaddexp use a
log-step (Hillis-Steele) scan, `_scan`, so no ufunc.accumulate is needed on either device.
Backwards are written with minigrad ops (the reversed scans through `Flip`), so double
backward works; cumprod's gradient is exact where the input has zeros, as torch's.
"""
from __future__ import annotations

import numpy as np

from .. import return_types
from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_ad import from_backward, linear, outer_tangents
from ..grad_mode import is_grad_enabled
from .arith import torch_name
from .checks import need_dtype, need_not_bool
from .compare import need_tensor, where
from .index import Gather
from .shape import normalize_dim


def _scan(a, axis, f):
    """Inclusive scan of the associative binary f(earlier, later) along axis, log2(n) steps."""
    n = a.shape[axis]
    step = 1
    while step < n:
        lo = [slice(None)] * a.ndim
        hi = [slice(None)] * a.ndim
        lo[axis], hi[axis] = slice(0, n - step), slice(step, n)
        new = a.copy()
        new[tuple(hi)] = f(a[tuple(lo)], a[tuple(hi)])
        a, step = new, step * 2
    return a


def _as_1d(x):
    """A 0-d array seen as shape (1,), as torch's scans treat it."""
    return x.reshape(1) if x.ndim == 0 else x


def _int64(x):
    return x.astype("int64") if x.dtype.kind in "biu" else x


def _accumulate(fn, x, dim):
    """fn (cumsum/cumprod) along dim; float16/32 accumulate in float64 as torch's CPU scans
    (a float32 running sum would drift over long rows), then round once."""
    a = _int64(_as_1d(x))
    if a.dtype.kind == "f" and a.dtype.itemsize < 8:
        return fn(a.astype("float64"), axis=dim).astype(a.dtype).reshape(x.shape)
    return fn(a, axis=dim).reshape(x.shape)


class Flip(Op):
    """x reversed along dim (the reversed scans of the backwards)."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return array_module(x).flip(x, dim).copy() if x.ndim else x.copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dim), None

    jvp = linear                # d flip(x) = flip(dx)


def _flip(t, dim):
    return Flip.apply(t, dim)


class CumSum(Op):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return _accumulate(array_module(x).cumsum, x, dim)

    @staticmethod
    def backward(ctx, g):
        d = ctx.dim                             # dx_i = sum_{k >= i} dy_k: a reversed cumsum
        return _flip(CumSum.apply(_flip(g, d), d), d), None

    jvp = linear                # d cumsum(x) = cumsum(dx)


class CumProd(Op):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        y = _accumulate(array_module(x).cumprod, x, dim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors                # dx_i = sum_{k >= i} dy_k prod_{j <= k, j != i} x_j
        d = ctx.dim
        if x.ndim == 0:
            return g, None
        if not (x.data == 0).any():             # = reversed cumsum(dy * y)_i / x_i
            return _flip(CumSum.apply(_flip(g * y, d), d), d) / x, None
        if not is_grad_enabled():               # first order only: O(n), as torch's
            return wrap(_cumprod_grad_zeros(x.data, y.data, g.data, d)), None
        return _cumprod_grad_with_zeros(x, g, d), None

    @staticmethod
    def jvp(ctx, tx, _):        # dy_k = sum_{i <= k} dx_i prod_{j <= k, j != i} x_j
        x, y = ctx.saved_tensors
        if x.ndim == 0:
            return tx
        if not (x.data == 0).any():             # = y cumsum(dx / x)
            return y * CumSum.apply(tx / x, ctx.dim)
        if outer_tangents(x, tx):               # (the zeros' masks are not differentiated:
            return from_backward(ctx, tx, _)    # an outer level takes the backward's way)
        return _cumprod_jvp_zeros(x, y, tx, ctx.dim)


def _cumprod_jvp_zeros(x, y, tx, d):
    """The exact tangent where x has zeros. With z the first zero of a line: before z,
    y cumsum(dx / x); from z on, dx_z prod_{j <= k, j != z} x_j (every other term has a zero
    factor), that product being the cumprod of x with x_z replaced by 1."""
    xp = array_module(x.data)
    n = x.shape[d]
    shape = [1] * x.ndim
    shape[d] = n
    pos = xp.arange(n).reshape(shape)
    zero = x.data == 0
    z = xp.where(zero.any(axis=d, keepdims=True), zero.argmax(axis=d, keepdims=True), n)
    before, at = wrap((pos < z).astype(tx.dtype)), wrap((pos == z).astype(tx.dtype))
    early = y * CumSum.apply(tx * before / (x * before + (1 - before)), d) * before
    skip_z = CumProd.apply(x * (1 - at) + at, d)
    late = (tx * at).sum(d, keepdim=True) * skip_z * wrap((pos >= z).astype(tx.dtype))
    return early + late


def _cumprod_grad_zeros(x, y, g, d):
    """The exact first-order gradient where x has zeros, on arrays. With z the first zero
    of a line: dx_i = rcumsum(dy y)_i / x_i before z; dx_z = y_{z-1} sum_{k >= z} dy_k
    prod_{z < j <= k} x_j; 0 after z."""
    xp = array_module(x)
    n = x.shape[d]
    shape = [1] * x.ndim
    shape[d] = n
    pos = xp.arange(n).reshape(shape)
    zero = x == 0
    z = xp.where(zero.any(axis=d, keepdims=True), zero.argmax(axis=d, keepdims=True), n)
    before = pos < z

    def rcumsum(a):
        return xp.flip(xp.cumsum(xp.flip(a, d), axis=d), d)
    with np.errstate(invalid="ignore", over="ignore"):
        out = xp.where(before, rcumsum(g * y) / xp.where(before, x, 1), 0)
        after = xp.cumprod(xp.where(pos <= z, 1, x), axis=d)       # prod_{z < j <= k} x_j
        s = rcumsum(xp.where(pos >= z, g * after, 0))
        first = [slice(None)] * x.ndim
        first[d] = slice(0, n - 1)
        one = list(x.shape)
        one[d] = 1
        excl = xp.concatenate([xp.ones(one, y.dtype), y[tuple(first)]], axis=d)   # y_{i-1}
        return xp.where(pos == z, excl * s, out).astype(g.dtype, copy=False)


def _cumprod_grad_with_zeros(x, g, d):
    """The exact gradient where x has zeros, differentiable again (create_graph):
    C[i, k] = prod_{j <= k, j != i} x_j from a cumprod of x with x_i replaced by 1 in row i
    (O(n^2) memory per scanned line; torch also switches to an O(n^2) method here)."""
    xp = array_module(x.data)
    n = x.shape[d]
    xl = x.transpose(d, -1) if d != x.ndim - 1 else x
    gl = g.transpose(d, -1) if d != x.ndim - 1 else g
    rows = xl.unsqueeze(-2).expand(*xl.shape[:-1], n, n)           # rows[.., i, j] = x_j
    eye = wrap(xp.eye(n, dtype=bool))
    c = CumProd.apply(where(eye, 1.0, rows), rows.ndim - 1)
    upper = wrap(xp.triu(xp.ones((n, n), dtype=x.data.dtype)))       # k >= i
    out = (c * upper * gl.unsqueeze(-2)).sum(-1)
    return out.transpose(d, -1) if d != x.ndim - 1 else out


class LogCumSumExp(Op):
    """log(cumsum(exp(x))) by a logaddexp scan: no overflow and no underflow."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        xp = array_module(x)
        out = _scan(_as_1d(x), dim, xp.logaddexp).reshape(x.shape)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors              # dx_i = sum_{k >= i} dy_k exp(x_i - out_k)
        d = ctx.dim
        if x.ndim == 0:
            return g, None
        # the sum in log space, positive and negative dy apart (as torch): no overflow
        # (log 0 is the lowest finite float, not -inf: -inf - -inf would give NaN)
        lowest = float(np.finfo(g.dtype).min)
        pos, neg = g > 0, g < 0
        log_pos = where(pos, where(pos, g, 1.0).log(), lowest)
        log_neg = where(neg, where(neg, -g, 1.0).log(), lowest)

        def rev_lcse(t):
            return _flip(LogCumSumExp.apply(_flip(t, d), d), d)
        return (x + rev_lcse(log_pos - out)).exp() - (x + rev_lcse(log_neg - out)).exp(), None

    @staticmethod
    def jvp(ctx, tx, _):        # dy_k = sum_{i <= k} dx_i exp(x_i - y_k)
        x, out = ctx.saved_tensors
        return tx if x.ndim == 0 else _logcumsumexp_jvp(x, out, tx, ctx.dim)


def _logcumsumexp_jvp(x, y, tx, d):
    """The tangent as the linear recurrence dy_k = a_k dy_{k-1} + b_k dx_k, a_k = exp(y_{k-1}
    - y_k) and b_k = exp(x_k - y_k) both in [0, 1], solved by a log-step scan of the affine
    maps (A, B): no overflow, and no underflow of terms that matter. (Weights
    exp(x - max) would underflow once the values span more than the dtype's exp range, ~87
    in float32; torch's tangent is off by O(1) relative already at a span of ~60 in
    float64.)"""
    from .pad import ConstantPad            # lazy: pad.py is not otherwise needed here

    def shift(t, s, fill):                  # t moved s places on along d, `fill` in front
        return ConstantPad.apply(t, (0, 0) * (t.ndim - 1 - d) + (s, -s), fill)
    a = (shift(y, 1, -np.inf) - y).exp()    # a_0 = 0: nothing before the first element
    b_dx = (x - y).exp() * tx
    step = 1
    while step < x.shape[d]:                # compose each map with the one `step` before it
        b_dx = b_dx + a * shift(b_dx, step, 0)
        a = a * shift(a, step, 1)
        step *= 2
    return b_dx


def _running_index(x, dim, largest):
    """Index of the running max (min) along dim: the last position holding it, NaN counted
    as the largest (smallest) value, as torch.cummax/cummin."""
    xp = array_module(x)
    values = _scan(x, dim, xp.maximum if largest else xp.minimum)   # both propagate NaN
    hit = x == values
    if x.dtype.kind == "f":
        hit |= xp.isnan(x) & xp.isnan(values)
    shape = [1] * x.ndim
    shape[dim] = x.shape[dim]
    pos = xp.arange(x.shape[dim], dtype="int64").reshape(shape)
    return _scan(xp.where(hit, pos, 0), dim, xp.maximum)


def _dim(input, dim, op):
    return normalize_dim(dim, input.ndim, op)


def _cast(input, dtype):
    return input if dtype is None else input.to(dtype)


# ---- public functions --------------------------------------------------------------------
def cumsum(input, dim, *, dtype=None):
    """Running sum along dim; bool and integer inputs sum in int64 (torch.cumsum)."""
    need_tensor("cumsum", input, "input", 1)
    dtype = None if dtype is None else need_not_bool(need_dtype("cumsum", dtype), "cumsum",
                                                "cumsum_out_cpu")
    x = _cast(input, dtype)
    return _cast(CumSum.apply(x, _dim(x, dim, "cumsum")), dtype)     # int32 stays int32


def cumprod(input, dim, *, dtype=None):
    """Running product along dim; exact gradient where the input has zeros (torch.cumprod)."""
    need_tensor("cumprod", input, "input", 1)
    dtype = None if dtype is None else need_not_bool(need_dtype("cumprod", dtype), "cumprod",
                                                "cumprod_out_cpu")
    x = _cast(input, dtype)
    return _cast(CumProd.apply(x, _dim(x, dim, "cumprod")), dtype)


def _cum_extreme(input, dim, largest):
    op = "cummax" if largest else "cummin"
    need_tensor(op, input, "input", 1)
    if input._batched:                                      # inside vmap
        from ..func import batching_fns
        return batching_fns.along_dim(lambda x, d: _cum_extreme(x, d, largest), input, dim, op)
    d = _dim(input, dim, op)
    cls = getattr(return_types, op)
    if input.ndim == 0:
        return cls((input.clone(), wrap(array_module(input.data).zeros((), "int64"))))
    idx = _running_index(input.data, d, largest)
    return cls((Gather.apply(input, d, idx), wrap(idx)))


def cummax(input, dim):
    """(values, indices) of the running max along dim; ties and NaN take the latest index,
    and the gradient goes to that index (torch.cummax)."""
    return _cum_extreme(input, dim, True)


def cummin(input, dim):
    """(values, indices) of the running min along dim (torch.cummin)."""
    return _cum_extreme(input, dim, False)


def logcumsumexp(input, dim):
    """log(cumsum(exp(x))) along dim, computed stably; floating inputs only
    (torch.logcumsumexp)."""
    need_tensor("logcumsumexp", input, "input", 1)
    if input.dtype.kind not in "fc":
        raise NotImplementedError("\"logcumsumexp_out_cpu\" not implemented for "
                                  f"'{torch_name(input.dtype)}'")
    return LogCumSumExp.apply(input, _dim(input, dim, "logcumsumexp"))


__all__ = ["cummax", "cummin", "cumprod", "cumsum", "logcumsumexp"]
