"""Forward-mode helpers for ops where some tensor inputs carry no tangent.

An input without a tangent is a constant: its tangent is zero. Made as `a * 0` it would be
NaN wherever `a` holds inf or NaN (0 * inf), and e.g. cat([constant with -inf, dual]) would
get a NaN tangent where torch's is 0; these make real zeros instead. Otherwise they are
forward_ad.or_zeros and forward_ad.additive.
"""
from __future__ import annotations

from ..autograd import _tensor_cls, wrap
from ..backend import array_module


def zeros_tangent(a):
    """The tangent of the constant float tensor `a`: zeros of its shape and dtype."""
    return wrap(array_module(a.data).zeros(a.shape, a.dtype))


def or_zeros(a, t):
    """The tangent t of the operand a, or its zero: zeros for a float tensor, 0.0 for a number.
    Anything else (indices, masks, options) is passed on unchanged."""
    if t is not None:
        return t
    if isinstance(a, _tensor_cls()):
        return zeros_tangent(a) if a.dtype.kind == "f" else a
    return 0.0 if isinstance(a, (int, float)) and not isinstance(a, bool) else a


def additive(ctx, *tangents):
    """The rule of an op linear in all its tensor inputs jointly (cat, stack, index_add,
    scatter_add): the op applied to the tangents, zeros for the inputs without one."""
    Tensor = _tensor_cls()
    args = [t if t is not None else
            (zeros_tangent(a) if isinstance(a, Tensor) and a.dtype.kind == "f" else a)
            for a, t in zip(ctx.inputs, tangents)]
    return type(ctx).apply(*args)
