"""In-place ops (x.add_(y), x += y, x[i] = v, x.copy_(y)): torch's semantics on one page.

An in-place op is its out-of-place op followed by a write into the tensor's own memory:

    out = compute(x)          # e.g. x.add(y): promotion, broadcasting, the graph node
    x.data[...] = out         # an alias (a view, a detach()ed tensor) sees the new values
    x's version += 1          # saved copies of the old values now refuse to be used

Under grad mode, x's history is then rebased onto the op's node, as torch does: the node sees
x's old history as its input, and x becomes its output. When x is a view of a base tensor, the
base's history is rebased too, onto CopySlices (its gradient is g with the view's region
cleared, plus the region's gradient sent to the new values), and x's history becomes the view
of the new base. Nodes recorded before the write keep the edges they were built with.
"""
from __future__ import annotations

import math
import numbers

from .. import autograd, forward_ad, saved, storage, views
from ..autograd import Op, wrap
from ..backend import array_module
from ..dtypes import can_cast
from .arith import torch_name
from .checks import need_float, need_number, need_operand


def update(x, compute, op, *operands, check_cast=True):
    """x <- compute(x) in x's own memory; `operands` are the other inputs of compute."""
    if x._batched:                          # inside vmap: written through its physical value
        from ..func import batching_fns
        return batching_fns.update(x, compute, op, operands, check_cast)
    _check_writable(x, op)
    view = x._view
    needs_graph = _needs_graph(x, *operands)
    if view is not None:
        if view.creation is not None and needs_graph:   # a view torch refuses to rebase
            raise RuntimeError(view.creation.message(False, op))
        view.refresh(x)
    if not needs_graph:
        with autograd.no_grad():
            out = _cast_to(x, compute(x), op, check_cast)
        _write(x, out, op)
        if autograd._duals:                     # forward mode: x's tangent becomes out's
            forward_ad.after_inplace(x, out, view)
        return x
    if x.requires_grad and x.grad_fn is None:
        raise RuntimeError(f"{op}: a leaf Variable that requires grad is being used in an "
                           "in-place operation. Do it under minigrad.no_grad(), or on a clone().")
    if view is not None and view.base.requires_grad and view.base.grad_fn is None:
        raise RuntimeError(f"{op}: a view of a leaf Variable that requires grad is being used in "
                           "an in-place operation. Do it under minigrad.no_grad(), or on a "
                           "clone().")
    # the op's node may save the old values: it gets a copy. For a view, the old history is
    # the view redone on the base's current one (not the nodes that made x, which hold the
    # base itself: once the base is rebased onto this op, that would be a reference cycle)
    source = x if view is None else view.replay(views.base_alias(view.base))
    old = _with_history(source, x.data.copy())
    if autograd._duals:
        forward_ad.copy_tangents(x, old)
    out = _cast_to(x, compute(old), op, check_cast)
    _write(x, out, op)
    if autograd._duals:
        forward_ad.after_inplace(x, out, view)
    _saved_output_is_x(out, x)
    if view is None:
        x.grad_fn, x._output_nr, x.requires_grad = out.grad_fn, out._output_nr, out.requires_grad
        return x
    base = view.base                            # rebase the base, then the view on top of it
    new_base = CopySlices.apply(_with_history(base, base.data), out, view.ops(), False)
    base.grad_fn, base._output_nr, base.requires_grad = new_base.grad_fn, 0, True
    fresh = view.replay(views.base_alias(base))
    x.grad_fn, x._output_nr, x.requires_grad = fresh.grad_fn, fresh._output_nr, True
    view.version = storage.version(x.data)
    return x


def arith(x, ufunc, other, op, compute, alpha=1):
    """x.add_/sub_/mul_/div_(other): with no graph to record and other already of x's float
    dtype (or a Python number), the NumPy/CuPy ufunc writes straight into x's memory (the
    optimizer's p.sub_(g, alpha=lr)); anything else goes through update()."""
    need_operand(op, other, "other", 1)
    need_number(op, alpha, "alpha")
    if x._batched or getattr(other, "_batched", False):          # inside vmap
        return update(x, compute, op, other)
    a = x.data
    b = other.data if isinstance(other, autograd._tensor_cls()) else other
    same = type(b) is type(a) and b.dtype is a.dtype
    if (same or type(b) is float or type(b) is int) and a.dtype.kind == "f" \
            and type(alpha) in (int, float) and not _needs_graph(x, other) \
            and not autograd._duals:
        _check_writable(x, op)
        try:
            getattr(array_module(a), ufunc)(a, b if alpha == 1 else b * alpha, out=a)
        except ValueError:              # b does not broadcast to x: update() raises torch's error
            pass
        else:
            storage.bump(a)
            return x
    return update(x, compute, op, other)


