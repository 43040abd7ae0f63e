"""Reductions that test or skip elements: all, any, count_nonzero, nansum, nanmean.

all/any/count_nonzero have no gradient (bool/int64 results). nansum and nanmean are sum and
mean with NaN replaced by 0 (and not counted): the gradient is 0 at the NaN positions.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_ad import elementwise
from .arith import torch_name
from .checks import reduce_args
from .compare import need_tensor
from .reduce import _dims, _drop_dims, sum


def _test(input, dim, keepdim, op):
    reduce_args(op, input, keepdim)
    if input._batched:                                      # inside vmap
        from ..func import batching_fns
        return batching_fns.along_dims(lambda x, d: _test(x, d, keepdim, op), input, dim, op)
    x = input.data
    nz = x != 0                                  # NaN counts as True, as torch
    if isinstance(dim, (tuple, list)) and len(dim) == 0:    # torch: dim=() reduces nothing
        return wrap(nz.astype(np.uint8) if x.dtype == np.uint8 else nz)
    dims = _dims(input, dim, op)
    out = (nz.all if op == "all" else nz.any)(axis=dims, keepdims=True)
    out = _drop_dims(out, dims, keepdim)
    return wrap(out.astype(np.uint8) if x.dtype == np.uint8 else out)


def all(input, dim=None, keepdim=False):
    """True where every element along dim (an int, a tuple or None: all) is nonzero; a uint8
    input gives uint8, as torch.all."""
    return _test(input, dim, keepdim, "all")


def any(input, dim=None, keepdim=False):
    """True where some element along dim is nonzero; uint8 in, uint8 out (torch.any)."""
    return _test(input, dim, keepdim, "any")


def count_nonzero(input, dim=None):
    """int64 count of the nonzero elements along dim (int, tuple, or None: all)
    (torch.count_nonzero)."""
    need_tensor("count_nonzero", input, "input", 1)
    if input._batched:                                      # inside vmap
        from ..func import batching_fns
        return batching_fns.along_dims(count_nonzero, input, dim, "count_nonzero")
    dims = _dims(input, dim, "count_nonzero")
    out = (input.data != 0).sum(axis=dims).astype("int64")
    return wrap(array_module(input.data).asarray(out))


def _nan_mask(x):
    return wrap(array_module(x.data).isnan(x.data))


class NanToZero(Op):
    """x with its NaNs replaced by 0; backward multiplies by the not-NaN mask, as torch's
    nansum backward does (so an inf upstream gradient gives nan there, as in torch, unlike
    where()'s select)."""

    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        ctx.keep = ~xp.isnan(x)
        return xp.where(ctx.keep, x, x.dtype.type(0))

    @staticmethod
    def backward(ctx, g):
        return g * wrap(ctx.keep.astype(g.dtype))

    jvp = elementwise           # diagonal Jacobian: J v = J^T v (dx where x is not NaN)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """sum treating NaN as 0 (torch.nansum); integer and bool inputs sum in int64."""
    dtype = reduce_args("nansum", input, keepdim, dtype)
    x = input if dtype is None else input.to(dtype)
    if x.dtype.kind in "fc":
        x = NanToZero.apply(x)
    return sum(x, dim, keepdim, dtype=dtype)                # bool stays bool if asked


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """mean over the non-NaN elements (torch.nanmean); NaN where there are none."""
    dtype = reduce_args("nanmean", input, keepdim, dtype)
    if input.dtype.kind not in "fc":         # checked before dtype=, as torch
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {torch_name(input.dtype)}")
    if input._batched:                                      # inside vmap
        from ..func import batching_fns
        return batching_fns.along_dims(lambda x, d: nanmean(x, d, keepdim, dtype=dtype), input,
                                       dim, "nanmean")
    if dtype is not None and dtype.kind not in "fc":
        raise RuntimeError("nanmean(): could not infer output dtype. Optional dtype must be "
                           f"either a floating point or complex dtype. Got: {torch_name(dtype)}")
    x = input if dtype is None else input.to(dtype)
    mask = _nan_mask(x)
    xp = array_module(x.data)
    count = xp.asarray((~mask.data).sum(axis=_dims(x, dim, "nanmean"), keepdims=keepdim))
    with np.errstate(invalid="ignore", divide="ignore"):    # 0 / 0 = nan, as torch
        return nansum(x, dim, keepdim) / wrap(count.astype(x.dtype))


__all__ = ["all", "any", "count_nonzero", "nanmean", "nansum"]
