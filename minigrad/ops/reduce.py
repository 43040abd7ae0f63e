"""Reductions: sum, mean, var, std, amax, amin, max/min (with indices), argmax, logsumexp.

`dim` is None (all dims), an int or a tuple of ints; `keepdim` as torch. The backward of a
reduction expands the gradient back over the reduced dims.
"""
from __future__ import annotations

import builtins  # this module defines sum/max/min with torch's meaning

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from ..cuda import reduce as cuda_reduce
from .shape import normalize_dim, normalize_dims


def _keep_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _expand_back(g, shape, dims, keepdim):
    """Undo a reduction's shape change: reshape to keepdim form, then broadcast to `shape`."""
    if not keepdim:
        g = g.reshape(_keep_shape(shape, dims))
    return g.expand(*shape)


class Sum(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        ctx.args = x.shape, dims, keepdim
        out = x.sum(axis=dims, keepdims=keepdim)
        return out.astype("int64") if x.dtype.kind in "bi" else out

    @staticmethod
    def forward_cuda(ctx, x, dims, keepdim):  # kernels/reduce.cu; None: no kernel for this case
        out = cuda_reduce.reduce(x, dims, "sum")
        if out is None:
            return Sum.forward(ctx, x, dims, keepdim)
        ctx.args = x.shape, dims, keepdim
        return out if keepdim else out.reshape(_shape_without(x.shape, dims))

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, *ctx.args), None, None


class Amax(Op):
    """Max over dims; the gradient is shared evenly between tied maxima (torch.amax)."""
    reduce_name = "max"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        name = ctx.reduce_name                  # "max" here, "min" in Amin
        if x.size == 0:
            raise RuntimeError(f"a{name}: cannot reduce an empty tensor")
        ctx.args = x.shape, dims, keepdim
        out = getattr(x, name)(axis=dims, keepdims=True)
        ctx.save_for_backward(x, out)
        return out if keepdim else out.reshape(_shape_without(x.shape, dims))

    @staticmethod
    def forward_cuda(ctx, x, dims, keepdim):  # kernels/reduce.cu; None: no kernel for this case
        out = cuda_reduce.reduce(x, dims, "max")
        if out is None:
            return Amax.forward(ctx, x, dims, keepdim)
        ctx.args = x.shape, dims, keepdim
        ctx.save_for_backward(x, out)
        return out if keepdim else out.reshape(_shape_without(x.shape, dims))

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        shape, dims, keepdim = ctx.args
        mask = wrap((x.data == out.data).astype(g.dtype))
        count = mask.sum(dims, keepdim=True)
        return _expand_back(g, shape, dims, keepdim) * mask / count, None, None


class Amin(Amax):
    """Min over dims; the same forward and backward as Amax with min in place of max."""
    reduce_name = "min"
    forward_cuda = None                 # Amax's kernel computes max; amin runs CuPy's min


def _shape_without(shape, dims):
    return tuple(s for i, s in enumerate(shape) if i not in dims)


