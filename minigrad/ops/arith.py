"""Elementwise ops: + - * / ** and the unary math functions, maximum/minimum/where, clamp.

Binary ops broadcast like NumPy/torch; their backward sums each gradient back to its input's
shape with sum_to. Every backward is written with these same ops (double backward works).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, unwrap, wrap
from ..backend import array_module, get_default_dtype
from ..dtypes import result_type
from .shape import sum_to


def _shape(a):
    return getattr(a, "shape", None)


def _dtype(a):
    return getattr(a, "dtype", None)


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


def _floating(dt):
    """torch's "promote integer inputs to float": bool/int -> the default float dtype."""
    return dt if dt.kind == "f" else get_default_dtype()


def _grad(g, shape, dtype=None):
    """g summed back to `shape`, or None for a non-tensor operand (shape None). (The engine
    casts a gradient to its input's dtype, as torch's does; `dtype` is not needed here.)"""
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


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = getattr(a, "shape", None), getattr(b, "shape", None)
        ctx.save_for_backward(a, b)
        x, y, _ = promote(a, b)
        try:
            return x * y
        except ValueError:
            _broadcast_error(a, b, "mul")

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors            # d(a*b) = b da + a db
        sa, sb = ctx.shapes
        ga = _grad(g * b, sa) if ctx.needs_input_grad[0] else None
        gb = _grad(g * a, sb) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = getattr(a, "shape", None), getattr(b, "shape", None)
        ctx.save_for_backward(a, b)
        x, y, dt = promote(a, b)
        if dt.kind != "f":                  # torch: integer / integer is the default float
            dt = get_default_dtype()
            x, y = _cast(x, dt), _cast(y, dt)
        try:
            return x / y
        except ValueError:
            _broadcast_error(a, b, "div")

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors            # d(a/b) = da / b - a db / b^2
        sa, sb = ctx.shapes
        ga = _grad(g / b, sa) if ctx.needs_input_grad[0] else None
        gb = _grad(-g * a / (b * b), sb) if ctx.needs_input_grad[1] else None
        return ga, gb


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
        ctx.shapes, ctx.dtypes = (_shape(a), _shape(b)), (_dtype(a), _dtype(b))
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
        (sa, sb), (da, db) = ctx.shapes, ctx.dtypes
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = _grad(g * b * a ** (b - 1), sa, da)
            if sb is None and b == 0:
                ga = g * 0
        if ctx.needs_input_grad[1]:
            log_a = a.log() if sa is not None else math.log(a) if a > 0 else math.nan
            gb = _grad(g * out * log_a, sb, db)
        return ga, gb


