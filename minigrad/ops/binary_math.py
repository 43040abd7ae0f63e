"""Elementwise binary math: xlogy, logaddexp(2), hypot, atan2, rsub, clamp_min/clamp_max and
nan_to_num (torch's names and dtype rules); lerp, addcmul and addcdiv are in ternary.py.

Operands are promoted as in every binary op (minigrad.dtypes) and the math runs in the
result dtype; float math on bool/int operands runs in the default float dtype where torch's
does (xlogy, atan2). Each backward is written with differentiable ops: double backward works.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module, get_default_dtype
from ..dtypes import result_type
from ..forward_ad import elementwise, tangent_sum
from .arith import _cast, _grad, _shape, torch_name
from .checks import need_operand
from .compare import clamp, need_tensor, where


def _xp(*xs):
    """The array module of the first operand that is an array (not a NumPy scalar)."""
    for x in xs:
        if _shape(x) is not None and not isinstance(x, np.generic):
            return array_module(x)
    return np


def _broadcast(op, *xs):
    """The broadcast shape of the array operands, or torch's RuntimeError naming op."""
    shapes = [np.shape(x) for x in xs if _shape(x) is not None]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(f"{op}: shapes {', '.join(map(str, shapes))} are not "
                           "broadcastable") from None


def _float_only(dt, kernel):
    if dt.kind != "f":
        raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{torch_name(dt)}\'')


def _to_float(dt):
    return dt if dt.kind == "f" else get_default_dtype()


def _opmath(dt):
    """The dtype torch's kernels compute in: float32 for float16 (rounded once at the end)."""
    return np.dtype(np.float32) if dt == np.float16 else dt


def _number(fn, name, v, kinds=(bool, int, float)):
    if not isinstance(v, kinds) and not isinstance(v, (np.integer, np.floating, np.bool_)):
        raise TypeError(f"{fn}(): argument '{name}' must be Number, not {type(v).__name__}")


