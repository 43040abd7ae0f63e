"""The view-copy functions (torch.t_copy, slice_copy, ...): the view op's result copied into
a new contiguous tensor, sharing no memory with the input; and the unsafe_split family
(the split pieces, not tracked as views, as torch's).

Each is a plain composition: the view op (its gradient is the view's) then Copy (identity).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from ..backend import array_module
from ..forward_ad import linear
from ..grad_mode import is_inference_mode_enabled
from . import matrix, shape, split, windows
from .checks import need_bool, need_dtype, need_int, need_ints, need_tensor
from .layout import swapaxes
from .strided import as_strided


def as_strided_copy(input, size, stride, storage_offset=None):
    """A copy of input.as_strided(size, stride, storage_offset). Matches
    torch.as_strided_copy."""
    return Copy.apply(named("as_strided_copy", as_strided, input, size, stride,
                            storage_offset))


class Copy(Op):
    """A contiguous copy of x (its own memory); the gradient passes through."""

    @staticmethod
    def forward(ctx, x):
        return array_module(x).array(x, order="C", copy=True)

    @staticmethod
    def backward(ctx, g):
        return g

    jvp = linear


def _copy(t):
    return Copy.apply(t)


def _copies(ts):
    return tuple(Copy.apply(t) for t in ts)


def named(op, fn, *args):
    """fn(*args), its errors re-raised (same type) with `op` in front: a view-copy's error
    names the function called, not only the view op it uses."""
    try:
        return fn(*args)
    except (TypeError, ValueError, IndexError, RuntimeError) as e:
        if str(e).startswith(op) or type(e) not in (TypeError, ValueError, IndexError,
                                                    RuntimeError):
            raise
        raise type(e)(f"{op}: {e}") from None


class _AllDims:
    """The default of squeeze_ / squeeze_copy's dim: every size-1 dim (torch takes no None)."""

    def __repr__(self):
        return "all"


ALL_DIMS = _AllDims()


def alias_copy(input):
    """A copy of input. Matches torch.alias_copy."""
    need_tensor("alias_copy", input, "input", 1)
    return _copy(input)


class DetachCopy(Op):
    """A copy of x; as torch's, the result requires grad when x does, but its backward
    raises (torch has no derivative for detach_copy)."""

    @staticmethod
    def forward(ctx, x):
        return array_module(x).array(x, order="C", copy=True)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::detach_copy is not implemented")


def detach_copy(input):
    """A copy of input. Matches torch.detach_copy, whose result requires grad when input
    does and whose backward raises."""
    need_tensor("detach_copy", input, "input", 1)
    return DetachCopy.apply(input)


def diagonal_copy(input, offset=0, dim1=0, dim2=1):
    """A copy of input.diagonal(offset, dim1, dim2). Matches torch.diagonal_copy."""
    return _copy(named("diagonal_copy", matrix.diagonal, input, offset, dim1, dim2))


def expand_copy(input, size, *, implicit=False):
    """A copy of input.expand(size). Matches torch.expand_copy."""
    need_tensor("expand_copy", input, "input", 1)
    need_bool("expand_copy", implicit, "implicit")
    return _copy(named("expand_copy", shape.expand, input,
                       need_ints("expand_copy", size, "size", 2)))


def permute_copy(input, dims):
    """A copy of input.permute(dims). Matches torch.permute_copy."""
    need_tensor("permute_copy", input, "input", 1)
    return _copy(named("permute_copy", shape.permute, input,
                       need_ints("permute_copy", dims, "dims", 2)))


def select_copy(input, dim, index):
    """A copy of input.select(dim, index). Matches torch.select_copy."""
    need_tensor("select_copy", input, "input", 1)
    return _copy(named("select_copy", input.select, dim, index))


def slice_key(op, input, dim, start, end, step):
    """The basic-index key of input[..., start:end:step] along dim, checked as torch's."""
    need_tensor(op, input, "input", 1)
    if input.ndim == 0:
        raise IndexError(f"{op}: slice() cannot be applied to a 0-dim tensor.")
    d = shape.normalize_dim(need_int(op, dim, "dim", 2), input.ndim, op)
    start = None if start is None else need_int(op, start, "start", 3)
    end = None if end is None else need_int(op, end, "end", 4)
    step = need_int(op, step, "step", 5)
    if step <= 0:
        raise RuntimeError(f"{op}: slice step must be positive, got {step}")
    return (slice(None),) * d + (slice(start, end, step), Ellipsis)


def slice_copy(input, dim=0, start=None, end=None, step=1):
    """A copy of input[..., start:end:step] along dim. Matches torch.slice_copy."""
    return _copy(input[slice_key("slice_copy", input, dim, start, end, step)])


def split_copy(tensor, split_size, dim=0):
    """Copies of the pieces of tensor.split(split_size, dim). Matches torch.split_copy."""
    need_int("split_copy", split_size, "split_size", 2)
    return _copies(named("split_copy", split.split, tensor, split_size, dim))