def _float_in(x):
    """Float math on bool/int tensors runs in the default float dtype, as torch's."""
    return x if x.dtype.kind == "f" else x.astype(get_default_dtype())


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).exp(_float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d exp(x) = exp(x) dx
        return g * y


class Log(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).log(_float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d log(x) = dx / x
        return g / x


class Sqrt(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).sqrt(_float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d sqrt(x) = dx / (2 sqrt(x))
        return g / (2 * y)


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        ctx.save_for_backward(x)
        return array_module(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d|x| = sign(x) dx (0 at 0, as torch)
        return g * wrap(array_module(x.data).sign(x.data))


class Tanh(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).tanh(_float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d tanh = (1 - tanh^2) dx
        return TanhBackward.apply(y, g)


class TanhBackward(Op):
    """dx = g * (1 - y^2) as one node (one dispatch instead of three); differentiable."""

    @staticmethod
    def forward(ctx, y, g):
        ctx.save_for_backward(y, g)
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        y, g = ctx.saved_tensors            # d/dg = gg (1 - y^2);  d/dy = -2 y g gg
        gy = -2 * y * g * gg if ctx.needs_input_grad[0] else None
        gg_out = TanhBackward.apply(y, gg) if ctx.needs_input_grad[1] else None
        return gy, gg_out


class Sigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        y = xp.tanh(_float_in(x) * 0.5)                # 0.5 (1 + tanh(x/2)): no overflow for any x
        y += 1
        y *= 0.5
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d sigmoid = s (1 - s) dx
        return SigmoidBackward.apply(y, g)


class SigmoidBackward(Op):
    """dx = g * y (1 - y) as one node (one dispatch instead of three); differentiable."""

    @staticmethod
    def forward(ctx, y, g):
        ctx.save_for_backward(y, g)
        return g * y * (1 - y)

    @staticmethod
    def backward(ctx, gg):
        y, g = ctx.saved_tensors            # d/dg = gg y (1 - y);  d/dy = (1 - 2 y) g gg
        gy = (1 - 2 * y) * g * gg if ctx.needs_input_grad[0] else None
        gg_out = SigmoidBackward.apply(y, gg) if ctx.needs_input_grad[1] else None
        return gy, gg_out


class Relu(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d relu = [x > 0] dx
        return g * wrap((y.data > 0).astype(g.dtype))


class Sin(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).sin(_float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x.cos()


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).cos(_float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return -g * x.sin()


class Clamp(Op):
    """min(max(x, lo), hi); lo/hi are scalars, None or tensors (broadcast, promoted)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.shapes = _shape(x), _shape(lo), _shape(hi)
        ctx.dtypes = _dtype(x), _dtype(lo), _dtype(hi)
        dt = result_type(x, lo, hi)
        x = _cast(x, dt)
        lo = None if lo is None else _cast(lo, dt)
        hi = None if hi is None else _cast(hi, dt)
        xp = array_module(x)
        out = x if lo is None else _binary(xp.maximum, x, lo, "clamp")
        out = out if hi is None else _binary(xp.minimum, out, hi, "clamp")
        if dt.kind != "f":
            return out
        # torch's clamp_backward_min_max: which of x, lo, hi the output follows
        if lo is not None and hi is not None:
            ctx.masks = ((x >= lo) & (x <= hi), (x < lo) & (lo < hi), (x > hi) | (hi < lo))
        elif lo is not None:
            ctx.masks = (x >= lo, x < lo, None)
        else:
            ctx.masks = (x <= hi, None, x > hi)
        return out

    @staticmethod
    def backward(ctx, g):
        grads = []
        for k, (mask, shape, dtype) in enumerate(zip(ctx.masks, ctx.shapes, ctx.dtypes)):
            if mask is None or not ctx.needs_input_grad[k]:
                grads.append(None)
            else:
                grads.append(_grad(g * wrap(mask.astype(g.dtype)), shape, dtype))
        return tuple(grads)


class Where(Op):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond, ctx.shapes, ctx.dtypes = cond, (_shape(a), _shape(b)), (_dtype(a), _dtype(b))
        a, b, _ = promote(a, b)
        xp = array_module(cond)
        return _binary(lambda x, y: xp.where(cond, x, y), a, b, "where")

    @staticmethod
    def backward(ctx, g):
        keep = wrap(ctx.cond)
        zero = g * 0
        (sa, sb), (da, db) = ctx.shapes, ctx.dtypes
        ga = _grad(where(keep, g, zero), sa, da) if ctx.needs_input_grad[1] else None
        gb = _grad(where(keep, zero, g), sb, db) if ctx.needs_input_grad[2] else None
        return None, ga, gb


class Maximum(Op):
    """Elementwise max; ties split the gradient evenly, as torch does."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes, ctx.dtypes = (_shape(a), _shape(b)), (_dtype(a), _dtype(b))
        a, b, dt = promote(a, b)
        out = _binary(array_module(a).maximum, a, b, "maximum")
        if dt.kind == "f":
            ctx.share = ((a > b) + 0.5 * (a == b)).astype(dt)
        return out

    @staticmethod
    def backward(ctx, g):
        share = wrap(ctx.share)             # d max = [a > b] + [a == b] / 2 for a
        (sa, sb), (da, db) = ctx.shapes, ctx.dtypes
        return _grad(g * share, sa, da), _grad(g * (1 - share), sb, db)


class Minimum(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes, ctx.dtypes = (_shape(a), _shape(b)), (_dtype(a), _dtype(b))
        a, b, dt = promote(a, b)
        out = _binary(array_module(a).minimum, a, b, "minimum")
        if dt.kind == "f":
            ctx.share = ((a < b) + 0.5 * (a == b)).astype(dt)
        return out

    @staticmethod
    def backward(ctx, g):
        share = wrap(ctx.share)
        (sa, sb), (da, db) = ctx.shapes, ctx.dtypes
        return _grad(g * share, sa, da), _grad(g * (1 - share), sb, db)


_TORCH_NAMES = {"b": "Bool", "u1": "Byte", "i1": "Char", "i2": "Short", "i4": "Int",
                "i8": "Long", "f2": "Half", "f4": "Float", "f8": "Double"}


def torch_name(dt) -> str:
    """torch's name of a dtype in error messages (Float, Long, ...)."""
    return _TORCH_NAMES.get("b" if dt.kind == "b" else f"{dt.kind}{dt.itemsize}", str(dt))


def _need_tensor(fn, x, name, pos):
    from ..tensor import Tensor  # lazy: tensor.py imports this module
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def where(condition, input, other):
    """Pick `input` where `condition` is True, else `other` (torch.where); the branches may
    be tensors of any dtypes or scalars, promoted as torch does."""
    cond = unwrap(condition)
    dt = getattr(cond, "dtype", None)
    if dt is None or isinstance(cond, np.generic):
        _need_tensor("where", condition, "condition", 1)
    if dt.kind != "b" and dt != np.uint8:   # torch still accepts uint8 (deprecated)
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {torch_name(dt)}")
    return Where.apply(cond.astype(bool, copy=False), input, other)


def maximum(input, other):
    """Elementwise max of two tensors, promoted (torch.maximum: both must be tensors)."""
    _need_tensor("maximum", input, "input", 1)
    _need_tensor("maximum", other, "other", 2)
    return Maximum.apply(input, other)


def minimum(input, other):
    _need_tensor("minimum", input, "input", 1)
    _need_tensor("minimum", other, "other", 2)
    return Minimum.apply(input, other)


def clamp(input, min=None, max=None):
    """Clamp to [min, max], numbers or tensors (torch.clamp), promoted as one op; gradients
    flow to x and to tensor bounds as torch's do."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    return Clamp.apply(input, min, max)


def _operand(x):
    """True for what a binary op accepts: tensors/arrays and Python/NumPy numbers."""
    return isinstance(x, (int, float, np.generic)) or hasattr(x, "dtype")


def compare(fn, a, b, op):
    """Comparisons promote both operands, give bool tensors and are never differentiable.
    A non-numeric operand (None, a string) gives NotImplemented, as Python expects."""
    if not _operand(b):
        return NotImplemented
    a, b, _ = promote(unwrap(a), unwrap(b))
    return wrap(_binary(fn, a, b, op))
