"""Reductions: sum, mean, var, std, var_mean, std_mean, amax, amin, aminmax, max/min (with
indices), argmax, argmin, logsumexp; each matches torch.X's signature, dtypes and errors.

`dim` is None or () (all dims), an int or a tuple of ints; `keepdim` as torch. The backward of
a reduction expands the gradient back over the reduced dims. Ops that pick one element per row
(max/min with a dim, and sort.py's) gather it, so the gradient flows to that index only.
"""
from __future__ import annotations

import builtins  # this module defines sum/max/min with torch's meaning

import numpy as np

from .. import fastpath, return_types
from ..autograd import Op, wrap
from ..backend import array_module, get_default_dtype
from ..cuda import reduce as cuda_reduce
from .arith import torch_name
from .checks import need_bool, need_number, reduce_args
from .index import Gather
from .shape import Expand, Reshape, normalize_dim, normalize_dims
from ..forward_ad import linear


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _expand_back(g, shape, dims, keepdim):
    """Undo a reduction's shape change: reshape to keepdim form, then broadcast to `shape`.
    (The ops themselves, not the checking Tensor.reshape/expand: the shapes are known good,
    and this runs in every reduction's backward.)"""
    if not keepdim:
        g = Reshape.apply(g, _keep_shape(shape, dims))
    return g if g.shape == shape else Expand.apply(g, shape)


def _sum(x, dims):
    out = x.sum(axis=dims, keepdims=True)
    return out.astype("int64") if x.dtype.kind in "biu" else out


def _amax(x, dims):
    return x.max(axis=dims, keepdims=True)


def _amin(x, dims):
    return x.min(axis=dims, keepdims=True)


def _logsumexp(x, dims):
    """m + log(sum(exp(x - m))) with m the max: no overflow."""
    xp = array_module(x)
    m = x.max(axis=dims, keepdims=True) if x.size else xp.zeros(_keep_shape(x.shape, dims), x.dtype)
    m = xp.where(xp.isfinite(m), m, 0)      # rows of -inf give -inf, +inf gives +inf
    s = xp.exp(x - m).sum(axis=dims, keepdims=True)
    with np.errstate(divide="ignore"):      # log(0) = -inf is the right answer here
        return xp.log(s) + m


def _drop_dims(out, dims, keepdim):
    """A keepdim-shaped reduction result in the shape keepdim asks for."""
    return out if keepdim else out.reshape(tuple(
        s for i, s in enumerate(out.shape) if i not in dims))


