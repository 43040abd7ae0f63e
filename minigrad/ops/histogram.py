"""histogram and histogramdd: counts (or summed weights) of the elements falling in each bin,
with the bin edges, as torch computes them:

    edges      = linspace(lo, hi, bins + 1) in input's dtype (lo, hi: the data's min and max
                 or `range`; lo == hi widens to lo - 0.5 .. hi + 0.5; no data: 0 .. 1)
    bin of x   = the last edge <= x (x == the last edge: the last bin); x outside
                 [edges[0], edges[-1]] is not counted
    density    = hist / hist.sum() / the bin widths (per dim)

Not differentiable (torch's are not either). Float32 and float64 inputs only, as torch's CPU.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import return_types
from ..autograd import wrap
from .arith import torch_name
from .checks import need_bool, need_int, need_tensor, type_name

_DT_NAMES = {"float32": "float", "float64": "double", "int64": "long int"}


def _edges_for(fn, d, bins, lo, hi, data, dtype):
    """(edges array, lo, hi) for dim d from an int bins or a 1-D tensor of edges."""
    from ..creation import linspace
    if not isinstance(bins, numbers.Integral):
        if bins.dtype != dtype:
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have the "
                               f"same dtype, but got input with dtype {_DT_NAMES.get(str(dtype))}"
                               f" and bins for dimension {d} with dtype "
                               f"{_DT_NAMES.get(str(bins.dtype), bins.dtype)}")
        if bins.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but "
                               f"got {bins.ndim} dimensions in the bins tensor for dimension {d}")
        if bins.shape[0] < 2:
            raise RuntimeError(f"torch.{fn}(): bins must be > 0, but got {bins.shape[0] - 1} for "
                               f"dimension {d}")
        return bins.numpy(force=True).copy()
    bins = need_int(fn, bins, "bins")
    if bins <= 0:
        raise RuntimeError(f"torch.{fn}(): bins must be > 0, but got {bins} for dimension {d}")
    if bins >= 2**62:
        raise RuntimeError(f"torch.{fn}(): bins = {bins} is too many to allocate")
    if lo is None:
        lo, hi = (float(data.min()), float(data.max())) if data.size else (0.0, 1.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histogramdd: dimension {d}'s range [{lo:g}, {hi:g}] is not "
                           "finite")
    if lo > hi:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {lo:g} "
                           f"max {hi:g} for dimension {d}")
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return linspace(lo, hi, int(bins) + 1, dtype=dtype).numpy()


def _histdd(fn, x, bins, range, weight, density):
    """The shared body: x is (N, D) on the host; bins a list of D ints or 1-D tensors."""
    n, dims = x.shape
    if range is not None:
        range = [float(r) for r in range]
        if len(range) != 2 * dims:
            raise RuntimeError(f"torch.histogramdd: for a {dims}-dimensional histogram range "
                               f"should have {2 * dims} elements, but got {len(range)}")
    edges, where = [], []
    keep = np.ones(n, bool)
    for d, b in enumerate(bins):
        lo, hi = (None, None) if range is None else (range[2 * d], range[2 * d + 1])
        e = _edges_for(fn, d, b, lo, hi, x[:, d], x.dtype)
        col = x[:, d]
        keep &= (col >= e[0]) & (col <= e[-1])          # (NaN fails both: not counted)
        k = np.searchsorted(e, col, side="right") - 1
        where.append(np.clip(k, 0, e.shape[0] - 2))     # x == the last edge: the last bin
        edges.append(e)
    shape = tuple(e.shape[0] - 1 for e in edges)
    flat = np.ravel_multi_index(tuple(w[keep] for w in where), shape) if dims else \
        np.zeros(0, np.int64)              # torch: a 0-dim histogram counts nothing
    w = None if weight is None else weight[keep]
    hist = np.zeros(int(np.prod(shape)), x.dtype)
    # (summed in input's dtype in element order, as torch's kernel does)
    np.add.at(hist, flat, np.ones(flat.shape, x.dtype) if w is None else w.astype(x.dtype))
    hist = hist.reshape(shape)
    if density:
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = hist / hist.sum()
            for d, e in enumerate(edges):
                view = [1] * dims
                view[d] = -1
                hist = hist / np.diff(e).reshape(view)
        hist = hist.astype(x.dtype)
    return hist, edges


def _check(fn, input, weight, density):
    need_tensor(fn, input, "input", 1)
    if weight is not None:
        need_tensor(fn, weight, "weight")
    need_bool(fn, density, "density")
    if input.dtype.name not in ("float32", "float64"):
        raise NotImplementedError(f"{fn}(): \"histogramdd\" not implemented for "
                                  f"'{torch_name(input.dtype)}'")
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"torch.histogramdd: if weight tensor is provided, input tensor and "
                           f"weight tensor should have the same dtype, but got "
                           f"input({_DT_NAMES.get(input.dtype.name)}), and "
                           f"weight({_DT_NAMES.get(weight.dtype.name, weight.dtype)})")


def _host(t):
    return None if t is None else np.asarray(t.numpy(force=True))


def _device_wrap(a, like):
    out = wrap(a)
    return out.to(like.device) if like.is_cuda else out


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """A histogram of input's elements (any shape, seen as flat): bins equal-width bins over
    range (default: input's min and max) or the edges given as a 1-D tensor; weight (input's
    shape) sums weights instead of counting. Returns (hist, bin_edges). Matches
    torch.histogram."""
    _check("histogram", input, weight, density)
    if isinstance(bins, bool) or not (isinstance(bins, numbers.Integral)
                                      or hasattr(bins, "grad_fn")):
        raise TypeError(f"histogram(): argument 'bins' must be int or Tensor, not "
                        f"{type_name(bins)}")
    if hasattr(bins, "grad_fn") and range is not None:
        raise TypeError("histogram(): range cannot be given with a tensor of bin edges")
    if range is not None and len(range) != 2:
        raise RuntimeError(f"torch.histogramdd: for a 1-dimensional histogram range should "
                           f"have 2 elements, but got {len(range)}")
    if weight is not None and weight.shape != input.shape:
        raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the "
                           f"same shape as the input tensor excluding its innermost dimension, "
                           f"but got input with shape {list(input.shape)} and weight with shape "
                           f"{list(weight.shape)}")
    x = _host(input).reshape(-1, 1)
    w = None if weight is None else _host(weight).reshape(-1)
    hist, edges = _histdd("histogram", x, [bins], range, w, density)
    return return_types.histogram((_device_wrap(hist, input), _device_wrap(edges[0], input)))


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """A D-dimensional histogram of the points in input (..., D): bins is an int, D ints or D
    1-D tensors of edges; range is a flat list (lo0, hi0, lo1, hi1, ...); weight has input's
    shape without the last dim. Returns (hist, bin_edges tuple). Matches torch.histogramdd."""
    _check("histogramdd", input, weight, density)
    if input.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    dims = input.shape[-1]
    if isinstance(bins, numbers.Integral) and not isinstance(bins, bool):
        bins = [bins] * dims
    elif not isinstance(bins, (list, tuple)) or not (
            all(isinstance(b, numbers.Integral) and not isinstance(b, bool) for b in bins)
            or all(hasattr(b, "grad_fn") for b in bins)):      # (ints, or tensors: not mixed)
        raise TypeError(f"histogramdd(): argument 'bins' must be int, a sequence of ints or a "
                        f"sequence of Tensors, not {type_name(bins)}")
    if len(bins) != dims:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                           "dimension of the input.")
    if weight is not None and weight.shape != input.shape[:-1]:
        raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have the "
                           f"same shape as the input tensor excluding its innermost dimension, "
                           f"but got input with shape {list(input.shape)} and weight with shape "
                           f"{list(weight.shape)}")
    x = _host(input).reshape(int(np.prod(input.shape[:-1])), dims)
    w = None if weight is None else _host(weight).reshape(-1)
    hist, edges = _histdd("histogramdd", x, list(bins), range, w, density)
    return return_types.histogramdd((_device_wrap(hist, input),
                                     tuple(_device_wrap(e, input) for e in edges)))
