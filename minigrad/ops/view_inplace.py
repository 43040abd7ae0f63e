"""In-place view ops: t_, transpose_/swapdims_/swapaxes_, squeeze_, unsqueeze_, as_strided_,
resize_, resize_as_ (and the deprecated out-of-place resize / resize_as).

x.op_() makes x itself the view op(x): x's array becomes the view's array, its history the
view op's node on x's old history, its version goes up by one (torch bumps it too, so tensors
saved before refuse backward). A view stays a view of the same base, one op further; a
tensor that was not a view is still not one (x._base stays None), as in torch.
"""
from __future__ import annotations

import warnings

from .. import autograd, forward_ad, storage
from ..backend import array_module
from ..views import ViewInfo
from .checks import need_ints, need_tensor
from .inplace import _with_history
from .shape import Permute, Reshape, normalize_dim, normalize_dims
from .view_copy import ALL_DIMS
from .strided import AsStrided, _flat_storage, strided_args, view_of


def rebind(x, cls, rest, op):
    """x <- cls(x, *rest), a view op applied to x in place (see the module docstring)."""
    if x._batched:
        raise NotImplementedError(f"{op}: in-place view ops are not supported inside vmap")
    view = x._view
    if view is not None:
        if view.creation is not None and autograd.is_grad_enabled() and \
                (x.requires_grad or view.base.requires_grad):
            raise RuntimeError(view.creation.message(False, op))
        view.refresh(x)
    if autograd.is_grad_enabled():
        if x.requires_grad and x.grad_fn is None:
            raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        if view is not None and view.base is not None and view.base.requires_grad and \
                view.base.grad_fn is None:
            raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being "
                               "used in an in-place operation.")
    # the new node holds a stand-in with x's old history, not x (whose history becomes it)
    src = _with_history(x, x.data)
    if autograd._duals:                     # forward mode: the tangent goes the same way
        forward_ad.copy_tangents(x, src)
    new = cls.apply(src, *rest)
    x.data = new.data
    if autograd._duals:
        for lid in forward_ad.state.stack:
            tangent = forward_ad.tangent_of(new, lid)
            if tangent is not None:
                forward_ad.set_tangent(x, tangent, lid)
    storage.bump(x.data)
    if autograd.is_grad_enabled():          # under no_grad torch leaves the history as it is
        x.grad_fn, x._output_nr = new.grad_fn, new._output_nr
        x.requires_grad = new.requires_grad or (x.requires_grad and x.grad_fn is None)
    if view is not None:
        x._view = ViewInfo(view.base, view, cls, rest, storage.version(x.data), view.creation)
    return x


def _perm(ndim, d0, d1):
    perm = list(range(ndim))
    if perm:
        perm[d0], perm[d1] = perm[d1], perm[d0]
    return tuple(perm)


def transpose_(x, dim0, dim1, op="transpose_"):
    """x with dims dim0 and dim1 exchanged, in place. Matches torch.Tensor.transpose_."""
    d0, d1 = normalize_dim(dim0, x.ndim, op), normalize_dim(dim1, x.ndim, op)
    return rebind(x, Permute, (_perm(x.ndim, d0, d1),), op)


def t_(x):
    """The matrix transpose in place; 0-d and 1-D tensors stay as they are. Matches
    torch.Tensor.t_."""
    if x.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return rebind(x, Permute, (_perm(x.ndim, 0, x.ndim - 1 if x.ndim else 0),), "t_")


def squeeze_(x, dim=ALL_DIMS):
    """x without its size-1 dims (all, `dim`, or the dims in a tuple), in place. Matches
    torch.Tensor.squeeze_."""
    if dim is ALL_DIMS:
        shape = tuple(s for s in x.shape if s != 1)
    elif dim is None:
        raise TypeError("squeeze_(): argument 'dim' must be int or tuple of ints, not NoneType")
    else:
        if isinstance(dim, (tuple, list)):
            need_ints("squeeze_", dim, "dim", 1)
        dims = normalize_dims(dim, x.ndim, "squeeze_")
        shape = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
    return rebind(x, Reshape, (shape,), "squeeze_")


def unsqueeze_(x, dim):
    """x with a size-1 dim inserted at `dim`, in place. Matches torch.Tensor.unsqueeze_."""
    d = normalize_dim(dim, x.ndim + 1, "unsqueeze_")
    return rebind(x, Reshape, (x.shape[:d] + (1,) + x.shape[d:],), "unsqueeze_")


def as_strided_(x, size, stride, storage_offset=None):
    """x becomes the view (size, stride, storage_offset) of its own storage. Matches
    torch.Tensor.as_strided_."""
    return rebind(x, AsStrided, strided_args("as_strided_", x, size, stride, storage_offset),
                  "as_strided_")


def _contiguous_strides(shape):
    out, step = [], 1
    for n in reversed(shape):
        out.append(step)
        step *= max(n, 1)
    return tuple(reversed(out))


def resize_(x, size, op="resize_"):
    """x reshaped to `size` over its own storage from its storage offset, contiguous (the
    storage grows, zero-filled here where torch leaves it uninitialized, when it is too
    small). Matches torch.Tensor.resize_."""
    size = need_ints(op, size, "size", 1)
    if any(n < 0 for n in size):
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension "
                           f"{min(size)}: {list(size)}")
    if x.requires_grad:
        raise RuntimeError(f"{op}: cannot resize variables that require grad")
    if size == x.shape:
        return x
    if x._batched:
        raise NotImplementedError(f"{op}: not supported inside vmap")
    got = _flat_storage(x.data)
    if got is None:
        raise RuntimeError(f"{op}: the tensor's memory is laid out with negative strides (a "
                           "flip() view here; torch's flip makes a copy): clone() it first")
    flat, off, _ = got
    strides = _contiguous_strides(size)
    numel = 1
    for n in size:
        numel *= n
    if off + numel > flat.size:
        if x._view is not None:
            raise RuntimeError(f"{op}: growing the storage of a tensor that shares memory (a "
                               "view) is not supported by minigrad: its aliases would not see "
                               "the new storage; clone() it first")
        grown = array_module(flat).zeros(off + numel, flat.dtype)
        grown[:flat.size] = flat
        flat = grown
    x.data = view_of(flat, size, strides, off)
    storage.bump(x.data)
    return x


def resize_as_(x, the_template):
    """resize_(the_template.shape). Matches torch.Tensor.resize_as_."""
    need_tensor("resize_as_", the_template, "the_template", 1)
    return resize_(x, the_template.shape, "resize_as_")


def resize(x, size, op="resize"):
    """Deprecated out-of-place resize: x as a contiguous tensor of `size`, which must have as
    many elements (torch's autograd rule). Matches torch.Tensor.resize."""
    size = need_ints(op, size, "size", 1)
    warnings.warn(f"non-inplace {op} is deprecated", UserWarning, stacklevel=3)
    numel = 1
    for n in size:
        numel *= n
    if numel != x.numel():
        sizes = "x".join(map(str, size))
        have = "x".join(map(str, x.shape))
        raise RuntimeError(f"{op}: requested resize to {sizes} ({numel} elements in total), "
                           f"but the given tensor has a size of {have} ({x.numel()} elements). "
                           "autograd's resize can only change the shape of a given tensor, "
                           "while preserving the number of elements.")
    return Reshape.apply(x.contiguous(), size)


def resize_as(x, the_template):
    need_tensor("resize_as", the_template, "the_template", 1)
    return resize(x, the_template.shape, "resize_as")
