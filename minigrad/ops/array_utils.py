"""Array utilities with torch's names, dtypes and errors: argwhere, isin, bincount, histc,
unique_consecutive, unravel_index, broadcast_shapes and the predicates is_floating_point,
is_complex, is_nonzero, is_same_size, is_signed.

All of them compute indices, counts or booleans: no derivative (their results never require
grad). bincount's weighted counts and histc follow torch's dtype rules (float32 weights stay
float32, others give float64; histc keeps the input's float dtype).
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd import wrap
from ..backend import array_module
from ..dtypes import result_type
from .arith import torch_name
from .checks import need_bool, need_float, need_int, need_optional_int, need_tensor, type_name
from .shape import normalize_dim


def _is_tensor(x):
    return hasattr(x, "grad_fn")


# ---- argwhere, isin ------------------------------------------------------------------------
def argwhere(input):
    """The indices of input's nonzero elements, one row each: (n, input.ndim) int64
    (torch.argwhere)."""
    from .select import nonzero
    need_tensor("argwhere", input, "input", 1)
    return nonzero(input)


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """True where an element of `elements` is in `test_elements` (either may be a number, not
    both); bool, shaped like elements (torch.isin). NaN is in nothing."""
    if not _is_tensor(elements) and not _is_tensor(test_elements):
        raise TypeError(f"isin(): takes (Tensor elements, Tensor test_elements), (Number "
                        f"element, Tensor test_elements) or (Tensor elements, Number "
                        f"test_element); got ({type_name(elements)}, "
                        f"{type_name(test_elements)})")
    for name, v in (("elements", elements), ("test_elements", test_elements)):
        if not _is_tensor(v) and (not isinstance(v, numbers.Real) or
                                  isinstance(v, np.ndarray)):
            raise TypeError(f"isin(): argument '{name}' must be Tensor or Number, not "
                            f"{type_name(v)}")
    need_bool("isin", assume_unique, "assume_unique")
    need_bool("isin", invert, "invert")
    dt = result_type(elements, test_elements)
    for v in (elements, test_elements):
        if (v.dtype if _is_tensor(v) else np.asarray(v).dtype).kind == "b":
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    like = elements if _is_tensor(elements) else test_elements
    xp = array_module(like.data)
    a = xp.asarray(elements.data if _is_tensor(elements) else elements).astype(dt)
    b = xp.asarray(test_elements.data if _is_tensor(test_elements) else test_elements)
    out = xp.isin(a, b.astype(dt).reshape(-1), invert=invert)
    return wrap(xp.asarray(out).reshape(a.shape))


# ---- bincount, histc -------------------------------------------------------------------------
def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs in the 1-D integer input (summing `weights`
    instead of ones when given); at least `minlength` bins (torch.bincount)."""
    need_tensor("bincount", input, "input", 1)
    if weights is not None:
        need_tensor("bincount", weights, "weights", 2)
    minlength = need_int("bincount", minlength, "minlength", 3)
    if input.dtype.kind not in "iu":
        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{torch_name(input.dtype)}'")
    a = input.data
    xp = array_module(a)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if a.ndim != 1 or (a.size and int(a.min()) < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs (got "
                           f"shape {tuple(a.shape)})")
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != a.shape[0]):
        raise RuntimeError("bincount: weights should be 1-d and have the same length as "
                           "input")
    if a.size == 0:                         # torch: int64 zeros whatever the weights
        return wrap(xp.zeros(minlength, np.int64))
    if weights is None:
        return wrap(xp.bincount(a, minlength=minlength).astype(np.int64))
    dt = np.float32 if weights.dtype == np.float32 else np.float64
    w = weights.data.astype(np.float64)
    return wrap(xp.bincount(a, weights=w, minlength=minlength).astype(dt))


def histc(input, bins=100, min=0, max=0):
    """A histogram of input's elements in `bins` equal bins over [min, max] (the data's range
    when min == max; elements outside are ignored); input's float dtype (torch.histc)."""
    from ..creation import linspace
    need_tensor("histc", input, "input", 1)
    bins = need_int("histc", bins, "bins", 2)
    lo, hi = need_float("histc", min, "min", 3), need_float("histc", max, "max", 4)
    if input.dtype.kind != "f":
        raise NotImplementedError(f'histc: "histogram_cpu" not implemented for '
                                  f"'{torch_name(input.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")
    a = input.data.reshape(-1)
    xp = array_module(a)
    dt = input.dtype
    lo, hi = float(dt.type(lo)), float(dt.type(hi))
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    edges = linspace(lo, hi, bins + 1, dtype=dt).data
    edges = xp.asarray(edges)
    keep = (a >= edges[0]) & (a <= edges[-1])
    v = a[keep]
    pos = xp.searchsorted(edges, v, side="right") - 1
    pos = xp.minimum(pos, bins - 1)         # x == max goes to the last bin
    return wrap(xp.bincount(pos, minlength=bins).astype(dt))


