"""Statistics with torch's names, dtypes and errors: cov, corrcoef, quantile, nanquantile and
pdist (also F.pdist).

Each is a composition of differentiable ops, written as torch's ATen code writes it, so the
values round the same way and the derivatives are those of the parts:
    cov(X) = (X - avg) (w (X - avg))^T / (sum w - correction [* sum(w a) / sum w])
        avg = sum(w X, obs) / sum w, w = fweights * aweights (rows: variables)
    corrcoef(X) = clip(C / sqrt(diag C) / sqrt(diag C)^T, -1, 1),  C = cov(X)
    quantile(x, q) = lerp(s[floor r], s[ceil r], r - floor r),  s = sort(x), r = q (n - 1)
        (nan anywhere: r = n - 1, so the result is nan; nanquantile counts the non-nan
        values instead; lower/higher/nearest round r first; midpoint uses weight 1/2)
    pdist(X)_k = ||X_i - X_j||_p over the pairs i < j, row by row
torch's pdist has no second derivative (its backward is not differentiable); this one has
the composition's.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import wrap
from .arith import torch_name
from .checks import need_bool, need_float, need_int, need_optional_int, need_str, need_tensor
from .checks import need_optional_tensor
from .shape import normalize_dim


# ---- cov, corrcoef -------------------------------------------------------------------------
def _weights_ok(kind, w, n, integral):
    if w.ndim > 1:
        raise RuntimeError(f"cov(): expected {kind} to have one or fewer dimensions but got "
                           f"{kind} with {w.ndim} dimensions")
    if integral and w.dtype.kind not in "iu":
        raise RuntimeError(f"cov(): expected {kind} to have integral dtype but got {kind} "
                           f"with {torch_name(w.dtype)} dtype")
    if not integral and w.dtype.kind != "f":
        raise RuntimeError(f"cov(): expected {kind} to have floating point dtype but got "
                           f"{kind} with {torch_name(w.dtype)} dtype")
    if w.numel() != n:
        raise RuntimeError(f"cov(): expected {kind} to have the same numel as there are "
                           f"observations in the input but got {w.numel()} != {n}")
    if n and bool((w.data < 0).any()):
        raise RuntimeError(f"cov(): {kind} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in input's rows (observations in columns; a 1-D
    input is one variable), with optional integer frequency and float observation weights
    (torch.cov)."""
    import warnings

    from ..creation import tensor
    need_tensor("cov", input, "input", 1)
    correction = need_int("cov", correction, "correction")
    need_optional_tensor("cov", fweights, "fweights")
    need_optional_tensor("cov", aweights, "aweights")
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.ndim} dimensions")
    if input.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    n = x.shape[1]
    w = None
    if fweights is not None:
        _weights_ok("fweights", fweights, n, True)
        w = fweights
    if aweights is not None:
        _weights_ok("aweights", aweights, n, False)
        w = aweights if w is None else w * aweights
    w_sum = w.sum() if w is not None else tensor(n, dtype=np.int64, device=x.device)
    if w is not None and not bool(w_sum.data != 0):
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = (x * w if w is not None else x).sum(1) / w_sum
    if w is not None and aweights is not None and correction != 0:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    else:
        norm = w_sum - correction
    if bool(norm.data <= 0):
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = tensor(0, dtype=norm.dtype, device=norm.device)    # +0, as torch's zero_()
    x = x - avg.unsqueeze(1)
    c = x.mm((x * w if w is not None else x).t())
    return (c / norm).squeeze()


def corrcoef(input):
    """The Pearson correlation coefficients of the variables in input's rows, clipped to
    [-1, 1] (torch.corrcoef)."""
    need_tensor("corrcoef", input, "input", 1)
    if input.ndim > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but "
                           f"got an input with {input.ndim} dimensions")
    c = cov(input)
    if c.ndim == 0:
        return c / c                        # nan for 0, inf or nan; else 1
    std = c.diagonal().sqrt()
    c = c / std.reshape(-1, 1)
    c = c / std.reshape(1, -1)
    return c.clamp(-1, 1)


