"""Differences and the trapezoid rule along a dim, with torch's names and formulas: diff,
trapezoid, trapz, cumulative_trapezoid.

All are compositions of differentiable ops (slices, sub, mul, sum, cumsum), written as
torch's ATen code writes them, so values round the same way and the derivatives (and second
derivatives) are those of the parts:
    diff(x)[i] = x[i+1] - x[i]            (bool: x[i+1] != x[i]; n times for order n)
    trapezoid(y, dx) = (sum_i y_i - (y_0 + y_last) / 2) * dx
    trapezoid(y, x)  = sum_i (y_i + y_i+1) (x_i+1 - x_i) / 2
    cumulative_trapezoid: the running sums of the same terms
"""
from __future__ import annotations

import numbers

import numpy as np

from .checks import need_int, need_optional_tensor, need_tensor, type_name
from .shape import normalize_dim


def _left_right(t, dim):
    n = t.shape[dim]
    return t.narrow(dim, 0, max(n - 1, 0)), t.narrow(dim, min(1, n), max(n - 1, 0))


# ---- diff ---------------------------------------------------------------------------------------
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim, after prepending/appending the given tensors
    along it; bool tensors give x[i+1] != x[i] (torch.diff)."""
    from .shape import cat
    need_tensor("diff", input, "input", 1)
    n = need_int("diff", n, "n", 2)
    dim = need_int("diff", dim, "dim", 3)
    need_optional_tensor("diff", prepend, "prepend")
    need_optional_tensor("diff", append, "append")
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = normalize_dim(dim, input.ndim, "diff")
    parts = [input]
    for name, t in (("prepend", prepend), ("append", append)):
        if t is not None and t.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as "
                               "input")
    if n == 0:                              # torch's: prepend/append are not even joined
        return input
    if prepend is not None:
        parts.insert(0, prepend)
    if append is not None:
        parts.append(append)
    try:
        x = cat(parts, d) if len(parts) > 1 else input
    except RuntimeError as e:
        raise RuntimeError(f"diff: prepend/append do not fit input: {e}") from None
    for _ in range(n):
        if x.shape[d] == 0:
            break
        left, right = _left_right(x, d)
        x = right != left if x.dtype.kind == "b" else right - left
    return x


# ---- trapezoid rule ---------------------------------------------------------------------------
def _y_dim(fn, y, dim):
    need_tensor(fn, y, "y", 1)
    dim = need_int(fn, dim, "dim")
    if y.ndim == 0:
        raise IndexError(f"{fn}: Dimension specified as {dim} but tensor has no dimensions")
    return normalize_dim(dim, y.ndim, fn)


def _zeros_except(y, d):
    from ..creation import zeros
    shape = y.shape[:d] + y.shape[d + 1:]
    return zeros(shape, dtype=y.dtype, device=y.device)


def _dx_number(fn, dx):
    if isinstance(dx, bool) or isinstance(dx, complex) or not isinstance(
            dx, (numbers.Real, np.number)):
        if isinstance(dx, (bool, complex)):
            raise RuntimeError(f"{fn}: Currently, complex numbers and bools are not supported "
                               "for `dx`")
        raise TypeError(f"{fn}(): argument 'dx' must be Number, not {type_name(dx)}")
    return float(dx)


def _x_diff(fn, x, y, d):
    """x_{i+1} - x_i, viewed so it broadcasts against y's slices along d (torch's rule)."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f"{fn}: There must be one `x` value for each sample point")
        shape = [1] * y.ndim
        shape[d] = x.shape[0]
        x = x.reshape(shape)
    elif x.ndim < y.ndim:
        x = x.reshape((1,) * (y.ndim - x.ndim) + tuple(x.shape))
    left, right = _left_right(x, d)
    dx = right - left
    try:
        np.broadcast_shapes(tuple(dx.shape), tuple(y.shape[:d]) + (max(y.shape[d] - 1, 0),) +
                            tuple(y.shape[d + 1:]))
    except ValueError:
        raise RuntimeError(f"{fn}: the spacings of x, shape {tuple(dx.shape)}, do not "
                           f"broadcast with y's intervals along dim {d} (y: "
                           f"{tuple(y.shape)})") from None
    return dx


_NO_X = _NO_DX = object()    # (torch refuses an explicit x=None or dx=None)


def _check_args(fn, x, dx):
    if x is None or dx is None:
        raise TypeError(f"{fn}() received an invalid combination of arguments: "
                        f"{'x' if x is None else 'dx'} may not be None (omit it)")
    x = None if x is _NO_X else x
    dx = None if dx is _NO_DX else dx
    if x is not None and dx is not None:
        raise TypeError(f"{fn}() received an invalid combination of arguments: takes (Tensor "
                        f"y, Tensor x, *, int dim) or (Tensor y, *, Number dx, int dim), not "
                        f"both x and dx")
    need_optional_tensor(fn, x, "x", 2)
    return x, dx


def trapezoid(y, x=_NO_X, *, dx=_NO_DX, dim=-1):
    """The trapezoid rule along dim: over sample points x (a tensor) or a constant spacing dx
    (default 1) (torch.trapezoid)."""
    x, dx = _check_args("trapezoid", x, dx)
    d = _y_dim("trapezoid", y, dim)
    if y.shape[d] == 0:
        return _zeros_except(y, d)
    if y.dtype.kind == "b" or (x is not None and x.dtype.kind == "b"):
        raise RuntimeError("trapezoid: received a bool input for `y`, but bool is not "
                           "supported" if x is None else "trapezoid: received a bool input "
                           "for `x` or `y`, but bool is not supported")
    if x is None:
        h = _dx_number("trapezoid", 1 if dx is None else dx)
        return (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * h
    left, right = _left_right(y, d)
    return ((left + right) * _x_diff("trapezoid", x, y, d)).sum(d) / 2.0


def trapz(y, x=_NO_X, *, dx=_NO_DX, dim=-1):
    """torch.trapz: trapezoid under its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=_NO_X, *, dx=_NO_DX, dim=-1):
    """The running trapezoid rule along dim (one value fewer than y along it), over sample
    points x or a constant spacing dx (torch.cumulative_trapezoid)."""
    x, dx = _check_args("cumulative_trapezoid", x, dx)
    need_tensor("cumulative_trapezoid", y, "y", 1)
    dim = need_int("cumulative_trapezoid", dim, "dim")
    if y.ndim == 0:
        raise IndexError("cumulative_trapezoid: slice() cannot be applied to a 0-dim tensor "
                         "(y is 0-d)")
    d = normalize_dim(dim, y.ndim, "cumulative_trapezoid")
    if y.dtype.kind == "b" or (x is not None and x.dtype.kind == "b"):
        raise RuntimeError("cumulative_trapezoid: received a bool input for `y`, but bool is "
                           "not supported" if x is None else "cumulative_trapezoid: received "
                           "a bool input for `x` or `y`, but bool is not supported")
    left, right = _left_right(y, d)
    if x is None:
        h = _dx_number("cumulative_trapezoid", 1 if dx is None else dx)
        return (h / 2.0 * (left + right)).cumsum(d)
    return ((left + right) * _x_diff("cumulative_trapezoid", x, y, d)).cumsum(d) / 2.0
