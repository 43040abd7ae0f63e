"""Dim bookkeeping: movedim/moveaxis, swapaxes/swapdims, broadcast_to, broadcast_tensors,
atleast_1d/2d/3d, unflatten (views, through shape.py's Permute, Expand and Reshape), and
hstack, vstack, dstack, column_stack (cat of the atleast_* views, promoted as torch.cat).
"""
from __future__ import annotations

import numpy as np

from ..dtypes import _promote
from .checks import need_tensor
from .shape import Expand, Permute, Reshape, cat, normalize_dim
from .split import int_tuple, as_int, is_tensor


def _dim_list(v, ndim, op, name):
    dims = [as_int(d, op, name) for d in (v if isinstance(v, (list, tuple)) else (v,))]
    out = [normalize_dim(d, ndim, op) for d in dims]
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op}: repeated dim in `{name}` ({dims})")
    return out


def movedim(input, source, destination):
    """input with dims `source` moved to positions `destination` (the others keep their
    order); a view. Matches torch.movedim."""
    need_tensor("movedim", input, "input", 1)
    if isinstance(source, (list, tuple)) != isinstance(destination, (list, tuple)):
        raise TypeError("movedim(): source and destination must both be ints or both be "
                        f"sequences of ints, got {type(source).__name__} and "
                        f"{type(destination).__name__}")
    src = _dim_list(source, input.ndim, "movedim", "source")
    dst = _dim_list(destination, input.ndim, "movedim", "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: invalid source or destination dims: source ({src}) "
                           f"should contain the same number of dims as destination ({dst})")
    if input.ndim == 0:
        return Permute.apply(input, ())
    perm = [-1] * input.ndim
    for s, d in zip(src, dst):
        perm[d] = s
    rest = iter(d for d in range(input.ndim) if d not in src)
    perm = tuple(p if p >= 0 else next(rest) for p in perm)
    return Permute.apply(input, perm)


moveaxis = movedim


def swapaxes(input, axis0, axis1):
    """input with two dims exchanged (a view). Matches torch.swapaxes / torch.transpose."""
    need_tensor("swapaxes", input, "input", 1)
    d0 = normalize_dim(as_int(axis0, "swapaxes", "axis0"), input.ndim, "swapaxes")
    d1 = normalize_dim(as_int(axis1, "swapaxes", "axis1"), input.ndim, "swapaxes")
    perm = list(range(input.ndim))
    if perm:
        perm[d0], perm[d1] = perm[d1], perm[d0]
    return Permute.apply(input, tuple(perm))


def swapdims(input, dim0, dim1):
    """input with two dims exchanged (a view). Matches torch.swapdims."""
    return swapaxes(input, dim0, dim1)


def _sequence(v, op, name):
    if not isinstance(v, (list, tuple)):
        raise TypeError(f"{op}(): argument '{name}' must be a tuple of ints, not "
                        f"{type(v).__name__}")
    return int_tuple(v, op, name)


def _broadcast_shape(shape, size, op):
    size = _sequence(size, op, "size")
    lead = len(size) - len(shape)
    if lead < 0:
        raise RuntimeError(f"{op}: the number of sizes provided ({len(size)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({len(shape)})")
    out = []
    for i, s in enumerate(size):
        have = shape[i - lead] if i >= lead else None
        if s == -1 and have is not None:
            s = have
        if s < 0 or (have is not None and have != 1 and have != s):
            raise RuntimeError(f"{op}: cannot broadcast a tensor of shape {tuple(shape)} to "
                               f"{tuple(size)} (dim {i})")
        out.append(s)
    return tuple(out)


def _expand_to(t, shape):
    """A view of t with `shape`: when nothing is repeated (only leading 1s are added) a plain,
    writable view, as torch's; otherwise a read-only broadcast view."""
    lead = len(shape) - t.ndim
    if shape[lead:] == t.shape and all(s == 1 for s in shape[:lead]):
        return Reshape.apply(t, shape)
    return Expand.apply(t, shape)


def broadcast_to(input, size):
    """input broadcast to `size` (-1 keeps a dim); a view. Matches torch.broadcast_to."""
    need_tensor("broadcast_to", input, "input", 1)
    return _expand_to(input, _broadcast_shape(input.shape, size, "broadcast_to"))


