"""The in-place comparisons x.eq_(y), x.lt_(y), ...: the comparison's 0/1 written in x's dtype.

torch records them (EqBackward0 and friends) with a zero gradient for both operands, so a
float x that required grad keeps requiring it; CompareInto does the same.
"""
from __future__ import annotations

from ..autograd import Op
from ..backend import array_module
from .arith import _binary, promote
from .compare import _COMPARISONS
from .shape import grad_zeros


class CompareInto(Op):
    """compare(x, other) cast to x's dtype; d/dx = d/dother = 0."""

    @staticmethod
    def forward(ctx, x, other, op):
        ctx.other_shape = getattr(other, "shape", None)
        a, b, _ = promote(x, other)
        out = _binary(_COMPARISONS[op], a, b, op)
        return array_module(x).asarray(out).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        # the comparison is piecewise constant: zero gradients (torch's EqBackward0)
        go = None if ctx.other_shape is None else grad_zeros(g, ctx.other_shape)
        return grad_zeros(g), go, None


def compare_into(x, other, op):
    """x.<op>_(other)'s out-of-place value: the comparison in x's dtype (differentiable with a
    zero gradient, as torch's, when x is a float tensor)."""
    if x.dtype.kind == "f" or getattr(other, "requires_grad", False):
        return CompareInto.apply(x, other, op)
    from .compare import named_compare
    return named_compare(x, other, op).to(x.dtype)