# ---- two-operand float math ---------------------------------------------------------------
class Xlogy(Op):
    """x * log(y), 0 where x == 0 (unless y is nan)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.shapes = _shape(x), _shape(y)
        ctx.save_for_backward(x, y)
        dt = _to_float(result_type(x, y))
        x, y = _cast(x, dt), _cast(y, dt)   # (torch's float16 xlogy rounds log(y) too)
        xp = _xp(x, y)
        _broadcast("xlogy", x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = xp.where((x == 0) & ~xp.isnan(y), 0, x * xp.log(y))
        return out.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors            # dx = xlogy(g, y), 0 where x == 0 and y <= 0
        sx, sy = ctx.shapes                 # dy = g x / y
        gx = gy = None
        if ctx.needs_input_grad[0]:
            xs, ys = _array(x), _array(y)
            off = wrap(_xp(xs, ys).asarray((xs == 0) & (ys <= 0)))
            gx = _grad(where(off, 0.0, Xlogy.apply(g, y)), sx)
        if ctx.needs_input_grad[1]:
            gy = _grad(g * x / y, sy)
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):                   # d xlogy(x, y) = log(y) dx + x / y dy (as backward)
        x, y = ctx.saved_tensors
        dx = dy = None
        if tx is not None:
            xs, ys = _array(x), _array(y)
            off = wrap(_xp(xs, ys).asarray((xs == 0) & (ys <= 0)))
            dx = where(off, 0.0, Xlogy.apply(tx, y))
        if ty is not None:
            dy = ty * x / y
        return tangent_sum(ctx, dx, dy)


def _array(x):
    return x.data if hasattr(x, "grad_fn") else x


def xlogy(input, other):
    """input * log(other), 0 where input == 0 (torch.xlogy); either may be a number."""
    from ..tensor import Tensor  # lazy: tensor.py imports the ops
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        need_tensor("xlogy", input, "input", 1)
    for k, v in enumerate((input, other)):
        if not isinstance(v, Tensor):
            _number("xlogy", ("self", "other")[k], v)
    return Xlogy.apply(input, other)


class _TwoFloat(Op):
    """A float-only op of two tensors: forward math(xp, a, b), gradients in backward."""
    name = ""

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        dt = result_type(a, b)
        if not cls.int_to_float:
            _float_only(dt, cls.name)
        dt = _to_float(dt)
        x, y = _cast(a, _opmath(dt)), _cast(b, _opmath(dt))
        _broadcast(cls.name, x, y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = cls.math(array_module(x), x, y).astype(dt, copy=False)
        ctx.save_for_backward(a, b, out)    # the inputs themselves: double backward reaches them
        return out

    @classmethod
    def jvp(cls, ctx, ta, tb):              # d f(a, b) = f_a da + f_b db (cls.partials)
        a, b, out = ctx.saved_tensors
        fa, fb = cls.partials(a, b, out, ta is not None, tb is not None)
        return tangent_sum(ctx, None if ta is None else ta * fa, None if tb is None else tb * fb)


class LogAddExp(_TwoFloat):
    name, int_to_float = "logaddexp", False

    @staticmethod
    def math(xp, a, b):
        return xp.logaddexp(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, _ = ctx.saved_tensors         # da = g / (1 + exp(b - a)), db likewise
        sa, sb = ctx.shapes
        ga = _grad(g / (1 + (b - a).exp()), sa) if ctx.needs_input_grad[0] else None
        gb = _grad(g / (1 + (a - b).exp()), sb) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def partials(a, b, out, da, db):        # f_a = 1 / (1 + exp(b - a)), f_b likewise
        return (1 / (1 + (b - a).exp()) if da else None,
                1 / (1 + (a - b).exp()) if db else None)


class LogAddExp2(_TwoFloat):
    name, int_to_float = "logaddexp2", False

    @staticmethod
    def math(xp, a, b):
        return xp.logaddexp2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, _ = ctx.saved_tensors         # da = g / (1 + 2^(b - a)), db likewise
        sa, sb = ctx.shapes
        ga = _grad(g / (1 + 2 ** (b - a)), sa) if ctx.needs_input_grad[0] else None
        gb = _grad(g / (1 + 2 ** (a - b)), sb) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def partials(a, b, out, da, db):        # f_a = 1 / (1 + 2^(b - a)), f_b likewise
        return (1 / (1 + 2 ** (b - a)) if da else None,
                1 / (1 + 2 ** (a - b)) if db else None)


class Hypot(_TwoFloat):
    name, int_to_float = "hypot", False

    @staticmethod
    def math(xp, a, b):
        return xp.hypot(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors       # da = g a / out;  db = g b / out
        sa, sb = ctx.shapes
        ga = _grad(g * a / out, sa) if ctx.needs_input_grad[0] else None
        gb = _grad(g * b / out, sb) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def partials(a, b, out, da, db):        # f_a = a / out;  f_b = b / out
        return a / out if da else None, b / out if db else None


class Atan2(_TwoFloat):
    name, int_to_float = "atan2", True

    @staticmethod
    def math(xp, a, b):
        return xp.arctan2(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b, _ = ctx.saved_tensors         # da = g b / (a^2 + b^2);  db = -g a / (a^2 + b^2)
        sa, sb = ctx.shapes
        r2 = a * a + b * b
        zero = wrap(r2.data == 0)           # torch: 0 where a = b = 0 (1/r2 is inf)
        recip = where(zero, 0.0, 1 / where(zero, 1.0, r2))
        ga = _grad(g * b * recip, sa) if ctx.needs_input_grad[0] else None
        gb = _grad(-g * a * recip, sb) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def partials(a, b, out, da, db):        # f_a = b / (a^2 + b^2);  f_b = -a / (a^2 + b^2)
        r2 = a * a + b * b                  # (NaN at a = b = 0: torch's forward derivative,
        return b / r2 if da else None, -a / r2 if db else None     # unlike its backward's 0)


def _two_tensors(fn, input, other):
    need_tensor(fn, input, "input", 1)
    need_tensor(fn, other, "other", 2)


def logaddexp(input, other):
    """log(exp(input) + exp(other)) without overflow; floating tensors (torch.logaddexp)."""
    _two_tensors("logaddexp", input, other)
    return LogAddExp.apply(input, other)


def logaddexp2(input, other):
    """log2(2^input + 2^other) without overflow; floating tensors (torch.logaddexp2)."""
    _two_tensors("logaddexp2", input, other)
    return LogAddExp2.apply(input, other)


def hypot(input, other):
    """sqrt(input^2 + other^2) elementwise; floating tensors (torch.hypot)."""
    _two_tensors("hypot", input, other)
    return Hypot.apply(input, other)


def atan2(input, other):
    """The angle of (other, input) in (-pi, pi]; ints give the default float (torch.atan2)."""
    _two_tensors("atan2", input, other)
    return Atan2.apply(input, other)


arctan2 = atan2


# ---- rsub, clamp_min/clamp_max, nan_to_num ------------------------------------------------
def rsub(input, other, *args, alpha=1):
    """other - alpha * input (torch.rsub): sub with the operands swapped. As torch's, alpha
    may be passed by position only when other is a number."""
    from .functional import sub
    need_tensor("rsub", input, "input", 1)
    if args:
        if len(args) > 1 or hasattr(other, "dtype") and not isinstance(other, np.generic) \
                or alpha != 1:
            raise TypeError("rsub(): takes (Tensor input, Tensor other, *, Number alpha) or "
                            "(Tensor input, Number other, Number alpha)")
        alpha = args[0]
    return sub(other, input, alpha=alpha)


def _clamp_bound(fn, input, bound, name):
    need_tensor(fn, input, "input", 1)
    if bound is None:
        raise TypeError(f"{fn}(): argument '{name}' must be a Number or a Tensor, not None")
    need_operand(fn, bound, name, 2)
    if getattr(bound, "ndim", None) is None and result_type(input, bound).kind == "b":
        raise NotImplementedError(f'"{fn}_scalar_cpu" not implemented for \'Bool\'')


def clamp_min(input, min):
    """max(input, min), min a number or a tensor (torch.clamp_min)."""
    _clamp_bound("clamp_min", input, min, "min")
    return clamp(input, min=min)


def clamp_max(input, max):
    """min(input, max), max a number or a tensor (torch.clamp_max)."""
    _clamp_bound("clamp_max", input, max, "max")
    return clamp(input, max=max)


class NanToNum(Op):
    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        xp = array_module(x)
        ctx.finite = xp.isfinite(x)
        info = np.finfo(x.dtype)
        fill = [x.dtype.type(v) for v in          # NumPy scalars: CuPy takes them too
                (nan, info.max if posinf is None else posinf,
                 info.min if neginf is None else neginf)]
        out = xp.where(xp.isnan(x), fill[0], x)
        out = xp.where(xp.isposinf(x), fill[1], out)
        return xp.where(xp.isneginf(x), fill[2], out).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):                   # dx = g where x is finite, else 0
        return g * wrap(ctx.finite.astype(g.dtype)), None, None, None

    jvp = elementwise           # d nan_to_num = [x finite] dx (diagonal J: J v = J^T v)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN -> nan, +inf -> posinf, -inf -> neginf (defaults: 0 and the dtype's largest and
    lowest finite values); integer and bool tensors come back as copies (torch.nan_to_num)."""
    need_tensor("nan_to_num", input, "input", 1)
    for name, v in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if v is not None:
            _number("nan_to_num", name, v)
    if input.dtype.kind != "f":
        return input.clone()
    with np.errstate(over="ignore"):
        return NanToNum.apply(input, 0.0 if nan is None else float(nan),
                              None if posinf is None else float(posinf),
                              None if neginf is None else float(neginf))
