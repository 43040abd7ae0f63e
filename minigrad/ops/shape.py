"""Shape ops: reshape, permute, transpose, (un)squeeze, expand, sum_to, flatten, cat, stack.

Every backward here moves the gradient back to the input's shape with another shape op,
so all of them are differentiable any number of times.
"""
from __future__ import annotations

import numbers

from ..autocast_state import autocast_op
from ..autograd import Op
from ..backend import array_module
from ..dtypes import result_type
from .checks import need_ints, need_tensor
from ..forward_ad import linear
from ..forward_ad import additive


def normalize_dim(dim, ndim, op="op"):
    """Turn a possibly negative dim into 0..ndim-1, or raise IndexError naming the op."""
    n = max(ndim, 1)
    if type(dim) is int:                                                # the common case
        if -n <= dim < n:
            return dim % n
    elif not isinstance(dim, numbers.Integral) or isinstance(dim, bool):  # NumPy ints pass
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    dim = int(dim)
    if not -n <= dim < n:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor with {ndim} dims "
                         f"(expected -{n}..{n - 1})")
    return dim % n


def normalize_dims(dim, ndim, op="op"):
    """dim as None (all), an int or a tuple of ints -> sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, numbers.Integral):
        dims = (dim,)
    elif isinstance(dim, (tuple, list)):
        dims = tuple(dim)
    else:
        raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
    out = tuple(sorted({normalize_dim(d, ndim, op) for d in dims}))
    if len(out) != len(dims):
        raise RuntimeError(f"{op}: dim {dim} appears more than once")
    return out if ndim else ()


class Reshape(Op):
    view_of_input = True        # the output may share the input's memory

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        try:
            return x.reshape(shape)
        except ValueError:
            raise RuntimeError(f"reshape: shape {tuple(shape)} is invalid for an input of shape "
                               f"{tuple(x.shape)} ({x.size} elements)") from None

    @staticmethod
    def backward(ctx, g):
        return Reshape.apply(g, ctx.in_shape), None

    jvp = linear


class Permute(Op):
    view_of_input = True        # the output may share the input's memory

    @staticmethod
    def forward(ctx, x, dims):
        if sorted(dims) != list(range(x.ndim)):
            raise RuntimeError(f"permute: dims {tuple(dims)} are not a permutation of "
                               f"0..{x.ndim - 1} for a tensor of shape {tuple(x.shape)}")
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return g.permute(*inverse), None

    jvp = linear


class Expand(Op):
    """Broadcast to a larger shape (a read-only view); backward sums back with sum_to."""
    view_of_input = True        # the output may share the input's memory

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        xp = array_module(x)
        try:
            return xp.broadcast_to(x, shape)
        except ValueError:
            raise RuntimeError(f"expand: cannot expand shape {tuple(x.shape)} to "
                               f"{tuple(shape)}") from None

    @staticmethod
    def backward(ctx, g):
        return sum_to(g, ctx.in_shape), None

    jvp = linear


class SumTo(Op):
    """Sum a broadcast result back down to `shape` (the adjoint of expand)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                          if s == 1 and x.shape[i + lead] != 1)
        y = x.sum(axis=axes, keepdims=True) if axes else x
        return y.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return Expand.apply(g, ctx.in_shape), None

    jvp = linear


def grad_zeros(g, shape=None):
    """Zeros in g's dtype and device, shaped like g or `shape` (a gradient helper: for a
    gradient batched under vmap, g's per-sample shape, without reading its raw array)."""
    v = g
    while v._batched:
        v = v._value
    return type(v)._make(array_module(v.data).zeros(g.shape if shape is None else shape,
                                                    v.data.dtype))


def sum_to(g, shape):
    """Gradient helper: reduce `g` to `shape` by summing broadcast dims (identity if equal)."""
    have = g.shape if g._batched else g.data.shape     # (logical under vmap)
    if have == shape:                   # the common case: no broadcasting happened
        return g
    shape = tuple(shape)
    return g if have == shape else SumTo.apply(g, shape)


def _sizes(args, kw, name, op):
    """The sizes of f(x, 2, 3), f(x, (2, 3)) or f(x, name=(2, 3)) as one tuple of ints."""
    if kw is not None:
        if args:
            raise TypeError(f"{op}: got {name} both positionally and by keyword")
        args = (kw,)
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return need_ints(op, tuple(args), name)


def reshape(x, *args, shape=None):
    """x with a new shape of the same number of elements (one dim may be -1); torch.reshape."""
    need_tensor("reshape", x, "input", 1)
    shape = _sizes(args, shape, "shape", "reshape")
    if shape.count(-1) > 1:
        raise RuntimeError(f"reshape: only one dimension can be -1, got {shape}")
    if any(d < -1 for d in shape):
        raise RuntimeError(f"reshape: invalid shape dimension {min(shape)} in {shape}")
    return x if x.shape == shape else Reshape.apply(x, shape)


def permute(x, *args, dims=None):
    """x with its dims reordered (a view); torch.permute."""
    need_tensor("permute", x, "input", 1)
    dims = _sizes(args, dims, "dims", "permute")
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute: got {len(dims)} dims {dims} for a tensor of shape "
                           f"{tuple(x.shape)}")
    dims = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"permute(): duplicate dims are not allowed, got {dims}")
    return Permute.apply(x, dims)


