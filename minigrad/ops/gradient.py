"""torch.gradient: central differences in the interior, one-sided ones at the edges, written
with differentiable ops (its gradient, and second derivatives, follow from them).

Uniform spacing h along a dim (torch's order of operations):
    interior    ((f[i+1] - f[i-1]) / h) / 2
    edges, 1st  (f[1] - f[0]) / h,   (f[-1] - f[-2]) / h
    edges, 2nd  (-1.5 f[0] + 2 f[1] - 0.5 f[2]) / h,   (0.5 f[-3] - 2 f[-2] + 1.5 f[-1]) / h
Coordinates x (dx = diff(x), dx1 = dx[:-1], dx2 = dx[1:]): the second-order accurate
interior a f[i-1] + b f[i] + c f[i+1] with a = -dx2 / (dx1 (dx1 + dx2)),
b = (dx2 - dx1) / (dx1 dx2), c = dx1 / (dx2 (dx1 + dx2)), and matching edge formulas.
"""
from __future__ import annotations

import numbers

from .checks import need_int, need_tensor, type_name
from .shape import normalize_dim


def _sl(f, d, start, stop=None):
    key = [slice(None)] * f.ndim
    key[d] = slice(start, stop)
    return f[tuple(key)]


def _along(v, d, ndim):
    """A 1-D tensor of coefficients shaped to broadcast along dim d."""
    shape = [1] * ndim
    shape[d] = -1
    return v.reshape(shape)


def _uniform(f, d, h, edge_order):
    center = (_sl(f, d, 2) - _sl(f, d, 0, -2)) / h
    if edge_order == 1:
        first = (_sl(f, d, 1, 2) - _sl(f, d, 0, 1)) / h
        last = (_sl(f, d, -1) - _sl(f, d, -2, -1)) / h
    else:
        first = (-1.5 * _sl(f, d, 0, 1) + 2 * _sl(f, d, 1, 2) - 0.5 * _sl(f, d, 2, 3)) / h
        last = (0.5 * _sl(f, d, -3, -2) - 2 * _sl(f, d, -2, -1) + 1.5 * _sl(f, d, -1)) / h
    return _cat(first, center / 2, last, d)


def _coordinates(f, d, x, edge_order):
    from .integrate import diff
    dx = diff(x)
    dx1, dx2 = dx[:-1], dx[1:]
    a = _along(-dx2 / (dx1 * (dx1 + dx2)), d, f.ndim)
    b = _along((dx2 - dx1) / (dx1 * dx2), d, f.ndim)
    c = _along(dx1 / (dx2 * (dx1 + dx2)), d, f.ndim)
    center = a * _sl(f, d, 0, -2) + b * _sl(f, d, 1, -1) + c * _sl(f, d, 2)
    if edge_order == 1:
        first = (_sl(f, d, 1, 2) - _sl(f, d, 0, 1)) / dx[0]
        last = (_sl(f, d, -1) - _sl(f, d, -2, -1)) / dx[-1]
    else:
        h0, h1, hn, hm = dx[0], dx[1], dx[-1], dx[-2]
        first = (-(2.0 * h0 + h1) / (h0 * (h0 + h1)) * _sl(f, d, 0, 1)
                 + (h0 + h1) / (h0 * h1) * _sl(f, d, 1, 2)
                 + (-h0) / (h1 * (h0 + h1)) * _sl(f, d, 2, 3))
        last = (hn / (hm * (hn + hm)) * _sl(f, d, -3, -2)
                - (hn + hm) / (hn * hm) * _sl(f, d, -2, -1)
                + (2 * hn + hm) / (hn * (hn + hm)) * _sl(f, d, -1))
    return _cat(first, center, last, d)


def _cat(first, center, last, d):
    from .shape import cat
    return cat([first, center, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative of input sampled on a grid, one tensor per dim in `dim` (default: all):
    spacing is a number (the step everywhere), a list of numbers (one per dim) or a list of
    1-D coordinate tensors; edge_order 1 or 2 sets the accuracy at the ends. Matches
    torch.gradient (an integer input gives float results)."""
    need_tensor("gradient", input, "input", 1)
    edge_order = need_int("gradient", edge_order, "edge_order")
    if dim is None:
        dims = list(range(input.ndim))
    elif isinstance(dim, numbers.Integral) and not isinstance(dim, bool):
        dims = [dim]
    elif isinstance(dim, (list, tuple)):
        dims = [need_int("gradient", v, "dim") for v in dim]
    else:
        raise TypeError(f"gradient(): argument 'dim' must be int or tuple of ints, not "
                        f"{type_name(dim)}")
    dims = [normalize_dim(v, input.ndim, "gradient") for v in dims]
    if len(set(dims)) != len(dims):
        dup = next(v for v in dims if dims.count(v) > 1)
        raise RuntimeError(f"gradient(): dim {dup} appears multiple times in the list of dims")
    if input.dtype.kind == "b":
        raise RuntimeError("gradient(): subtraction of bool tensors is not supported (torch "
                           "refuses a bool input)")
    if spacing is None:                     # (torch: None means a step of 1)
        spacing = 1
    if isinstance(spacing, numbers.Number) and not isinstance(spacing, complex):
        spacing = [spacing] * len(dims)
    elif not isinstance(spacing, (list, tuple)) or not all(
            isinstance(s, numbers.Number) or hasattr(s, "grad_fn") for s in spacing):
        raise TypeError(f"gradient(): argument 'spacing' must be a number, a list of numbers "
                        f"or a list of Tensors, not {type_name(spacing)}")
    if len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a "
                           f"list of length equal to the number of dims ({len(dims)}), but got "
                           f"a list of length {len(spacing)}")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    if input.dtype.kind != "f":
        from .. import backend
        input = input.to(backend.get_default_dtype())
    out = []
    for d, s in zip(dims, spacing):
        if hasattr(s, "grad_fn"):
            if s.ndim != 1:
                raise RuntimeError(f"torch.gradient expected each element of spacing to have one "
                                   f"dimension, but got an element with {s.ndim} dimensions!")
            if s.shape[0] != input.shape[d]:
                raise RuntimeError(f"gradient(): the coordinates for dim {d} have "
                                   f"{s.shape[0]} entries, but the input has {input.shape[d]} "
                                   "along it")
            out.append(_coordinates(input, d, s, edge_order))
        else:
            out.append(_uniform(input, d, s, edge_order))
    return tuple(out)
