"""Division with rounding (div(rounding_mode=...), floor_divide, //), remainder (%) and fmod.

Operands are promoted as in every binary op (minigrad.dtypes), without the float promotion
of true division: int // int stays int. Integer division by zero raises as torch does.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, unwrap, wrap
from ..backend import array_module
from ..forward_ad import tangent_sum
from .arith import _binary, _grad, _shape, promote
from .checks import need_operand, need_tensor


def _xp(a, b):
    """The array module of whichever operand is an array (a may be a NumPy scalar)."""
    return array_module(b if _shape(a) is None or isinstance(a, np.generic) else a)


def _check(a, b, dt, kernel):
    if dt.kind == "b":
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    if dt.kind in "iu":
        zero = _xp(a, b).asarray(b) == 0
        if zero.any() and 0 not in np.broadcast_shapes(np.shape(a), zero.shape):
            raise RuntimeError("ZeroDivisionError")


def _trunc_div(xp, a, b):
    """a / b rounded toward zero, in a's and b's (promoted) dtype."""
    if getattr(a, "dtype", None) is not None and a.dtype.kind == "f" or \
            getattr(b, "dtype", None) is not None and b.dtype.kind == "f":
        return xp.trunc(a / b).astype(xp.result_type(a, b))
    q = xp.floor_divide(a, b)
    return q + ((xp.remainder(a, b) != 0) & ((a < 0) != (b < 0)))


class DivRounded(Op):
    """div(a, b, rounding_mode='trunc' | 'floor'); floor_divide is the 'floor' mode without
    a derivative (torch's floor_divide has none; div with a rounding mode has zeros)."""

    @staticmethod
    def forward(ctx, a, b, mode, differentiable):
        ctx.shapes = _shape(a), _shape(b)
        ctx.differentiable = differentiable
        a, b, dt = promote(a, b)
        _check(a, b, dt, "div_floor_cpu" if mode == "floor" else "div_trunc_cpu")
        xp = _xp(a, b)
        if mode == "floor":
            return _binary(xp.floor_divide, a, b, "floor_divide")
        return _binary(lambda x, y: _trunc_div(xp, x, y), a, b, "div")

    @staticmethod
    def backward(ctx, g):
        if not ctx.differentiable:
            raise RuntimeError("the derivative for 'floor_divide' is not implemented")
        sa, sb = ctx.shapes     # rounding is flat: zero gradients
        zero = g * 0
        return _grad(zero, sa), _grad(zero, sb), None, None

    @staticmethod
    def jvp(ctx, ta, tb, *_):               # d round(a / b) = 0
        if not ctx.differentiable:          # torch's floor_divide has no forward derivative
            raise NotImplementedError("Trying to use forward AD with floor_divide that does "
                                      "not support it.")
        out = ctx.outputs[0]
        return wrap(array_module(out.data).zeros_like(out.data))


class Remainder(Op):
    """a - floor(a / b) * b, with the sign of b (Python's %); Fmod rounds toward zero."""
    kernel = "remainder"

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        ctx.save_for_backward(a, b)
        a, b, dt = promote(a, b)
        _check(a, b, dt, f"{ctx.kernel}_cpu")
        return _binary(getattr(_xp(a, b), ctx.kernel), a, b, ctx.kernel)

    @staticmethod
    def quotient(xp, a, b):                 # the rounded a / b that the result subtracts
        return xp.floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors            # da = g;  db = -g round(a / b)
        sa, sb = ctx.shapes
        gb = None
        if ctx.needs_input_grad[1]:
            x, y, _ = promote(_raw(a), _raw(b))
            gb = _grad(-g * wrap(ctx.quotient(_xp(x, y), x, y)), sb)
        return _grad(g, sa), gb

    @staticmethod
    def jvp(ctx, ta, tb):                   # d (a - q b) = da - q db, q = round(a / b) constant
        if tb is not None:
            a, b = ctx.saved_tensors
            x, y, _ = promote(_raw(a), _raw(b))
            tb = -tb * wrap(ctx.quotient(_xp(x, y), x, y))
        return tangent_sum(ctx, ta, tb)


class Fmod(Remainder):
    """a - trunc(a / b) * b, with the sign of a (C's fmod)."""
    kernel = "fmod"
    quotient = staticmethod(_trunc_div)


def _raw(x):
    return unwrap(x)


def _operands(fn, input, other):
    need_operand(fn, input, "input", 1)
    need_operand(fn, other, "other", 2)


def div(input, other, *, rounding_mode=None):
    """input / other; rounding_mode None (true division, ints give the default float),
    'trunc' or 'floor' (result in the promoted dtype). Matches torch.div."""
    _operands("div", input, other)
    if rounding_mode is None:
        from .arith import Div
        return Div.apply(input, other)
    if not isinstance(rounding_mode, str) or rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return DivRounded.apply(input, other, rounding_mode, True)


def floor_divide(input, other):
    """floor(input / other) in the promoted dtype (torch.floor_divide, //); like torch it has
    no derivative: backward through it raises."""
    _operands("floor_divide", input, other)
    return DivRounded.apply(input, other, "floor", False)


def remainder(input, other):
    """Python-style modulus (sign of the divisor), torch.remainder / %."""
    _operands("remainder", input, other)
    return Remainder.apply(input, other)


def fmod(input, other):
    """C-style modulus (sign of the dividend), torch.fmod; input must be a tensor."""
    need_tensor("fmod", input, "input", 1)
    need_operand("fmod", other, "other", 2)
    return Fmod.apply(input, other)