class MaxDim(Op):
    """(values, indices) of the max along one dim; the gradient goes to the index only."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest):
        xp = array_module(x)
        if x.ndim and x.shape[dim] == 0:
            raise IndexError(f"max/min: cannot reduce dim {dim} of size 0 (shape {x.shape})")
        idx = (x.argmax if largest else x.argmin)(axis=dim, keepdims=True)
        if x.dtype.kind == "f":     # torch returns the index of a NaN if there is one
            nan = xp.isnan(x)
            has_nan = nan.any(axis=dim, keepdims=True)
            idx = xp.where(has_nan, nan.argmax(axis=dim, keepdims=True), idx)
        values = xp.take_along_axis(x, idx, axis=dim)
        ctx.args = x.shape, dim, keepdim, idx
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        idx = idx.astype("int64")
        ctx.mark_non_differentiable(idx)
        return values, idx

    @staticmethod
    def backward(ctx, g, _):
        shape, dim, keepdim, idx = ctx.args
        xp = array_module(idx)
        positions = xp.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1))
        onehot = wrap((positions == idx).astype(g.dtype))
        return _expand_back(g, shape, (dim,), keepdim) * onehot, None, None, None


class LogSumExp(Op):
    """log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the max: no overflow."""

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        xp = array_module(x)
        m = x.max(axis=dims, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)      # rows of -inf give -inf, +inf gives +inf
        s = xp.exp(x - m).sum(axis=dims, keepdims=True)
        with np.errstate(divide="ignore"):      # log(0) = -inf is the right answer here
            out = xp.log(s) + m
        out = out if keepdim else out.reshape(_shape_without(x.shape, dims))
        ctx.args = x.shape, dims, keepdim
        ctx.save_for_backward(x, out)           # the real output: keeps double backward linked
        return out

    @staticmethod
    def forward_cuda(ctx, x, dims, keepdim):  # kernels/reduce.cu; None: no kernel for this case
        out = cuda_reduce.reduce(x, dims, "logsumexp")
        if out is None:
            return LogSumExp.forward(ctx, x, dims, keepdim)
        out = out if keepdim else out.reshape(_shape_without(x.shape, dims))
        ctx.args = x.shape, dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors              # d lse = softmax(x) dx
        shape, dims, keepdim = ctx.args
        out = _expand_back(out, shape, dims, keepdim)
        return _expand_back(g, shape, dims, keepdim) * (x - out).exp(), None, None


class ArgReduce(Op):
    @staticmethod
    def forward(ctx, x, dim, keepdim, largest):
        fn = x.argmax if largest else x.argmin
        if dim is None:
            out = fn()
            return out.reshape((1,) * x.ndim) if keepdim else out
        return fn(axis=dim, keepdims=keepdim).astype("int64")


def _dims(x, dim, op):
    return normalize_dims(dim, x.ndim, op)


def sum(x, dim=None, keepdim=False, dtype=None):
    out = Sum.apply(x, _dims(x, dim, "sum"), keepdim)
    return out if dtype is None else out.to(dtype)


def mean(x, dim=None, keepdim=False):
    if x.dtype.kind != "f":
        raise RuntimeError(f"mean: input dtype must be floating point, got {x.dtype}")
    dims = _dims(x, dim, "mean")
    count = 1
    for d in dims:
        count *= x.shape[d]
    return Sum.apply(x, dims, keepdim) / count


def var(x, dim=None, unbiased=None, keepdim=False, correction=None):
    """Variance with torch's `correction` (default 1, Bessel); `unbiased=False` means 0."""
    if unbiased is not None and correction is not None:
        raise RuntimeError("var: pass either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    dims = _dims(x, dim, "var")
    count = 1
    for d in dims:
        count *= x.shape[d]
    centered = x - mean(x, dims, keepdim=True)
    return sum(centered * centered, dims, keepdim) / builtins.max(count - correction, 0)


def std(x, dim=None, unbiased=None, keepdim=False, correction=None):
    return var(x, dim, unbiased, keepdim, correction).sqrt()


def amax(x, dim=(), keepdim=False):
    return Amax.apply(x, _dims(x, None if dim == () else dim, "amax"), keepdim)


def amin(x, dim=(), keepdim=False):
    return Amin.apply(x, _dims(x, None if dim == () else dim, "amin"), keepdim)


def max(x, dim=None, keepdim=False):
    """x.max() -> value; x.max(dim) -> (values, indices); x.max(other) -> maximum."""
    if dim is None:
        return amax(x)
    if hasattr(dim, "shape"):
        from .arith import maximum
        return maximum(x, dim)
    return MaxDim.apply(x, normalize_dim(dim, x.ndim, "max"), keepdim, True)


def min(x, dim=None, keepdim=False):
    if dim is None:
        return amin(x)
    if hasattr(dim, "shape"):
        from .arith import minimum
        return minimum(x, dim)
    return MaxDim.apply(x, normalize_dim(dim, x.ndim, "min"), keepdim, False)


def argmax(x, dim=None, keepdim=False):
    d = None if dim is None else normalize_dim(dim, x.ndim, "argmax")
    return ArgReduce.apply(x, d, keepdim, True)


def argmin(x, dim=None, keepdim=False):
    d = None if dim is None else normalize_dim(dim, x.ndim, "argmin")
    return ArgReduce.apply(x, d, keepdim, False)


def logsumexp(x, dim, keepdim=False):
    return LogSumExp.apply(x, _dims(x, dim, "logsumexp"), keepdim)


__all__ = ["sum", "mean", "var", "std", "amax", "amin", "max", "min", "argmax", "argmin",
           "logsumexp"]