# ---- quantile, nanquantile -----------------------------------------------------------------
_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(fn, input, q, dim, keepdim, interpolation, ignore_nan):
    from ..creation import tensor
    from .compare import where
    from .ternary import lerp
    need_tensor(fn, input, "input", 1)
    dim = need_optional_int(fn, dim, "dim")
    need_bool(fn, keepdim, "keepdim")
    need_str(fn, interpolation, "interpolation")
    if not hasattr(q, "grad_fn"):
        if not isinstance(q, (numbers.Real, np.floating)):      # (bool passes, as torch)
            raise TypeError(f"{fn}(): argument 'q' must be float or Tensor, not "
                            f"{type(q).__name__}")
        q = need_float(fn, q, "q")
        if not 0 <= q <= 1:
            raise RuntimeError(f"{fn}() q must be in the range [0, 1] but got {q}")
        q = tensor(q, dtype=input.dtype, device=input.device)
    if input.numel() == 0:
        raise RuntimeError(f"{fn}() input tensor must be non-empty")
    if q.ndim > 1:
        raise RuntimeError(f"{fn}() q must be a scalar or 1D tensor")
    if input.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{fn}() input tensor must be either float or double dtype")
    if q.dtype != input.dtype:
        raise RuntimeError(f"{fn}() q tensor must be same dtype as the input tensor")
    if interpolation not in _MODES:
        raise RuntimeError(f"{fn}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got '{interpolation}'")
    if q.numel() and not bool(((q.data >= 0) & (q.data <= 1)).all()):
        raise RuntimeError(f"{fn}() q values must be in the range [0, 1]")
    if dim is None:
        x = input.reshape(-1)
        d = 0
    else:
        d = normalize_dim(dim, input.ndim, fn)
        x = input.reshape(1) if input.ndim == 0 else input.movedim(d, -1)
    s = x.sort(-1).values                   # nan sorts last
    rest = tuple(s.shape[:-1])
    n = s.shape[-1]
    qv = q.reshape(-1)                       # (nq,)
    nan = s.isnan()
    if ignore_nan:
        count = (~nan).sum(-1, keepdim=True)            # rows with only nan: rank 0 (nan)
        ranks = qv * (count - 1).to(s.dtype)
        ranks = where(ranks < 0, 0.0, ranks)
    else:
        ranks = qv * float(n - 1) + s.new_zeros(rest + (1,))
        ranks = where(nan.any(-1, keepdim=True), float(n - 1), ranks)
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    below = ranks.detach().to(np.int64)
    out = s.gather(-1, below)
    if interpolation in ("linear", "midpoint"):
        weights = ranks * 0 + 0.5 if interpolation == "midpoint" else ranks - below.to(s.dtype)
        above = s.gather(-1, ranks.detach().ceil().to(np.int64))
        out = lerp(out, above, weights)
    out = out.movedim(-1, 0)                 # (nq,) + rest
    if keepdim:
        shape = list(input.shape) if dim is not None else [1] * input.ndim
        if dim is not None and input.ndim:
            shape[d] = 1
        out = out.reshape((qv.shape[0],) + tuple(shape))
    return out.reshape(out.shape[1:]) if q.ndim == 0 else out


@autocast_op("quantile")
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles of input (flattened, or along dim) with torch's interpolation modes;
    q a number or a 0-d/1-D tensor, whose values lead the result's shape (torch.quantile).
    A nan in a reduced row gives nan."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


@autocast_op("nanquantile")
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile ignoring nan values (nan only where a row is all nan) (torch.nanquantile)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


# ---- pdist ---------------------------------------------------------------------------------
def pdist(input, p=2):
    """The p-norm distances between the rows of a 2-D input, for each pair i < j in row-major
    order: N (N - 1) / 2 values (torch.pdist / F.pdist)."""
    from ..linalg import vector_norm
    need_tensor("pdist", input, "input", 1)
    p = need_float("pdist", p, "p", 2)
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if not p >= 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    ii = wrap(i.astype(np.int64)).to(input.device)
    jj = wrap(j.astype(np.int64)).to(input.device)
    return vector_norm(input[ii] - input[jj], p, dim=1)
