"""Binary arithmetic: + - * / **, with torch's type promotion (promote) and broadcasting.

Binary ops broadcast like NumPy/torch; their backward sums each gradient back to its input's
shape with sum_to (the engine casts it to the input's dtype). Every backward is written with
these same ops, so double backward works. Unary math is in unary.py; where, clamp, maximum,
minimum and the comparisons in compare.py.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op
from ..backend import array_module, get_default_dtype
from ..dtypes import result_type
from ..forward_ad import multilinear, tangent_sum
from .shape import sum_to


def _shape(a):
    return getattr(a, "shape", None)


def _broadcast_error(a, b, op):
    raise RuntimeError(f"{op}: shapes {_shape(a)} and {_shape(b)} are not broadcastable") from None


def _binary(fn, a, b, op):
    """Apply a NumPy/CuPy binary function; a broadcast failure names the op and both shapes."""
    try:
        return fn(a, b)
    except ValueError:
        _broadcast_error(a, b, op)


def _cast(x, dt):
    """x as dtype dt: arrays by astype (no copy when already dt), scalars as NumPy scalars
    (integers wrap around as torch's do: uint8 tensor + 300 is uint8)."""
    d = getattr(x, "dtype", None)
    if d is None or isinstance(x, np.generic):
        return np.asarray(x).astype(dt)[()]
    return x if d == dt else x.astype(dt)


def promote(a, b):
    """(a, b, dtype): both operands cast to torch's result dtype (minigrad.dtypes).

    Fast path first (one dtype, or a float array with a Python number: NumPy already gives
    torch's dtype), so the common float op pays two getattrs for promotion."""
    tb = type(b)
    if tb is float or tb is int:            # tensor <op> Python number: the most common case
        da = getattr(a, "dtype", None)
        if da is not None and da.kind == "f":
            return a, b, da
    da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
    if da is db and da is not None:
        return a, b, da
    if da is None and type(a) in (float, int) and db is not None and db.kind == "f":
        return a, b, db
    dt = result_type(a, b)
    return _cast(a, dt), _cast(b, dt), dt


_F16 = np.dtype(np.float16)


def _opmath(x, y):
    """float16 operands of mul (and div by a number), one a Python number: torch computes those
    in float32 (its "opmath" type for float16) with the number as float32, not rounded to
    float16 first (NumPy would), and rounds the result once. (add, sub and pow round the number
    to float16, as NumPy does.) Other operands stay as they are."""
    if type(y) in (float, int):
        return x.astype(np.float32), np.float32(y)
    if type(x) in (float, int):
        return np.float32(x), y.astype(np.float32)
    return x, y


def _grad(g, shape):
    """g summed back to `shape`, or None for a non-tensor operand (shape None). (The engine
    casts a gradient to its input's dtype, as torch's does.)"""
    return None if shape is None else sum_to(g, shape)


def _is_bool(x):
    # a Python bool or a bool tensor; torch takes a NumPy bool scalar as a number
    return type(x) is bool or (getattr(x, "dtype", None) == np.bool_
                               and not isinstance(x, np.generic))


def _no_bool_sub(a, b):
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


class Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = getattr(a, "shape", None), getattr(b, "shape", None)
        x, y, _ = promote(a, b)
        try:
            return x + y
        except ValueError:
            _broadcast_error(a, b, "add")

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return _grad(g, sa), _grad(g, sb)

    @staticmethod
    def jvp(ctx, ta, tb):                   # d(a + b) = da + db
        return tangent_sum(ctx, ta, tb)


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = getattr(a, "shape", None), getattr(b, "shape", None)
        x, y, dt = promote(a, b)
        if (dt.kind != "f" or x is not a or y is not b) and (_is_bool(a) or _is_bool(b)):
            _no_bool_sub(a, b)              # (a bool operand is never the float fast path)
        try:
            return x - y
        except ValueError:
            _broadcast_error(a, b, "sub")

    @staticmethod
    def backward(ctx, g):
        sa, sb = ctx.shapes
        return _grad(g, sa), None if sb is None else -_grad(g, sb)

    @staticmethod
    def jvp(ctx, ta, tb):                   # d(a - b) = da - db
        return tangent_sum(ctx, ta, None if tb is None else -tb)


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = getattr(a, "shape", None), getattr(b, "shape", None)
        ctx.save_for_backward(a, b)
        x, y, dt = promote(a, b)
        if dt is _F16:
            x, y = _opmath(x, y)
        try:
            out = x * y
            return out if out.dtype is dt else out.astype(dt)   # (float16 went float32)
        except ValueError:
            _broadcast_error(a, b, "mul")

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors            # d(a*b) = b da + a db
        sa, sb = ctx.shapes
        ga = _grad(g * b, sa) if ctx.needs_input_grad[0] else None
        gb = _grad(g * a, sb) if ctx.needs_input_grad[1] else None
        return ga, gb

    jvp = multilinear                       # d(a*b) = da b + a db


class Div(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = getattr(a, "shape", None), getattr(b, "shape", None)
        ctx.save_for_backward(a, b)
        x, y, dt = promote(a, b)
        if dt.kind != "f":                  # torch: integer / integer is the default float
            dt = get_default_dtype()
            x, y = _cast(x, dt), _cast(y, dt)
        if dt is _F16 and type(y) in (float, int):
            x, y = _opmath(x, y)
        try:
            out = x / y
            return out if out.dtype is dt else out.astype(dt)   # (float16 went float32)
        except ValueError:
            _broadcast_error(a, b, "div")

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors            # d(a/b) = da / b - a db / b^2
        sa, sb = ctx.shapes
        ga = _grad(g / b, sa) if ctx.needs_input_grad[0] else None
        gb = _grad(-g * a / (b * b), sb) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def jvp(ctx, ta, tb):                   # d(a/b) = (da - (a/b) db) / b
        a, b = ctx.saved_tensors
        if tb is None:
            return ta / b
        t = -(ctx.outputs[0] * tb)
        return (t if ta is None else ta + t) / b


def _int_pow(a, b):
    """Integer powers as torch: a negative exponent gives 1 for a == 1, +-1 for a == -1,
    else 0 (NumPy raises)."""
    xp = array_module(a) if _shape(a) is not None else array_module(b)
    neg = xp.asarray(b) < 0
    if not neg.any():
        return a ** b
    safe = a ** xp.where(neg, 0, b)
    odd = (xp.abs(b) % 2) == 1
    at_neg = xp.where(a == 1, 1, xp.where(a == -1, xp.where(odd, -1, 1), 0))
    return xp.where(neg, at_neg, safe).astype(safe.dtype)


class Pow(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        x, y, dt = promote(a, b)
        if dt.kind == "b":
            if type(b) is bool:             # torch: bool ** True is x, bool ** False is ones
                return x.copy() if b else array_module(x).ones_like(x)
            raise NotImplementedError('"pow" not implemented for \'Bool\'')
        if dt.kind in "iu":
            if _shape(b) is None and b < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            out = _binary(_int_pow, x, y, "pow")
        else:
            out = _binary(lambda p, q: p ** q, x, y, "pow")
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors       # d(a^b) = b a^(b-1) da + a^b log(a) db
        sa, sb = ctx.shapes                 # (torch: da = 0 where b == 0; db = 0 where
        ga = gb = None                      # a == 0 and b >= 0)
        if ctx.needs_input_grad[0]:
            ga = _grad(_pow_da(g, a, b), sa)
        if ctx.needs_input_grad[1]:
            gb = _grad(_pow_db(g, a, b, out), sb)
        return ga, gb

    @staticmethod
    def jvp(ctx, ta, tb):                   # d(a^b) = b a^(b-1) da + a^b log(a) db
        a, b, out = ctx.saved_tensors
        t = None
        if ta is not None:
            t = _pow_da(ta, a, b)
        if tb is not None:
            t = _pow_db(tb, a, b, out) if t is None else t + _pow_db(tb, a, b, out)
        return t


def _pow_da(g, a, b):
    """g b a^(b-1), 0 where b == 0 (torch's: no nan from 0^-1 there)."""
    if _shape(b) is None:
        return g * 0 if b == 0 else g * b * a ** (b - 1)
    from .compare import where  # lazy: compare.py imports this module
    return where(b == 0, 0.0, g * b * a ** (b - 1))


def _pow_db(g, a, b, out):
    """g a^b log(a), 0 where a == 0 and b >= 0 (torch's: no nan from 0 * -inf there)."""
    from .compare import where  # lazy: compare.py imports this module
    if _shape(a) is None:
        if a == 0:
            return where(b >= 0, 0.0, g * out * -math.inf)
        return g * out * (math.log(a) if a > 0 else math.nan)
    d = g * out * a.log()
    return where((a == 0) & (b >= 0), 0.0, d) if _shape(b) is not None else \
        (where(a == 0, 0.0, d) if b >= 0 else d)


_TORCH_NAMES = {"b": "Bool", "u1": "Byte", "i1": "Char", "i2": "Short", "i4": "Int",
                "i8": "Long", "f2": "Half", "f4": "Float", "f8": "Double"}


def torch_name(dt) -> str:
    """torch's name of a dtype in error messages (Float, Long, ...)."""
    return _TORCH_NAMES.get("b" if dt.kind == "b" else f"{dt.kind}{dt.itemsize}", str(dt))


def _operand(x):
    """True for what a binary op accepts: tensors/arrays and Python/NumPy numbers."""
    return isinstance(x, (int, float, np.generic)) or hasattr(x, "dtype")
