"""The scatter forms of the views: diagonal_scatter, select_scatter, slice_scatter (and
as_strided_scatter, in strided.py): a copy of input whose view is replaced by src.

Each is CopySlices (ops/inplace.py) with the view's op: forward writes src into the view of a
copy of input; backward gives input the gradient with the view's region cleared and src the
region of the gradient. Both are written with the same ops, so double backward works.
"""
from __future__ import annotations

from ..autograd import is_grad_enabled
from .arith import torch_name
from .checks import need_int, need_tensor
from .index import GetItem
from .inplace import CopySlices
from .matrix import Diagonal, diagonal
from .shape import normalize_dim
from .view_copy import named, slice_key


def _scatter(op, input, src, region, view_op):
    """CopySlices of input with src in the view (region: that view of input, for its shape)."""
    need_tensor(op, src, "src", 2)
    if tuple(src.shape) != tuple(region.shape):
        raise RuntimeError(f"{op}: expected src to have a size equal to the slice of self. src "
                           f"size = {list(src.shape)}, slice size = {list(region.shape)}")
    if src.device != input.device:
        raise RuntimeError(f"{op}: expected src on {input.device}, got {src.device}")
    if src.requires_grad and is_grad_enabled() and input.dtype.kind != "f":
        raise RuntimeError(f"{op}: Autograd not support dtype: {torch_name(input.dtype)} (src "
                           "requires grad)")
    if src.dtype != input.dtype:
        src = src.to(input.dtype)
    return CopySlices.apply(input, src, (view_op,), True)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """input with its (offset, dim1, dim2) diagonal replaced by src. Matches
    torch.diagonal_scatter."""
    need_tensor("diagonal_scatter", input, "input", 1)
    offset = need_int("diagonal_scatter", offset, "offset", 3)
    if input.ndim < 2:
        raise IndexError(f"diagonal_scatter: dimension out of range, input of shape "
                         f"{tuple(input.shape)} has fewer than 2 dims")
    region = named("diagonal_scatter", diagonal, input.detach(), offset, dim1, dim2)
    d1 = normalize_dim(dim1, input.ndim, "diagonal_scatter")
    d2 = normalize_dim(dim2, input.ndim, "diagonal_scatter")
    return _scatter("diagonal_scatter", input, src, region, (Diagonal, (offset, d1, d2)))


def select_scatter(input, src, dim, index):
    """input with input.select(dim, index) replaced by src. Matches torch.select_scatter."""
    need_tensor("select_scatter", input, "input", 1)
    if input.ndim == 0:
        raise IndexError("select_scatter: select() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(need_int("select_scatter", dim, "dim", 3), input.ndim, "select_scatter")
    i = need_int("select_scatter", index, "index", 4)
    n = input.shape[d]
    if not -n <= i < n:
        raise IndexError(f"select_scatter: index {i} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {d}")
    key = (slice(None),) * d + (i % n, Ellipsis)
    return _scatter("select_scatter", input, src, input.detach()[key], (GetItem, (key,)))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """input with input[..., start:end:step] (along dim) replaced by src. Matches
    torch.slice_scatter."""
    key = slice_key("slice_scatter", input, dim, start, end, step)
    return _scatter("slice_scatter", input, src, input.detach()[key], (GetItem, (key,)))