def _tensors(tensors, op):
    for k, t in enumerate(tensors):
        if not is_tensor(t):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__} at position {k}")
    return tensors


def broadcast_tensors(*tensors):
    """The tensors broadcast to their common shape (views). Matches torch.broadcast_tensors."""
    _tensors(tensors, "broadcast_tensors")
    try:
        shape = np.broadcast_shapes(*(t.shape for t in tensors))
    except ValueError:
        raise RuntimeError("broadcast_tensors: shapes "
                           f"{[tuple(t.shape) for t in tensors]} do not broadcast") from None
    return tuple(_expand_to(t, tuple(shape)) for t in tensors)


def _atleast(tensors, make, op):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(make(t) for t in _tensors(tuple(tensors[0]), op))
    _tensors(tensors, op)
    if len(tensors) == 1:
        return make(tensors[0])
    return tuple(make(t) for t in tensors)


def _at1(t):
    return Reshape.apply(t, (1,)) if t.ndim == 0 else t


def _at2(t):
    return Reshape.apply(t, (1,) * (2 - t.ndim) + t.shape) if t.ndim < 2 else t


def _at3(t):
    if t.ndim >= 3:
        return t
    shape = {0: (1, 1, 1), 1: (1,) + t.shape + (1,), 2: t.shape + (1,)}[t.ndim]
    return Reshape.apply(t, shape)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (0-d -> (1,)), a view; one tensor in, one out.
    Matches torch.atleast_1d."""
    return _atleast(tensors, _at1, "atleast_1d")


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims ((n,) -> (1, n)). Matches torch.atleast_2d."""
    return _atleast(tensors, _at2, "atleast_2d")


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims ((n,) -> (1, n, 1), (m, n) -> (m, n, 1)). Matches
    torch.atleast_3d."""
    return _atleast(tensors, _at3, "atleast_3d")


def unflatten(input, dim, sizes):
    """input with dim split into `sizes` (one may be -1); a view where possible. Matches
    torch.unflatten."""
    need_tensor("unflatten", input, "input", 1)
    d = normalize_dim(as_int(dim, "unflatten", "dim"), input.ndim, "unflatten")
    if input.ndim == 0:
        raise RuntimeError("unflatten: cannot unflatten a 0-d tensor")
    sizes = list(_sequence(sizes, "unflatten", "sizes"))
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n, known = input.shape[d], int(np.prod([s for s in sizes if s != -1]))
    if sizes.count(-1) > 1 or any(s < -1 for s in sizes) or (-1 in sizes and known == 0):
        raise RuntimeError(f"unflatten: cannot infer the sizes {sizes} for dim {d} of size {n}")
    if -1 in sizes:
        sizes[sizes.index(-1)] = n // known
    if int(np.prod(sizes)) != n:
        raise RuntimeError(f"unflatten: provided sizes {sizes} don't multiply up to the size "
                           f"of dim {d} ({n}) in the input tensor")
    return Reshape.apply(input, input.shape[:d] + tuple(sizes) + input.shape[d + 1:])


def _stack_inputs(tensors, op, make):
    if is_tensor(tensors) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    _tensors(tensors, op)
    dtype = None
    for t in tensors:
        dtype = _promote(dtype, t.dtype)
    return [make(t if t.dtype == dtype else t.to(dtype)) for t in tensors]


def hstack(tensors):
    """The tensors (made >= 1-D) concatenated along dim 1, or dim 0 if 1-D. Matches
    torch.hstack."""
    ts = _stack_inputs(tensors, "hstack", _at1)
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors):
    """The tensors (made >= 2-D) concatenated along dim 0. Matches torch.vstack."""
    return cat(_stack_inputs(tensors, "vstack", _at2), 0)


def dstack(tensors):
    """The tensors (made >= 3-D) concatenated along dim 2. Matches torch.dstack."""
    return cat(_stack_inputs(tensors, "dstack", _at3), 2)


def column_stack(tensors):
    """0-d and 1-D tensors as columns (n, 1), then all concatenated along dim 1. Matches
    torch.column_stack."""
    def col(t):
        return Reshape.apply(t, (t.numel(), 1)) if t.ndim <= 1 else t
    return cat(_stack_inputs(tensors, "column_stack", col), 1)
