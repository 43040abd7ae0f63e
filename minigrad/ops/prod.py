"""prod: the product over one dim or over all elements (torch.prod).

The gradient is the product of the other elements: out / x where x has no zeros, else
exclusive cumprods from both ends, so one zero gets its exact gradient and two or more give
zeros, as torch's. Written with minigrad ops: double backward works.
"""
from __future__ import annotations

import numbers

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from .checks import reduce_args
from .reduce import Sum, _drop_dims, _expand_back
from .scan import CumProd, _flip
from .shape import cat, normalize_dim


class Prod(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        a = x.astype("int64") if x.dtype.kind in "biu" else x
        out = _drop_dims(a.prod(axis=dims, keepdims=True), dims, keepdim)
        ctx.args = x.shape, dims, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors              # dx_i = dy * prod_{j != i} x_j
        g = _expand_back(g, *ctx.args)
        if x.ndim == 0:
            return g, None, None
        return g * _others_all(x, out, ctx.args), None, None

    @staticmethod
    def jvp(ctx, tx, *_):       # d prod(x) = sum_i dx_i prod_{j != i} x_j
        x, out = ctx.saved_tensors
        if x.ndim == 0:
            return tx
        _, dims, keepdim = ctx.args
        return Sum.apply(tx * _others_all(x, out, ctx.args), dims, keepdim)


def _others_all(x, out, args):
    """d prod / dx_i = prod_{j != i} x_j over the reduced dims (x's shape): out / x where x
    has no zeros, else exclusive cumprods (exact with zeros)."""
    if not (x.data == 0).any():
        return _expand_back(out, *args) / x
    dims = args[1]
    if len(dims) == 1:
        return _others(x, dims[0])
    return _others(x.reshape(-1), 0).reshape(x.shape)


def _exclusive_cumprod(x, d):
    """prod_{j < i} x_j along d (1 at i = 0)."""
    n = x.shape[d]
    shape = list(x.shape)
    shape[d] = 1
    ones = wrap(array_module(x.data).ones(shape, x.data.dtype))
    return CumProd.apply(cat([ones, x[(slice(None),) * d + (slice(0, n - 1),)]], d), d)


def _others(x, d):
    """prod_{j != i} x_j along d, exact with zeros."""
    return _exclusive_cumprod(x, d) * _flip(_exclusive_cumprod(_flip(x, d), d), d)


@autocast_op("prod")
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or along one int dim; bool and integer inputs multiply in
    int64 (torch.prod). dtype= casts the input first."""
    dtype = reduce_args("prod", input, keepdim, dtype)
    if dim is not None and (not isinstance(dim, numbers.Integral) or isinstance(dim, bool)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    x = input if dtype is None else input.to(dtype)
    if dim is None:
        if keepdim:
            raise TypeError("prod() received an invalid combination of arguments - got "
                            "(keepdim=bool); pass a dim")
        out = Prod.apply(x, tuple(range(x.ndim)), False)
    else:
        d = normalize_dim(dim, x.ndim, "prod")
        out = Prod.apply(x, (d,) if x.ndim else (), keepdim)
    return out if dtype is None else out.to(dtype)          # int32 stays int32


__all__ = ["prod"]
