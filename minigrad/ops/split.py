"""Splitting along a dim: split, chunk, unbind, tensor_split, hsplit, vsplit, dsplit, narrow.

Every piece is a basic-index view of the input (x[:, a:b] or x[:, i]), so the pieces share
the input's memory as torch's do. Pieces that tile the dim come from one node, Split, whose
backward concatenates (or stacks) the pieces' gradients; each piece is marked as the view
GetItem would make, so in-place writes into it rebase the input's history as x[a:b] would.
Pieces that may overlap (tensor_split with decreasing indices) are separate GetItem views.
"""
from __future__ import annotations

import operator

from ..autograd import Op, _tensor_cls, unwrap
from ..forward_ad import linear
from ..views import mark_view
from .checks import need_tensor
from .index import GetItem
from .shape import cat, normalize_dim, stack


def is_tensor(v):
    return isinstance(v, _tensor_cls())     # lazy: tensor.py imports the ops


def as_int(v, op, name):
    """v as a Python int (an int, a NumPy integer or a one-element integer tensor)."""
    try:
        if isinstance(v, bool):
            raise TypeError
        out = operator.index(unwrap(v) if is_tensor(v) else v)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int, got {type(v).__name__}") from None
    if not -2**63 <= out < 2**63:
        raise RuntimeError(f"{op}: {name}={out} is out of range for int64 (overflow)")
    return out


def int_tuple(v, op, name):
    """v (an int or a list/tuple of ints) as a tuple of ints."""
    if isinstance(v, (list, tuple)):
        return tuple(as_int(a, op, name) for a in v)
    return (as_int(v, op, name),)


def _check_nd(x, need, op, what="a tensor"):
    need_tensor(op, x, "input", 1)
    if x.ndim < need:
        raise RuntimeError(f"{op} expects {what} with at least {need} dimension(s), but got a "
                           f"tensor with {x.ndim} dims")


def _piece(x, d, key):
    return GetItem.apply(x, (slice(None),) * d + (key, Ellipsis))


class Split(Op):
    """The pieces x[..., k, ...] along dim for each key k (slices that tile the dim, or every
    index); backward: dx = cat of the pieces' gradients (stack, for index keys)."""

    @staticmethod
    def forward(ctx, x, dim, keys):
        ctx.dim, ctx.stacked = dim, type(keys[0]) is int
        return tuple(x[(slice(None),) * dim + (k, Ellipsis)] for k in keys)

    @staticmethod
    def backward(ctx, *gs):
        # dx = concatenation of dy_k along dim (missing ones arrive as zeros)
        return (stack(gs, ctx.dim) if ctx.stacked else cat(gs, ctx.dim)), None, None

    jvp = linear                # the pieces of dx


def _split(x, d, keys, multi):
    """Split.apply, with each piece marked as the view GetItem would give. `multi`: torch's
    name of the op when it returns its pieces as one multi-output view node (split, chunk,
    unbind: autograd then refuses in-place writes into them); None when torch makes each
    piece a separate slice (tensor_split, hsplit, ...), whose writes are rebased."""
    if not keys:
        return ()
    pieces = Split.apply(x, d, keys)
    if x._batched:              # inside vmap: the pieces are views of the physical values
        return pieces
    for i, (p, k) in enumerate(zip(pieces, keys)):
        mark_view(p, x, GetItem, ((slice(None),) * d + (k, Ellipsis),), multi, i)
    return pieces


def _by_sizes(x, d, sizes, multi):
    keys, start = [], 0
    for s in sizes:
        keys.append(slice(start, start + s))
        start += s
    return _split(x, d, tuple(keys), multi)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of `split_size` along dim (the last may be smaller), or of the given sizes;
    views of tensor. Matches torch.split."""
    _check_nd(tensor, 1, "split")
    d = normalize_dim(dim, tensor.ndim, "split")
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [as_int(s, "split", "split_sizes") for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError("split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got "
                               f"split_sizes={sizes}")
        return _by_sizes(tensor, d, sizes, "SplitWithSizes")
    size = as_int(split_size_or_sections, "split", "split_size")
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got "
                           f"split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                           f"dimension size of {n}")
    sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else []
    return _by_sizes(tensor, d, sizes or [0], "Split")


def chunk(input, chunks, dim=0):
    """At most `chunks` pieces of ceil(n / chunks) along dim (views). Matches torch.chunk."""
    chunks = as_int(chunks, "chunk", "chunks")
    _check_nd(input, 1, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = normalize_dim(dim, input.ndim, "chunk")
    n = input.shape[d]
    if n == 0:
        return _by_sizes(input, d, [0] * chunks, "SplitWithSizes")
    return split(input, -(-n // chunks), d)


def unbind(input, dim=0):
    """The slices input.select(dim, i) for every i, as a tuple of views. Matches
    torch.unbind."""
    need_tensor("unbind", input, "input", 1)
    if input.ndim == 0:
        raise IndexError("unbind: dimension specified as 0 but tensor has no dimensions")
    d = normalize_dim(dim, input.ndim, "unbind")
    return _split(input, d, tuple(range(input.shape[d])), "Unbind")


def _one_of(ios, sections, indices, op):
    """torch's overloads f(x, indices_or_sections), f(x, sections=), f(x, indices=)."""
    given = [v for v in (ios, sections, indices) if v is not None]
    if len(given) != 1:
        raise TypeError(f"{op}(): give exactly one of indices_or_sections, sections, indices")
    return given[0]


