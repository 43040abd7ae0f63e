"""Tensors built from others or from numbers, with torch's names, dtypes and errors:
tril_indices, triu_indices, combinations, vander, diagflat, renorm, scalar_tensor and the
deprecated, end-inclusive range.

The differentiable ones are compositions of differentiable ops, so their derivatives (and
second derivatives) are those of the parts, as torch's:
    combinations(x)[k] = x[idx[k]]                (gather: scatter-add back)
    vander(x) = cumprod([1, x, x, ...])           (flipped unless increasing)
    diagflat(x, k) = diag(flatten(x), k)
    renorm(x, p, dim, m) = x * c,  c = m / (||x_s||_p + 1e-7) where ||x_s||_p > m else 1
        (||x_s||_p: the p-norm of each slice along dim; c is differentiated through the norm,
        as torch's renorm_backward does)
"""
from __future__ import annotations

import builtins
import itertools
import math
import numbers
import warnings

import numpy as np

from ..autograd import wrap
from ..backend import get_default_dtype
from .arith import torch_name
from .checks import need_bool, need_dtype, need_float, need_int, need_number, need_tensor
from .checks import need_not_bool, need_optional_int
from .shape import normalize_dim


# ---- tril_indices, triu_indices ------------------------------------------------------------
def _indices(fn, tri, row, col, offset, dtype, device):
    from ..creation import tensor
    row, col = need_int(fn, row, "row", 1), need_int(fn, col, "col", 2)
    offset = need_int(fn, offset, "offset", 3)
    dt = np.dtype(np.int64) if dtype is None else need_dtype(fn, dtype)
    if dt not in (np.int32, np.int64):
        raise NotImplementedError(f'"{fn}" not implemented for \'{torch_name(dt)}\'')
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    r, c = tri(row, offset, col)
    return tensor(np.stack([r, c]).astype(dt).reshape(2, -1), device=device)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, n) coordinates of the lower triangle (diagonals <= offset) of a row x col
    matrix, row by row; int64 unless dtype says int32 (torch.tril_indices)."""
    return _indices("tril_indices", np.tril_indices, row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, n) coordinates of the upper triangle (diagonals >= offset) of a row x col
    matrix, row by row (torch.triu_indices)."""
    return _indices("triu_indices", np.triu_indices, row, col, offset, dtype, device)


# ---- combinations, vander, diagflat ----------------------------------------------------------
def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of a 1-D tensor's elements, one per row, in
    itertools.combinations order (torch.combinations); differentiable."""
    need_tensor("combinations", input, "input", 1)
    r = need_int("combinations", r, "r", 2)
    need_bool("combinations", with_replacement, "with_replacement")
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input[:0]
    n = input.shape[0]
    if n > 1 and n ** r >= 2 ** 63:         # torch builds an n**r grid first
        raise RuntimeError(f"combinations: integer multiplication overflow ({n}**{r} "
                           "candidates)")
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = np.array(list(pick(builtins.range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input[wrap(idx).to(input.device)]


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D tensor: columns x^(N-1), ..., x^0 (reversed when
    increasing); bool and integer inputs give int64 (torch.vander)."""
    from .shape import cat
    need_tensor("vander", x, "x", 1)
    N = need_optional_int("vander", N, "N")
    need_bool("vander", increasing, "increasing")
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0]
    N = n if N is None else N
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    xs = x.to(np.int64) if x.dtype.kind in "biu" else x
    col = xs.unsqueeze(1)
    powers = cat([col * 0 + 1, col.expand(n, max(N - 1, 0))], 1)[:, :N].cumprod(1)
    return powers if increasing else powers.flip(1)


def diagflat(input, offset=0):
    """A square matrix with input's elements (flattened) on its offset-th diagonal
    (torch.diagflat)."""
    from .matrix import diag
    need_tensor("diagflat", input, "input", 1)
    offset = need_int("diagflat", offset, "offset", 2)
    return diag(input.reshape(-1), offset)


# ---- renorm ------------------------------------------------------------------------------
def renorm(input, p, dim, maxnorm):
    """Each slice of input along dim whose p-norm exceeds maxnorm, scaled down to norm maxnorm
    (torch.renorm); differentiable."""
    from ..linalg import vector_norm
    from .compare import where
    need_tensor("renorm", input, "input", 1)
    p = need_float("renorm", p, "p", 2)
    dim = need_int("renorm", dim, "dim", 3)
    maxnorm = need_float("renorm", maxnorm, "maxnorm", 4)
    if input.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           "dimensions")
    d = normalize_dim(dim, input.ndim, "renorm")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if not maxnorm >= 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"renorm: expected a floating point tensor, got "
                           f"{torch_name(input.dtype)}")
    dims = tuple(k for k in builtins.range(input.ndim) if k != d)
    norm = vector_norm(input, p, dims, keepdim=True)
    over = norm > maxnorm
    factor = where(over, maxnorm / (norm + 1e-7), 1.0)
    return input * factor.to(input.dtype)


# ---- scalar_tensor, range --------------------------------------------------------------
def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
    """A 0-d tensor holding the number s, in the default float dtype unless dtype says
    otherwise (torch.scalar_tensor)."""
    from ..creation import tensor
    if not isinstance(s, numbers.Number) or isinstance(s, complex):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not "
                        f"{type(s).__name__}")
    need_number("scalar_tensor", s, "s", 1)
    dt = get_default_dtype() if dtype is None else need_dtype("scalar_tensor", dtype)
    need_bool("scalar_tensor", requires_grad, "requires_grad")
    return tensor(np.asarray(s).astype(dt), device=device, requires_grad=requires_grad)


def range(start, end, step=1, *, dtype=None, device=None, requires_grad=False, layout=None):
    """Deprecated (torch warns, as here): start, start + step, ... up to end INCLUSIVE, in the
    default float dtype unless dtype says otherwise (torch.range). Use arange."""
    from ..creation import tensor
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    for name, v in (("start", start), ("end", end), ("step", step)):
        need_number("range", v, name)
    dt = get_default_dtype() if dtype is None else need_dtype("range", dtype)
    need_not_bool(dt, "range", "range_cpu")
    need_bool("range", requires_grad, "requires_grad")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if step == 0 or math.isnan(step):
        raise RuntimeError(f"range: step must be nonzero, got {step}")
    if (step > 0 and end < start) or (step < 0 and start < end):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = (float(end) - float(start)) / float(step) + 1
    if not n < 2 ** 62:
        raise RuntimeError(f"range: {start} -> {end} with step {step} has too many elements "
                           "(more than int64 holds)")
    n = int(n)
    values = float(start) + np.arange(n, dtype=np.float64) * float(step)
    if dt.kind in "iub":
        values = np.asarray(start + np.arange(n) * step)
    return tensor(values.astype(dt), device=device, requires_grad=requires_grad)
