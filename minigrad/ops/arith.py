"""Elementwise ops: + - * / ** and the unary math functions, maximum/minimum/where, clamp.

Binary ops broadcast like NumPy/torch; their backward sums each gradient back to its input's
shape with sum_to. Every backward is written with these same ops (double backward works).
"""
from __future__ import annotations

import math

from ..autograd import Op, unwrap, wrap
from ..backend import array_module
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


def _grad(g, shape):
    """g summed back to `shape`, or None for a non-tensor operand (shape None)."""
    return None if shape is None else sum_to(g, shape)


def _true_div_dtype(a, b, out):
    # torch: integer / integer is a float32 tensor (numpy would give float64)
    kinds = {getattr(a, "dtype", None) and a.dtype.kind, getattr(b, "dtype", None) and b.dtype.kind}
    return out.astype("float32") if "f" not in kinds and out.dtype.kind == "f" else out


class Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        try:
            return a + b
        except ValueError:
            _broadcast_error(a, b, "add")

    @staticmethod
    def backward(ctx, g):
        return _grad(g, ctx.shapes[0]), _grad(g, ctx.shapes[1])


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        try:
            return a - b
        except ValueError:
            _broadcast_error(a, b, "sub")

    @staticmethod
    def backward(ctx, g):
        return _grad(g, ctx.shapes[0]), None if ctx.shapes[1] is None else -_grad(g, ctx.shapes[1])


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        ctx.save_for_backward(a, b)
        try:
            return a * b
        except ValueError:
            _broadcast_error(a, b, "mul")

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors            # d(a*b) = b da + a db
        ga = _grad(g * b, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gb = _grad(g * a, ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        ctx.save_for_backward(a, b)
        return _true_div_dtype(a, b, _binary(lambda x, y: x / y, a, b, "div"))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors            # d(a/b) = da / b - a db / b^2
        ga = _grad(g / b, ctx.shapes[0]) if ctx.needs_input_grad[0] else None
        gb = _grad(-g * a / (b * b), ctx.shapes[1]) if ctx.needs_input_grad[1] else None
        return ga, gb


class Pow(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        out = _binary(lambda x, y: x ** y, a, b, "pow")
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors       # d(a^b) = b a^(b-1) da + a^b log(a) db
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = _grad(g * b * a ** (b - 1), ctx.shapes[0])
            if ctx.shapes[1] is None and b == 0:
                ga = g * 0
        if ctx.needs_input_grad[1]:
            log_a = a.log() if ctx.shapes[0] is not None else math.log(a) if a > 0 else math.nan
            gb = _grad(g * out * log_a, ctx.shapes[1])
        return ga, gb


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).exp(x)
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
        return array_module(x).log(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d log(x) = dx / x
        return g / x


class Sqrt(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d sqrt(x) = dx / (2 sqrt(x))
        return g / (2 * y)


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d|x| = sign(x) dx (0 at 0, as torch)
        return g * wrap(array_module(x.data).sign(x.data))


class Tanh(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).tanh(x)
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
        y = xp.tanh(x * 0.5)                # 0.5 (1 + tanh(x/2)): no overflow for any x
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
        return array_module(x).sin(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x.cos()


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).cos(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return -g * x.sin()


class Clamp(Op):
    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = array_module(x)
        ctx.mask = xp.ones(x.shape, bool)    # torch passes the gradient where lo <= x <= hi
        if lo is not None:
            ctx.mask &= x >= lo
        if hi is not None:
            ctx.mask &= x <= hi
        return xp.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        return g * wrap(ctx.mask.astype(g.dtype)), None, None


class Where(Op):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond, ctx.shapes = cond, (_shape(a), _shape(b))
        xp = array_module(cond)
        return _binary(lambda x, y: xp.where(cond, x, y), a, b, "where")

    @staticmethod
    def backward(ctx, g):
        keep = wrap(ctx.cond)
        zero = g * 0
        ga = _grad(where(keep, g, zero), ctx.shapes[0]) if ctx.needs_input_grad[1] else None
        gb = _grad(where(keep, zero, g), ctx.shapes[1]) if ctx.needs_input_grad[2] else None
        return None, ga, gb


class Maximum(Op):
    """Elementwise max; ties split the gradient evenly, as torch does."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        xp = array_module(a)
        out = _binary(xp.maximum, a, b, "maximum")
        ctx.share = ((a > b) + 0.5 * (a == b)).astype(out.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        share = wrap(ctx.share)
        return _grad(g * share, ctx.shapes[0]), _grad(g * (1 - share), ctx.shapes[1])


class Minimum(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        xp = array_module(a)
        out = _binary(xp.minimum, a, b, "minimum")
        ctx.share = ((a < b) + 0.5 * (a == b)).astype(out.dtype)
        return out

    @staticmethod
    def backward(ctx, g):
        share = wrap(ctx.share)
        return _grad(g * share, ctx.shapes[0]), _grad(g * (1 - share), ctx.shapes[1])


def where(condition, input, other):
    """Pick `input` where `condition` is True, else `other` (torch.where)."""
    cond = unwrap(condition)
    if getattr(cond, "dtype", None) is None or cond.dtype.kind != "b":
        raise TypeError(f"where: condition must be a bool tensor, got "
                        f"{getattr(cond, 'dtype', type(cond).__name__)}")
    return Where.apply(cond, input, other)


def maximum(input, other):
    return Maximum.apply(input, other)


def minimum(input, other):
    return Minimum.apply(input, other)


def clamp(input, min=None, max=None):
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    return Clamp.apply(input, min, max)


def compare(fn, a, b, op):
    """Comparisons give bool tensors and are never differentiable."""
    a = unwrap(a)
    b = unwrap(b)
    return wrap(_binary(fn, a, b, op))