def _needs_graph(x, *operands):
    """Whether writing into x must be recorded: grad mode is on, and x, an operand, or the
    base that x is a view of requires grad."""
    if not autograd.is_grad_enabled():
        return False
    view = x._view
    return x.requires_grad or any(getattr(o, "requires_grad", False) for o in operands) \
        or (view is not None and view.base is not None and view.base.requires_grad)


def _saved_output_is_x(out, x):
    """The op's output is x itself now (torch: exp_ saves its result, which is x): a node that
    saved its output keeps x's memory, so a later write into x is caught at backward."""
    node = out.grad_fn
    if node is None or not node._saved:
        return
    others_share_x = False
    for s in node._saved:
        if type(s) is saved.SavedOutput and s.data is out.data:
            s.data = x.data
        elif hasattr(s, "data") and hasattr(s.data, "base") and \
                storage.shares_storage(s.data, x.data):
            others_share_x = True       # e.g. x.mul_(x[0]): the saved x[0] just changed
    if not others_share_x and node._writes_at_save >= 0:    # (-1: packed by saved hooks)
        node._writes_at_save = storage.writes   # the write into x came before the "save"


def _with_history(x, array):
    """A new Tensor over `array` that carries x's history (x as it was before the write)."""
    t = autograd._tensor_cls()._make(array)        # a plain Tensor, even for a Parameter
    t.grad_fn, t._output_nr, t.requires_grad = x.grad_fn, x._output_nr, x.requires_grad
    return t


def _check_writable(x, op):
    a = x.data
    if 0 in a.strides and a.size > 1 and any(s == 0 and n > 1 for s, n in zip(a.strides,
                                                                             a.shape)):
        raise RuntimeError(f"{op}: unsupported operation: more than one element of the "
                           "written-to tensor refers to a single memory location (an expand()ed "
                           "tensor). Please clone() the tensor before performing the operation.")
    if not getattr(a.flags, "writeable", True):
        raise RuntimeError(f"{op}: the tensor's memory is read-only (it was made from a "
                           "read-only array, or it is a view whose elements overlap, as "
                           "unfold's windows with step < size); clone() it before writing "
                           "into it")


def _cast_to(x, out, op, check_cast):
    """out with x's shape and dtype, or torch's error when the op's result does not fit."""
    if not hasattr(out, "grad_fn"):
        out = wrap(out)
    if out.shape != x.shape:
        raise RuntimeError(f"{op}: output with shape {list(x.shape)} doesn't match the "
                           f"broadcast shape {list(out.shape)}")
    if out.dtype != x.dtype:
        if check_cast and not can_cast(out.dtype, x.dtype):
            raise RuntimeError(f"{op}: result type {torch_name(out.dtype)} can't be cast to the "
                               f"desired output type {torch_name(x.dtype)}")
        out = out.to(x.dtype)
    return out


def _write(x, out, op):
    array_module(x.data).copyto(x.data, out.data, casting="unsafe")
    storage.bump(x.data)


# ---- the ops whose out-of-place form exists only for in-place use ----------------------------
class SetItem(Op):
    """A copy of x with x[key] = value; the gradient of value is g[key] summed to its shape."""

    @staticmethod
    def forward(ctx, x, key, value):
        ctx.key, ctx.vshape = key, getattr(value, "shape", None)
        out = x.copy()
        try:
            out[key] = value
        except (ValueError, IndexError) as e:
            raise type(e)(f"setitem: cannot assign a value of shape {ctx.vshape or ()} to "
                          f"index {key!r} of a tensor of shape {tuple(x.shape)} ({e})") from None
        return out

    @staticmethod
    def backward(ctx, g):
        from .shape import sum_to
        gx = SetItem.apply(g, ctx.key, 0.0) if ctx.needs_input_grad[0] else None
        gv = None
        if ctx.vshape is not None and ctx.needs_input_grad[2]:
            gv = sum_to(g[ctx.key], ctx.vshape)
        return gx, None, gv

    @staticmethod
    def jvp(ctx, tx, _, tv):                # the tangent of x with tangent of value at key
        x, key, value = ctx.inputs
        return SetItem.apply(forward_ad.or_zeros(x, tx), key, forward_ad.or_zeros(value, tv))