def sizes_list(op, split_sizes, pos=2):
    """split_sizes as a list of ints (torch takes a sequence only, not one int)."""
    if not isinstance(split_sizes, (list, tuple)):
        raise TypeError(f"{op}(): argument 'split_sizes' (position {pos}) must be tuple of "
                        f"ints, not {type(split_sizes).__name__}")
    return list(need_ints(op, split_sizes, "split_sizes", pos))


def split_with_sizes(input, split_sizes, dim=0):
    """The pieces of the given sizes along dim (views). Matches torch.split_with_sizes."""
    return _split_sizes("split_with_sizes", input, split_sizes, dim)


def _split_sizes(op, input, split_sizes, dim):
    need_tensor(op, input, "input", 1)
    return named(op, split.split, input, sizes_list(op, split_sizes), dim)


def split_with_sizes_copy(input, split_sizes, dim=0):
    """Copies of input.split_with_sizes(split_sizes, dim). Matches
    torch.split_with_sizes_copy."""
    return _copies(named("split_with_sizes_copy", _split_sizes, "split_with_sizes_copy", input,
                         split_sizes, dim))


def squeeze_copy(input, dim=ALL_DIMS):
    """A copy of input.squeeze(dim) (dim: an int or a tuple of ints). Matches
    torch.squeeze_copy."""
    need_tensor("squeeze_copy", input, "input", 1)
    if dim is ALL_DIMS:
        return _copy(shape.squeeze(input))
    if dim is None:
        raise TypeError("squeeze_copy(): argument 'dim' must be int or tuple of ints, not "
                        "NoneType")
    return _copy(named("squeeze_copy", shape.squeeze, input, dim))


def t_copy(input):
    """A copy of input.t(). Matches torch.t_copy."""
    need_tensor("t_copy", input, "input", 1)
    return _copy(named("t_copy", shape.t, input))


def transpose_copy(input, dim0, dim1):
    """A copy of input.transpose(dim0, dim1). Matches torch.transpose_copy."""
    need_tensor("transpose_copy", input, "input", 1)
    return _copy(named("transpose_copy", swapaxes, input, dim0, dim1))


def unbind_copy(input, dim=0):
    """Copies of input.unbind(dim). Matches torch.unbind_copy."""
    return _copies(named("unbind_copy", split.unbind, input, dim))


def unfold_copy(input, dimension, size, step):
    """A copy of input.unfold(dimension, size, step). Matches torch.unfold_copy."""
    return _copy(named("unfold_copy", windows.unfold, input, dimension, size, step))


def unsqueeze_copy(input, dim):
    """A copy of input.unsqueeze(dim). Matches torch.unsqueeze_copy."""
    return _copy(named("unsqueeze_copy", shape.unsqueeze, input, dim))


def view_copy(input, size):
    """A copy of input.view(size), or of input's bits read as the dtype `size` (not
    differentiable). Matches torch.view_copy."""
    need_tensor("view_copy", input, "input", 1)
    if isinstance(size, (tuple, list, int, np.integer)) and not isinstance(size, bool):
        return _copy(named("view_copy", shape.reshape, input,
                           need_ints("view_copy", size, "size", 2)))
    dt = np.dtype(need_dtype("view_copy", size, "dtype"))
    a, old = input.data, input.dtype
    if dt.itemsize != old.itemsize:
        what = f"to view {old} as {dt} (different element sizes)"
        if a.ndim == 0:
            raise RuntimeError(f"view_copy: self.dim() cannot be 0 {what}")
        if a.shape[-1] > 1 and a.strides[-1] != a.itemsize:
            raise RuntimeError(f"view_copy: self.stride(-1) must be 1 {what}, but got "
                               f"{a.strides[-1] // a.itemsize}")
        if (a.shape[-1] * old.itemsize) % dt.itemsize:
            raise RuntimeError(f"view_copy: self.size(-1) must be divisible by "
                               f"{dt.itemsize // old.itemsize or 1} {what}, but got "
                               f"{a.shape[-1]}")
    xp = array_module(a)
    return type(input)._make(xp.array(a, order="C", copy=True).view(dt))


def narrow_copy(input, dim, start, length):
    """A copy of input.narrow(dim, start, length). Matches torch.narrow_copy."""
    return _copy(named("narrow_copy", split.narrow, input, dim, start, length))


def _untracked(pieces):
    if is_inference_mode_enabled():     # torch's are then views made in inference mode
        return pieces
    for p in pieces:
        p._view = None          # torch's unsafe_* pieces are not tracked as views
    return pieces


def unsafe_split(input, split_size, dim=0):
    """input.split(split_size, dim) whose pieces autograd does not track as views (in-place
    writes into them do not rebase input's history). Matches torch.unsafe_split."""
    need_int("unsafe_split", split_size, "split_size", 2)
    return _untracked(named("unsafe_split", split.split, input, split_size, dim))


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """split_with_sizes, pieces not tracked as views. Matches torch.unsafe_split_with_sizes."""
    return _untracked(_split_sizes("unsafe_split_with_sizes", input, split_sizes, dim))


def unsafe_chunk(input, chunks, dim=0):
    """chunk, pieces not tracked as views. Matches torch.unsafe_chunk."""
    return _untracked(named("unsafe_chunk", split.chunk, input, chunks, dim))