def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None):
    """`sections` nearly equal pieces (the first n % sections one longer), or the pieces
    between the given indices (Python slice rules); views. Matches torch.tensor_split."""
    need_tensor("tensor_split", input, "input", 1)
    indices_or_sections = _one_of(indices_or_sections, sections, indices, "tensor_split")
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = normalize_dim(dim, input.ndim, "tensor_split")
    ios = indices_or_sections
    if is_tensor(ios):
        if ios.dtype.kind not in "iu" or ios.dtype.itemsize != 8:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to have dtype "
                               f"of long, but got {ios.dtype}")
        if ios.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a "
                               "zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {ios.ndim} dims")
        ios = int(ios.item()) if ios.ndim == 0 else [int(v) for v in ios.tolist()]
    if isinstance(ios, (list, tuple)):
        n = input.shape[d]
        cuts = [min(max(i + n if i < 0 else i, 0), n)
                for i in (as_int(i, "tensor_split", "indices") for i in ios)]
        if cuts == sorted(cuts):            # the pieces tile the dim: one Split node
            return _by_sizes(input, d, [b - a for a, b in zip([0] + cuts, cuts + [n])], None)
        bounds = [None] + cuts + [None]     # overlapping pieces: separate views
        return tuple(_piece(input, d, slice(a, b)) for a, b in zip(bounds, bounds[1:]))
    sections = as_int(ios, "tensor_split", "sections")
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    q, r = divmod(input.shape[d], sections)
    return _by_sizes(input, d, [q + 1] * r + [q] * (sections - r), None)


def _split_along(x, ios, d, op):
    if not isinstance(ios, (list, tuple)) and not is_tensor(ios):
        s, n = as_int(ios, op, "sections"), x.shape[d]
        if s == 0 or n % s:
            raise RuntimeError(f"torch.{op} attempted to split along dimension {d}, but the "
                               f"size of the dimension {n} is not divisible by the split_size "
                               f"{s}!")
    return tensor_split(x, ios, d)


def hsplit(input, indices_or_sections=None, *, sections=None, indices=None):
    """tensor_split along dim 1 (dim 0 for 1-D); equal sections must divide the dim.
    Matches torch.hsplit."""
    _check_nd(input, 1, "hsplit")
    indices_or_sections = _one_of(indices_or_sections, sections, indices, "hsplit")
    return _split_along(input, indices_or_sections, 1 if input.ndim > 1 else 0, "hsplit")


def vsplit(input, indices_or_sections=None, *, sections=None, indices=None):
    """tensor_split along dim 0 of a tensor with >= 2 dims. Matches torch.vsplit."""
    _check_nd(input, 2, "vsplit")
    indices_or_sections = _one_of(indices_or_sections, sections, indices, "vsplit")
    return _split_along(input, indices_or_sections, 0, "vsplit")


def dsplit(input, indices_or_sections=None, *, sections=None, indices=None):
    """tensor_split along dim 2 of a tensor with >= 3 dims. Matches torch.dsplit."""
    _check_nd(input, 3, "dsplit")
    indices_or_sections = _one_of(indices_or_sections, sections, indices, "dsplit")
    return _split_along(input, indices_or_sections, 2, "dsplit")


def narrow(input, dim, start, length):
    """input[..., start:start + length, ...] along dim (a view); start may be negative or a
    0-d integer tensor. Matches torch.narrow."""
    need_tensor("narrow", input, "input", 1)
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, input.ndim, "narrow")
    if is_tensor(start) and (start.ndim != 0 or start.dtype.kind not in "iu"):
        raise RuntimeError("narrow(): start must be an 0-dim integral Tensor.")
    start, length = as_int(start, "narrow", "start"), as_int(length, "narrow", "length")
    n = input.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"narrow(): start out of range (expected to be in range of "
                         f"[{-n}, {n}], but got {start})")
    start = start + n if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension "
                           f"size ({n}).")
    return _piece(input, d, slice(start, start + length))