class Fill(Op):
    """x filled with value (a number or a tensor that broadcasts to x): fill_, zero_, copy_."""

    @staticmethod
    def forward(ctx, x, value):
        ctx.vshape = getattr(value, "shape", None)
        xp = array_module(x)
        try:
            return xp.array(xp.broadcast_to(xp.asarray(value, dtype=x.dtype), x.shape))
        except ValueError:
            raise RuntimeError(f"copy_/fill_: the source of shape {ctx.vshape} does not "
                               f"broadcast to the destination's shape {tuple(x.shape)}") from None

    @staticmethod
    def backward(ctx, g):
        from .shape import sum_to
        gv = None
        if ctx.vshape is not None and ctx.needs_input_grad[1]:
            gv = sum_to(g, ctx.vshape)
        return (g * 0 if ctx.needs_input_grad[0] else None), gv

    @staticmethod
    def jvp(ctx, tx, tv):                   # x's values are gone: only value's tangent stays
        x, value = ctx.inputs
        return Fill.apply(forward_ad.or_zeros(x, tx), forward_ad.or_zeros(value, tv))


class CopySlices(Op):
    """The base of a view after the view was written in place (torch's CopySlices).

    forward: base with replay(base) set to src (write=False: already written, returned as is).
    backward: the base gets g with the view's region cleared, src gets replay(g).
    """

    @staticmethod
    def forward(ctx, base, src, ops, write):
        ctx.ops = ops
        if not write:
            return base
        out = base.copy(order="K")
        with autograd.no_grad():
            region = views.replay(ops, wrap(out)).data
        if not storage.shares_storage(region, out):
            raise RuntimeError("CopySlices: the view could not be replayed as a view")
        region[...] = src
        return out

    @staticmethod
    def backward(ctx, g):
        gbase = CopySlices.apply(g, 0.0, ctx.ops, True) if ctx.needs_input_grad[0] else None
        gsrc = views.replay(ctx.ops, g) if ctx.needs_input_grad[1] else None
        return gbase, gsrc, None, None

    jvp = forward_ad.additive           # linear in (base, src) together


def setitem(x, key, value):
    """x[key] = value (torch's index_put_ / copy_ into a view): in place, differentiable."""
    from .index import convert_key
    need_operand("setitem", value, "value")
    if x._batched or getattr(value, "_batched", False):          # inside vmap
        from ..func import batching_fns
        return batching_fns.setitem(x, key, value)
    xp = array_module(x.data)
    key = convert_key(key, xp)
    if hasattr(value, "grad_fn") and value.device != x.device:
        raise RuntimeError(f"setitem: the value is on {value.device} but the tensor is on "
                           f"{x.device}")
    view = x._view
    if view is not None and view.creation is not None and _basic(key) and \
            _needs_graph(x, value):     # torch writes through the view x[key], whose name it gives
        raise RuntimeError(view.creation.of_subview(x, view, "GetItem").message(False,
                                                                                "setitem"))
    return update(x, lambda t: SetItem.apply(t, key, value), "setitem", value,
                  check_cast=False)


def _basic(key):
    """Whether x[key] is a view made by slicing (ints, slices, None; not `...` alone)."""
    items = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or type(k) is slice or (isinstance(k, numbers.Integral)
                                                                  and not isinstance(k, bool))
               for k in items) and any(k is not Ellipsis for k in items)


def fill(x, value, op="fill_"):
    if op == "fill_":
        need_operand(op, value, "value", 1)
    if hasattr(value, "grad_fn") and value.ndim != 0 and op == "fill_":
        raise RuntimeError(f"fill_: only supports a 0-dimension value tensor but got a tensor "
                           f"with {value.ndim} dimensions")
    return update(x, lambda t: Fill.apply(t, value), op, value, check_cast=False)


def copy(x, src):
    need_operand("copy_", src, "src", 1)         # torch also copies a number in
    if hasattr(src, "grad_fn"):
        src = src.to(x.device)
    return update(x, lambda t: Fill.apply(t, src), "copy_", src, check_cast=False)


def _need_float_tensor(x, op, kernel):
    if x.dtype.kind != "f":
        raise NotImplementedError(f'{op}: "{kernel}" not implemented for '
                                  f"'{torch_name(x.dtype)}'")


def uniform_bounds(x, a, b):
    """uniform_'s (from, to), checked as torch checks them."""
    a, b = need_float("uniform_", a, "from"), need_float("uniform_", b, "to")
    _need_float_tensor(x, "uniform_", "check_uniform_bounds")
    for name, v in (("from", a), ("to", b)):
        if not math.isfinite(v):
            raise RuntimeError(f"uniform_: {name} is out of bounds for {torch_name(x.dtype)}")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} "
                           f"> to={b}")
    return a, b


def normal_args(x, mean, std):
    mean, std = need_float("normal_", mean, "mean"), need_float("normal_", std, "std")
    _need_float_tensor(x, "normal_", "normal_kernel_cpu")
    if not std >= 0.0:
        raise RuntimeError(f"normal_ expects std >= 0.0, but found std {std}")
    return mean, std + 0.0          # (-0.0 becomes 0.0: NumPy refuses a negative zero)