def transpose(x, dim0, dim1):
    need_tensor("transpose", x, "input", 1)
    if x.ndim < 2 and dim0 in (0, -1) and dim1 in (0, -1):
        return x
    perm = list(range(x.ndim))
    d0, d1 = normalize_dim(dim0, x.ndim, "transpose"), normalize_dim(dim1, x.ndim, "transpose")
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return Permute.apply(x, tuple(perm))


def t(x):
    """Transpose of a matrix; 0-d and 1-D tensors come back as they are (torch's Tensor.t)."""
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return transpose(x, 0, -1)


def expand(x, *sizes):
    need_tensor("expand", x, "input", 1)
    sizes = _sizes(sizes, None, "size", "expand")
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand: the number of sizes {len(sizes)} must be at least the number "
                           f"of dims {x.ndim} (shape {tuple(x.shape)})")
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    if any(s < 0 for s in shape):
        raise RuntimeError(f"expand: the expanded size {min(shape)} is not allowed (only -1, "
                           f"for an existing dim, keeps its size); sizes {sizes}")
    return x if shape == x.shape else Expand.apply(x, shape)


def unsqueeze(x, dim):
    need_tensor("unsqueeze", x, "input", 1)
    d = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return Reshape.apply(x, x.shape[:d] + (1,) + x.shape[d:])


def squeeze(x, dim=None):
    need_tensor("squeeze", x, "input", 1)
    if dim is None:
        shape = tuple(s for s in x.shape if s != 1)
    else:
        dims = normalize_dims(dim, x.ndim, "squeeze")
        shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    return x if shape == x.shape else Reshape.apply(x, shape)


def flatten(x, start_dim=0, end_dim=-1):
    need_tensor("flatten", x, "input", 1)
    s = normalize_dim(start_dim, x.ndim, "flatten")
    e = normalize_dim(end_dim, x.ndim, "flatten")
    if x.ndim == 0:
        return Reshape.apply(x, (1,))
    if s > e:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    n = 1
    for v in x.shape[s:e + 1]:
        n *= v
    return reshape(x, x.shape[:s] + (n,) + x.shape[e + 1:])


class Contiguous(Op):
    view_of_input = True        # the output may share the input's memory

    @staticmethod
    def forward(ctx, x):
        return array_module(x).ascontiguousarray(x).reshape(x.shape)   # 0-d stays 0-d

    @staticmethod
    def backward(ctx, g):
        return g

    jvp = linear


class Cat(Op):
    """Concatenation; inputs of shape (0,) take no part (torch's legacy rule), their gradient
    is empty."""

    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim, ctx.sizes = dim, [None if _skipped(x) else x.shape[dim] for x in xs]
        kept = [x for x in xs if not _skipped(x)] or list(xs)
        return array_module(xs[0]).concatenate(kept, axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [None], 0
        for n in ctx.sizes:
            if n is None:
                out.append(_empty_grad(g))
                continue
            index = (slice(None),) * ctx.dim + (slice(start, start + n),)
            out.append(g[index])
            start += n
        return tuple(out)

    jvp = additive              # d cat(xs) = cat(dxs), zeros for inputs without a tangent


def _skipped(x):
    return x.ndim == 1 and x.shape[0] == 0


def _empty_grad(g):
    """The (0,) gradient of a skipped cat input, taken from g so it stays in the graph."""
    return g.reshape(-1)[:0]


class Stack(Op):
    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return array_module(xs[0]).stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return (None,) + tuple(g.select(ctx.dim, i) for i in range(g.shape[ctx.dim]))

    jvp = additive              # d stack(xs) = stack(dxs), zeros for inputs without a tangent


def _check_same(tensors, dim, op, skip_dim):
    if not tensors:
        raise RuntimeError(f"{op}: expected a non-empty list of tensors")
    first = tensors[0]
    for k, t in enumerate(tensors[1:], 1):
        same = t.ndim == first.ndim and all(
            a == b for i, (a, b) in enumerate(zip(t.shape, first.shape)) if i != skip_dim)
        if not same:
            raise RuntimeError(f"{op}: sizes of tensors must match except in dimension {dim}; "
                               f"tensors[0] has shape {tuple(first.shape)}, tensors[{k}] has "
                               f"{tuple(t.shape)}")


def _tensor_list(tensors, op):
    """A list or tuple of Tensors (torch's errors for anything else), promoted to one dtype as
    torch's cat and stack promote."""
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for k, t in enumerate(tensors):
        need_tensor(op, t, f"tensors[{k}]")
    if len({t.dtype for t in tensors}) > 1:
        dt = result_type(*tensors)
        tensors = [t if t.dtype == dt else t.to(dt) for t in tensors]
    return list(tensors)


@autocast_op("cat")
def cat(tensors, dim=0):
    """Concatenate along an existing dim (torch.cat); 1-D empty tensors are skipped, as in
    torch, and 0-d tensors are an error."""
    tensors = _tensor_list(tensors, "cat")
    for k, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat: zero-dimensional tensor (at position {k}) cannot be "
                               "concatenated")
    kept = [t for t in tensors if not _skipped(t)] or tensors
    d = normalize_dim(dim, kept[0].ndim if kept else 1, "cat")
    _check_same(kept, dim, "cat", d)
    return Cat.apply(d, *tensors)


@autocast_op("stack")
def stack(tensors, dim=0):
    """Stack along a new dim (torch.stack)."""
    tensors = _tensor_list(tensors, "stack")
    _check_same(tensors, dim, "stack", -1)
    return Stack.apply(normalize_dim(dim, tensors[0].ndim + 1, "stack"), *tensors)