class Sum(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.args = x.shape, dims, keepdim
        out = fastpath.run(None, cuda_reduce.sum, _sum, x, dims)
        return _drop_dims(out, dims, keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, *ctx.args), None, None

    jvp = linear


class Amax(Op):
    """Max over dims; the gradient is shared evenly between tied maxima (torch.amax)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.args = x.shape, dims, keepdim
        out = fastpath.run(None, cuda_reduce.amax, _amax, x, dims)
        ctx.save_for_backward(x, out)
        return _drop_dims(out, dims, keepdim)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape, dims, keepdim = ctx.args
        mask = wrap((x.data == out.data).astype(g.dtype))
        count = mask.sum(dims, keepdim=True)
        return _expand_back(g, shape, dims, keepdim) * mask / count, None, None

    @staticmethod
    def jvp(ctx, tx, *_):       # d amax = the mean of the tangents of the tied maxima
        x, out = ctx.saved_tensors
        _, dims, keepdim = ctx.args
        mask = wrap((x.data == out.data).astype(tx.dtype))
        return Sum.apply(tx * mask, dims, keepdim) / Sum.apply(mask, dims, keepdim)


class Amin(Amax):
    """Min over dims; Amax's backward (the gradient shared between tied minima)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.args = x.shape, dims, keepdim
        out = _amin(x, dims)                  # no kernel: CuPy's min on CUDA
        ctx.save_for_backward(x, out)
        return _drop_dims(out, dims, keepdim)


class LogSumExp(Op):
    """log(sum(exp(x))) over dims, computed without overflow (_logsumexp)."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.args = x.shape, dims, keepdim
        out = _drop_dims(fastpath.run(None, cuda_reduce.logsumexp, _logsumexp, x, dims), dims,
                         keepdim)
        ctx.save_for_backward(x, out)           # the real output: keeps double backward linked
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors              # d lse = softmax(x) dx
        shape, dims, keepdim = ctx.args
        out = _expand_back(out, shape, dims, keepdim)
        return _expand_back(g, shape, dims, keepdim) * (x - out).exp(), None, None

    @staticmethod
    def jvp(ctx, tx, *_):       # d lse = sum(softmax(x) dx)
        x, out = ctx.saved_tensors
        shape, dims, keepdim = ctx.args
        return Sum.apply(tx * (x - _expand_back(out, shape, dims, keepdim)).exp(), dims, keepdim)


class ArgReduce(Op):
    """Index of the max (largest) or min along dim, or of the flattened input (dim None)."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest):
        xp = array_module(x)
        flat = x.reshape(-1) if dim is None else (x.reshape(1) if x.ndim == 0 else x)
        d = 0 if dim is None or x.ndim == 0 else dim
        idx = (flat.argmax if largest else flat.argmin)(axis=d, keepdims=True)
        if x.dtype.kind == "f":     # torch returns the index of the first NaN if there is one
            nan = xp.isnan(flat)
            idx = xp.where(nan.any(axis=d, keepdims=True), nan.argmax(axis=d, keepdims=True), idx)
        idx = idx.astype("int64")
        if dim is None or x.ndim == 0:
            return idx.reshape((1,) * x.ndim if keepdim else ())
        return idx if keepdim else idx.squeeze(dim)

    @staticmethod
    def jvp(ctx, *tangents):    # an integer index: no tangent (never asked: not a float)
        return None


# ---- argument handling shared by the public functions ------------------------------------
def _dims(x, dim, op):
    """None or () -> all dims (as torch); an int or a sequence -> sorted non-negative dims."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(x.ndim))
    return normalize_dims(dim, x.ndim, op)


def _count(x, dims):
    count = 1
    for d in dims:
        count *= x.shape[d]
    return count


def _check_nonempty(x, dim, dims, op, error=RuntimeError):
    """torch's errors for max/min-like reductions of nothing: they have no identity."""
    if x.numel():
        return
    if dim is None:
        raise error(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument.")
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")


def select_along(x, dim, idx, keepdim, cls):
    """(values, indices) named tuple `cls` for indices `idx` (keepdim shape) along `dim`; the
    values are gathered, so the gradient goes to the chosen elements only."""
    if x.ndim == 0:
        return cls((x.clone(), wrap(idx.reshape(()))))
    values = Gather.apply(x, dim, idx)
    indices = wrap(idx)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return cls((values, indices))


def _require_float(x, op):
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"{op}(): std and var only support floating point and complex "
                           f"dtypes, got {x.dtype}")


# ---- public functions --------------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over dims (all by default); bool and integer inputs sum to int64 (torch.sum)."""
    dtype = reduce_args("sum", input, keepdim, dtype)
    x = input if dtype is None else input.to(dtype)
    out = Sum.apply(x, _dims(x, dim, "sum"), keepdim)
    return out if dtype is None else out.to(dtype)          # int32 stays int32 if asked


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over dims; an empty reduction gives nan. Integer inputs need dtype= (torch.mean)."""
    dtype = reduce_args("mean", input, keepdim, dtype)
    x = input if dtype is None else input.to(dtype)
    if x.dtype.kind not in "fc":
        which = "Input" if dtype is None else "Optional"
        raise RuntimeError(f"mean(): could not infer output dtype. {which} dtype must be "
                           f"either a floating point or complex dtype. Got: "
                           f"{torch_name(x.dtype)}")
    dims = _dims(x, dim, "mean")
    with np.errstate(invalid="ignore", divide="ignore"):    # 0 / 0 = nan, as torch
        return Sum.apply(x, dims, keepdim) / _count(x, dims)


def _var_args(op, dim, unbiased, correction):
    """torch's var/std overloads: var(x, True) is unbiased=True, var(x, 0) is dim 0."""
    if unbiased is not None and not isinstance(dim, bool):
        need_bool(op, unbiased, "unbiased")
    if correction is not None:
        need_number(op, correction, "correction")
    if isinstance(dim, bool):
        if unbiased is not None:
            raise TypeError(f"{op}() received an invalid combination of arguments")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}() received an invalid combination of arguments: pass either "
                        "unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over dims with torch's `correction` (default 1, Bessel); unbiased=False is 0.
    Matches torch.var, including nan where there are no degrees of freedom."""
    reduce_args("var", input, keepdim)
    _require_float(input, "var")
    dim, correction = _var_args("var", dim, unbiased, correction)
    dims = _dims(input, dim, "var")
    count = _count(input, dims)
    with np.errstate(invalid="ignore", divide="ignore"):
        centered = input - mean(input, dims, keepdim=True)
        return sum(centered * centered, dims, keepdim) / builtins.max(count - correction, 0)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation: sqrt(var) with var's arguments (torch.std)."""
    reduce_args("std", input, keepdim)
    _require_float(input, "std")
    _dims(input, _var_args("std", dim, unbiased, correction)[0], "std")
    dim, correction = _var_args("std", dim, unbiased, correction)
    return var(input, dim, None, keepdim, correction=correction).sqrt()


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) as a plain tuple, as torch.var_mean."""
    reduce_args("var_mean", input, keepdim)
    _require_float(input, "var_mean")
    dim, correction = _var_args("var_mean", dim, unbiased, correction)
    return (var(input, dim, None, keepdim, correction=correction),
            mean(input, _dims(input, dim, "var_mean"), keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) as a plain tuple, as torch.std_mean."""
    reduce_args("std_mean", input, keepdim)
    _require_float(input, "std_mean")
    dim, correction = _var_args("std_mean", dim, unbiased, correction)
    return (std(input, dim, None, keepdim, correction=correction),
            mean(input, _dims(input, dim, "std_mean"), keepdim))