# ---- unique_consecutive, unravel_index ---------------------------------------------------
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """input with each run of equal consecutive elements (slices along dim) kept once, with
    optionally each element's run index (inverse) and the run lengths (counts)
    (torch.unique_consecutive). Not differentiable."""
    need_tensor("unique_consecutive", input, "input", 1)
    need_bool("unique_consecutive", return_inverse, "return_inverse")
    need_bool("unique_consecutive", return_counts, "return_counts")
    dim = need_optional_int("unique_consecutive", dim, "dim")
    a = input.data
    xp = array_module(a)
    if dim is None:
        flat = a.reshape(-1)
        rows, out_of = flat.reshape(-1, 1), lambda keep: flat[keep]
        inv_shape = a.shape
    else:
        if a.ndim == 0:
            raise IndexError(f"unique_consecutive: Dimension specified as {dim} but tensor has no "
                             "dimensions")
        d = normalize_dim(dim, a.ndim, "unique_consecutive")
        if a.shape[d] != 0 and 0 in a.shape:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so "
                               "unique cannot be applied")
        m = xp.moveaxis(a, d, 0)
        rows = m.reshape(m.shape[0], int(np.prod(m.shape[1:], dtype=np.int64)))
        out_of = lambda keep: xp.moveaxis(m[keep], 0, d)      # noqa: E731
        inv_shape = (a.shape[d],)
    n = rows.shape[0]
    new = xp.ones(n, bool)
    if n > 1:
        new[1:] = (rows[1:] != rows[:-1]).any(axis=1) if rows.shape[1] else False
    inverse = (xp.cumsum(new) - 1).astype(np.int64).reshape(inv_shape)
    starts = xp.nonzero(new)[0]
    counts = xp.diff(xp.append(starts, n)).astype(np.int64)
    out = [wrap(xp.ascontiguousarray(out_of(new)))]
    out += [wrap(inverse)] * return_inverse + [wrap(counts)] * return_counts
    return out[0] if len(out) == 1 else tuple(out)


def unravel_index(indices, shape):
    """The coordinates in a tensor of `shape` of each flat index (a tuple of int64 tensors,
    one per dim, shaped like indices); negative indices count from the end
    (torch.unravel_index)."""
    if not _is_tensor(indices):
        raise TypeError(f"unravel_index(): argument 'indices' must be Tensor, not "
                        f"{type_name(indices)}")
    if indices.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got "
                        f"{_torch_dtype(indices.dtype)}")
    if isinstance(shape, (numbers.Integral, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    if not isinstance(shape, (tuple, list)) or not all(
            isinstance(s, (numbers.Integral, np.integer)) and not isinstance(s, bool)
            for s in shape):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {shape!r}")
    shape = tuple(need_int("unravel_index", s, "shape") for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    a = indices.data.astype(np.int64)
    xp = array_module(a)
    coords = []
    for s in reversed(shape):
        coords.append(a % s if s else xp.zeros_like(a))
        a = a // s if s else a
    return tuple(wrap(c) for c in reversed(coords))


def _torch_dtype(dt):
    return f"torch.{dt.name}"


# ---- broadcast_shapes and the predicates -----------------------------------------------------
def broadcast_shapes(*shapes):
    """The shape tensors of these shapes broadcast to (torch.broadcast_shapes)."""
    dims = []
    for s in shapes:
        if s is None:
            continue
        if isinstance(s, (numbers.Integral, np.integer)) and not isinstance(s, bool):
            s = (s,)
        if not isinstance(s, (tuple, list)):
            raise RuntimeError(f"Input shapes should be of type ints, a tuple of ints, or a "
                               f"list of ints, got {s!r}")
        for v in s:
            if isinstance(v, bool) or not isinstance(v, (numbers.Integral, np.integer)):
                raise TypeError(f"broadcast_shapes(): sizes must be ints (item {v!r} is "
                                f"{type_name(v)})")
        if any(v < 0 for v in s):
            raise ValueError("Attempting to broadcast a dimension with negative length!")
        dims.append(tuple(int(v) for v in s))
    out = []
    for k, s in enumerate(dims):
        for j in range(1, len(s) + 1):
            if j > len(out):
                out.insert(0, s[-j])
            elif out[-j] == 1:
                out[-j] = s[-j]
            elif s[-j] != 1 and s[-j] != out[-j]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {s[-j]} at "
                                   f"{-j}! Mismatching argument at index {k} had {s}; but "
                                   f"expected shape should be broadcastable to {out}")
    return tuple(out)


def is_floating_point(input):
    """True for a float tensor (torch.is_floating_point)."""
    need_tensor("is_floating_point", input, "input", 1)
    return input.dtype.kind == "f"


def is_complex(input):
    """False: minigrad has no complex dtypes (torch.is_complex)."""
    need_tensor("is_complex", input, "input", 1)
    return input.dtype.kind == "c"


def is_signed(input):
    """True for a signed dtype: floats and int8..int64, not bool or uint8 (torch.is_signed)."""
    need_tensor("is_signed", input, "input", 1)
    return input.dtype.kind in "if"


def is_nonzero(input):
    """bool(input) for a one-element tensor; torch's error for others (torch.is_nonzero)."""
    need_tensor("is_nonzero", input, "input", 1)
    n = input.numel()
    if n != 1:
        raise RuntimeError("Boolean value of Tensor with " +
                           ("no values" if n == 0 else "more than one value") +
                           " is ambiguous")
    return bool(input.data.reshape(-1)[0] != 0)


def is_same_size(input, other):
    """True when both tensors have the same shape (torch.is_same_size)."""
    need_tensor("is_same_size", input, "input", 1)
    need_tensor("is_same_size", other, "other", 2)
    return tuple(input.shape) == tuple(other.shape)
