"""Matrix structure: tril, triu, diagonal, diag_embed, diag, trace, block_diag,
cartesian_prod, meshgrid (torch's names and rules).

Diagonal and DiagScatter are each other's backward (take a diagonal / put values on one),
so both are differentiable any number of times; the rest are compositions.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, _tensor_cls
from ..backend import array_module
from ..dtypes import result_type
from ..forward_ad import linear
from .shape import normalize_dim


def _check_tensor(op, x, name="input"):
    if not isinstance(x, _tensor_cls()):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")


def _check_int(op, v, name):
    if not isinstance(v, numbers.Integral) or isinstance(v, bool):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(v).__name__}")
    if not -2**63 <= v < 2**63:
        raise RuntimeError(f"{op}(): argument '{name}': value {v} is out of range for int64 "
                           "(overflow when unpacking long)")
    return int(v)


class Tri(Op):
    """Lower (tril) or upper (triu) triangle of the last two dims; backward keeps the same
    triangle of the gradient."""

    @staticmethod
    def forward(ctx, x, k, upper):
        ctx.k, ctx.upper = k, upper
        xp = array_module(x)
        return (xp.triu if upper else xp.tril)(x, k)

    @staticmethod
    def backward(ctx, g):
        return Tri.apply(g, ctx.k, ctx.upper), None, None

    jvp = linear                # d tril(x) = tril(dx)


def _tri(op, input, diagonal, upper):
    _check_tensor(op, input)
    k = _check_int(op, diagonal, "diagonal")
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape "
                           f"{tuple(input.shape)}")
    return Tri.apply(input, k, upper)


def tril(input, diagonal=0):
    """input with the elements above the `diagonal`-th diagonal of the last two dims zeroed
    (torch.tril)."""
    return _tri("tril", input, diagonal, False)


def triu(input, diagonal=0):
    """input with the elements below the `diagonal`-th diagonal zeroed (torch.triu)."""
    return _tri("triu", input, diagonal, True)


def _diag_index(xp, n, offset):
    i = xp.arange(n)
    return i + max(-offset, 0), i + max(offset, 0)


def _diagonal_view(xp, x, offset, d1, d2):
    """The diagonal as a writable view of x (NumPy's own diagonal() is read-only)."""
    y = xp.moveaxis(x, (d1, d2), (-2, -1))
    y = y[..., :, offset:] if offset >= 0 else y[..., -offset:, :]
    n = max(min(y.shape[-2], y.shape[-1]), 0)
    if xp is not np:
        return xp.diagonal(y, 0, -2, -1)      # CuPy's diagonal is a writable view
    return np.lib.stride_tricks.as_strided(y, y.shape[:-2] + (n,),
                                           y.strides[:-2] + (y.strides[-2] + y.strides[-1],))


class Diagonal(Op):
    """x.diagonal(offset, dim1, dim2): the diagonal as the last dim, a view of x as torch's.
    Backward puts the gradient back on that diagonal of zeros."""
    view_of_input = True        # the output shares the input's memory

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.args, ctx.shape = (offset, d1, d2), x.shape
        return _diagonal_view(array_module(x), x, offset, d1, d2)

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        return DiagScatter.apply(g, ctx.shape, offset, d1, d2), None, None, None

    jvp = linear                # d diagonal(x) = diagonal(dx)


class DiagScatter(Op):
    """Zeros of `shape` with g on the (offset, dim1, dim2) diagonal; the adjoint of
    Diagonal."""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        xp = array_module(g)
        out = xp.zeros(shape, dtype=g.dtype)
        rows, cols = _diag_index(xp, g.shape[-1], offset)
        xp.moveaxis(out, (d1, d2), (-2, -1))[..., rows, cols] = g
        return out

    @staticmethod
    def backward(ctx, g):
        offset, d1, d2 = ctx.args
        return Diagonal.apply(g, offset, d1, d2), None, None, None, None

    jvp = linear                # d diag_embed(g) = diag_embed(dg)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The `offset`-th diagonal of the (dim1, dim2) planes, as a new last dim; a view
    (torch.diagonal)."""
    _check_tensor("diagonal", input)
    offset = _check_int("diagonal", offset, "offset")
    d1 = normalize_dim(dim1, input.ndim, "diagonal")
    d2 = normalize_dim(dim2, input.ndim, "diagonal")
    if input.ndim < 2:
        raise IndexError(f"diagonal: dimension out of range, input of shape "
                         f"{tuple(input.shape)} has fewer than 2 dims")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset, d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose (dim1, dim2) planes have input's last dim on their `offset`-th diagonal,
    zeros elsewhere (torch.diag_embed)."""
    _check_tensor("diag_embed", input)
    offset = _check_int("diag_embed", offset, "offset")
    nd = input.ndim + 1
    d1 = normalize_dim(dim1, nd, "diag_embed")
    d2 = normalize_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diag_embed: diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = (input.shape[-1] if input.ndim else 1) + abs(offset)
    rest = iter(input.shape[:-1])
    shape = tuple(n if d in (d1, d2) else next(rest) for d in range(nd))
    x = input if input.ndim else input.reshape(1)
    return DiagScatter.apply(x, shape, offset, d1, d2)


def diag(input, diagonal=0):
    """A 1-D input -> the square matrix with it on the `diagonal`-th diagonal; a 2-D input ->
    its `diagonal`-th diagonal (torch.diag)."""
    _check_tensor("diag", input)
    k = _check_int("diag", diagonal, "diagonal")
    if input.ndim == 1:
        return diag_embed(input, k, 0, 1)
    if input.ndim == 2:
        return Diagonal.apply(input, k, 0, 1).clone()      # torch.diag copies: not a view
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


@autocast_op("trace")
def trace(input):
    """Sum of the main diagonal of a matrix; integer inputs give int64 (torch.trace)."""
    _check_tensor("trace", input)
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype.kind == "b":
        raise RuntimeError("trace: not implemented for bool tensors")
    return Diagonal.apply(input, 0, 0, 1).sum()


def _tensor_list(op, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for k, t in enumerate(tensors):
        if not isinstance(t, _tensor_cls()):
            raise TypeError(f"{op}(): expected Tensor as element {k} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


def block_diag(*tensors):
    """The block-diagonal matrix of the inputs (0-d as 1x1, 1-D as one row), promoted to one
    dtype (torch.block_diag)."""
    from ..creation import zeros
    from .shape import cat
    tensors = _tensor_list("block_diag", tensors)
    for k, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {k} has {t.ndim} dimensions")
    if not tensors:
        return zeros(1, 0)
    dt = result_type(*tensors)
    mats = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    mats = [m if m.dtype == dt else m.to(dt) for m in mats]
    total = sum(m.shape[1] for m in mats)
    rows, left = [], 0
    dev = tensors[0].device
    for m in mats:
        r, c = m.shape
        parts = [zeros(r, left, dtype=dt, device=dev), m,
                 zeros(r, total - left - c, dtype=dt, device=dev)]
        rows.append(cat(parts, 1))
        left += c
    return cat(rows, 0)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 0-d or 1-D tensors: output k varies along dim k ('ij', the
    default) or with the first two dims swapped ('xy') (torch.meshgrid)."""
    tensors = _tensor_list("meshgrid", tensors)
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("torch.meshgrid: expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got a tensor of shape {tuple(t.shape)}")
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if len({str(t.device) for t in tensors}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same device")
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    sizes = tuple(t.numel() for t in ts)
    n = len(ts)
    grids = [t.reshape((1,) * k + (-1,) + (1,) * (n - k - 1)).expand(*sizes)
             for k, t in enumerate(ts)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """All tuples of one element from each 1-D input, as rows of a (N, len(tensors)) tensor;
    one input comes back as it is (torch.cartesian_prod)."""
    from .shape import stack
    tensors = _tensor_list("cartesian_prod", tensors)
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"cartesian_prod expects 1D tensors, but got a tensor of shape "
                               f"{tuple(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)