def amax(input, dim=(), keepdim=False):
    """Max over dims (all for dim=()); tied maxima share the gradient (torch.amax)."""
    reduce_args("amax", input, keepdim)
    dim = int(dim) if isinstance(dim, np.integer) else dim
    dims = _dims(input, dim, "amax")
    _check_nonempty(input, None if dim in ((), [], None) else dim, dims, "amax")
    return Amax.apply(input, dims, keepdim)


def amin(input, dim=(), keepdim=False):
    reduce_args("amin", input, keepdim)
    dim = int(dim) if isinstance(dim, np.integer) else dim
    dims = _dims(input, dim, "amin")
    _check_nonempty(input, None if dim in ((), [], None) else dim, dims, "amin")
    return Amin.apply(input, dims, keepdim)


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) named tuple over one dim or all dims (torch.aminmax)."""
    reduce_args("aminmax", input, keepdim)
    if dim is None:
        if input.data.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        if keepdim:
            dims = tuple(range(input.ndim))
            return return_types.aminmax((Amin.apply(input, dims, True),
                                         Amax.apply(input, dims, True)))
        return return_types.aminmax((amin(input), amax(input)))
    d = normalize_dim(dim, input.ndim, "aminmax")
    dims = (d,) if input.ndim else ()
    _check_nonempty(input, d, dims, "aminmax")
    return return_types.aminmax((Amin.apply(input, dims, keepdim),
                                 Amax.apply(input, dims, keepdim)))


def _max_min(input, dim, keepdim, other, largest):
    op = "max" if largest else "min"
    reduce_args(op, input, keepdim)
    if other is not None or (hasattr(dim, "shape") and not isinstance(dim, np.generic)):
        # torch.max(input, other) = maximum
        from .compare import maximum, minimum
        return (maximum if largest else minimum)(input, dim if other is None else other)
    if dim is None:
        if keepdim:
            raise TypeError(f"{op}() received an invalid combination of arguments - got "
                            "(keepdim=bool); pass a dim")
        _check_nonempty(input, None, (), op)
        return (Amax if largest else Amin).apply(input, tuple(range(input.ndim)), False)
    if input._batched:                                      # inside vmap
        from ..func import batching_fns
        return batching_fns.max_min(input, dim, keepdim, largest)
    d = normalize_dim(dim, input.ndim, op)
    _check_nonempty(input, d, (d,) if input.ndim else (), op)
    idx = ArgReduce.forward(None, input.data, d if input.ndim else None, True, largest)
    return select_along(input, d, idx, keepdim, getattr(return_types, op))


def max(input, dim=None, keepdim=False, *, other=None):
    """x.max() -> value (ties share the gradient); x.max(dim) -> (values, indices) named
    tuple (the gradient goes to the index); x.max(other) -> maximum. Matches torch.max."""
    return _max_min(input, dim, keepdim, other, True)


def min(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, other, False)


def argmax(input, dim=None, keepdim=False):
    """int64 index of the first max (of a NaN if any) along dim or over all (torch.argmax)."""
    reduce_args("argmax", input, keepdim)
    if input.dtype.kind == "b":
        raise RuntimeError("argmax(): does not support bool input")
    d = None if dim is None else normalize_dim(dim, input.ndim, "argmax")
    _check_nonempty(input, d, () if d is None or not input.ndim else (d,), "argmax", IndexError)
    return ArgReduce.apply(input, None if not input.ndim else d, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    reduce_args("argmin", input, keepdim)
    if input.dtype.kind == "b":
        raise RuntimeError("argmin(): does not support bool input")
    d = None if dim is None else normalize_dim(dim, input.ndim, "argmin")
    _check_nonempty(input, d, () if d is None or not input.ndim else (d,), "argmin", IndexError)
    return ArgReduce.apply(input, None if not input.ndim else d, keepdim, False)


def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(x))) over dims without overflow; -inf over nothing (torch.logsumexp)."""
    reduce_args("logsumexp", input, keepdim)
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    x = input if input.dtype.kind in "fc" else input.to(get_default_dtype())   # as torch
    return LogSumExp.apply(x, _dims(x, dim, "logsumexp"), keepdim)


__all__ = [
    "amax",
    "amin",
    "aminmax",
    "argmax",
    "argmin",
    "logsumexp",
    "max",
    "mean",
    "min",
    "select_along",
    "std",
    "std_mean",
    "sum",
    "var",
    "var_mean",
]
