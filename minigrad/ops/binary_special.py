"""Elementwise binary special math with torch's names, dtype rules and derivatives:
copysign, fmax, fmin, nextafter, heaviside, gcd, lcm, signbit, float_power, ldexp, frexp.

Derivatives (torch's derivatives.yaml; g is the upstream gradient):
    copysign(a, b):   da = g * copysign(a, b) / a  (0 where a == 0);  db = 0
    fmax(a, b):       da = g where a >= b or b is nan, else 0;  db = g elsewhere
                      (forward mode: tb + [a > b or b is nan] (ta - tb), as torch's)
    fmin(a, b):       as fmax with <= (forward mode: <)
    nextafter(a, b):  da = g where a != b, else 0 (torch's);  db = 0
    frexp(a):         d mantissa = g / 2^exponent;  the exponent (int32) has none
    float_power(a, b) = pow(a.double(), b.double()), ldexp(a, b) = a * 2^b: compositions of
                      differentiable ops, so their derivatives are pow's and mul's
    heaviside:        none (backward and forward mode raise, as torch's)
    gcd, lcm, signbit: integer/bool results, not differentiable
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from ..dtypes import result_type
from ..forward_ad import elementwise, tangent_sum
from .arith import _cast, _grad, _shape, torch_name
from .binary_math import _broadcast, _opmath, _to_float, _xp
from .checks import need_operand, need_tensor
from .compare import where
from .shape import grad_zeros


def _two_tensors(fn, input, other):
    need_tensor(fn, input, "input", 1)
    need_tensor(fn, other, "other", 2)


def _operands(fn, a, b, dt):
    x, y = _cast(a, dt), _cast(b, dt)
    _broadcast(fn, x, y)
    return _xp(x, y), x, y


# ---- copysign, fmax/fmin, nextafter -----------------------------------------------------------
class CopySign(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        dt = _to_float(result_type(a, b))
        xp, x, y = _operands("copysign", a, b, _opmath(dt))
        out = xp.copysign(x, y)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = xp.where(x == 0, 0, out / xp.where(x == 0, 1, x))
        ctx.ratio = ratio.astype(dt, copy=False)        # +-1, 0 where a == 0
        return out.astype(dt, copy=False)

    @staticmethod
    def backward(ctx, g):                   # da = g * copysign(a, b) / a;  db = 0
        sa, sb = ctx.shapes
        ga = _grad(g * wrap(ctx.ratio), sa) if ctx.needs_input_grad[0] else None
        gb = _grad(grad_zeros(g), sb) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def jvp(ctx, ta, tb):                   # d copysign = copysign(a, b) / a * da
        return tangent_sum(ctx, None if ta is None else ta * wrap(ctx.ratio))


class FMax(Op):
    fn = "fmax"

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        dt = result_type(a, b)
        xp, x, y = _operands(cls.fn, a, b, dt)
        out = getattr(xp, cls.fn)(x, y)
        with np.errstate(invalid="ignore"):
            nan_b = xp.isnan(y) if dt.kind == "f" else False
            ctx.keep = (x <= y if cls.fn == "fmin" else x >= y) | nan_b   # a's share (bwd)
            ctx.fw = (x < y if cls.fn == "fmin" else x > y) | nan_b        # a's share (fwd)
        return out

    @staticmethod
    def backward(ctx, g):                   # da = g [a >= b or b nan];  db = g elsewhere
        sa, sb = ctx.shapes
        keep = wrap(ctx.keep)
        ga = _grad(where(keep, g, 0.0), sa) if ctx.needs_input_grad[0] else None
        gb = _grad(where(keep, 0.0, g), sb) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def jvp(ctx, ta, tb):                   # tb + [a > b or b nan] (ta - tb)
        fw = wrap(ctx.fw)
        return tangent_sum(ctx, None if ta is None else where(fw, ta, 0.0),
                           None if tb is None else where(fw, 0.0, tb))


class FMin(FMax):
    fn = "fmin"


class NextAfter(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        dt = result_type(a, b)
        if dt.kind != "f":
            raise NotImplementedError(f'"nextafter_cpu" not implemented for '
                                      f"'{torch_name(dt)}'")
        xp, x, y = _operands("nextafter", a, b, dt)
        with np.errstate(invalid="ignore"):
            ctx.moves = x != y                  # torch's: no derivative where a == b
        return xp.nextafter(x, y)

    @staticmethod
    def backward(ctx, g):                   # da = g [a != b];  db = 0
        sa, sb = ctx.shapes
        ga = _grad(where(wrap(ctx.moves), g, 0.0), sa) if ctx.needs_input_grad[0] else None
        gb = _grad(grad_zeros(g), sb) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def jvp(ctx, ta, tb):                   # d nextafter = [a != b] da
        return tangent_sum(ctx, None if ta is None else where(wrap(ctx.moves), ta, 0.0))


def copysign(input, other):
    """|input| with the sign of other (a tensor or a number); integer and bool operands give
    the default float dtype (torch.copysign)."""
    need_tensor("copysign", input, "input", 1)
    need_operand("copysign", other, "other", 2)
    return CopySign.apply(input, other)


def fmax(input, other):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN) (torch.fmax)."""
    _two_tensors("fmax", input, other)
    return FMax.apply(input, other)


def fmin(input, other):
    """Elementwise minimum that ignores NaN (NaN only where both are NaN) (torch.fmin)."""
    _two_tensors("fmin", input, other)
    return FMin.apply(input, other)


def nextafter(input, other):
    """The next floating-point value after input towards other; float tensors
    (torch.nextafter)."""
    _two_tensors("nextafter", input, other)
    return NextAfter.apply(input, other)


# ---- heaviside, gcd, lcm, signbit: no derivative ----------------------------------------------
class Heaviside(Op):
    @staticmethod
    def forward(ctx, x, v):
        if x.dtype != v.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes.")
        xp = _xp(x, v)
        _broadcast("heaviside", x, v)
        with np.errstate(invalid="ignore"):     # x == 0 -> v, else x > 0 (nan -> 0, as torch)
            return xp.where(x == 0, v, x > 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::heaviside is not implemented")

    @staticmethod
    def jvp(ctx, *tangents):
        raise RuntimeError("Trying to use forward AD with aten::heaviside that does not "
                           "support it.")


class _IntBinary(Op):
    """gcd/lcm: integer tensors only (promoted), an integer result with no derivative."""
    fn = ""

    @classmethod
    def forward(cls, ctx, a, b):
        dt = result_type(a, b)
        if dt.kind not in "iu":
            raise NotImplementedError(f'"{cls.fn}_cpu" not implemented for '
                                      f"'{torch_name(dt)}'")
        xp, x, y = _operands(cls.fn, a, b, dt)
        return getattr(xp, cls.fn)(x, y).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, g):
        return None, None


class Gcd(_IntBinary):
    fn = "gcd"


class Lcm(_IntBinary):
    fn = "lcm"


class SignBit(Op):
    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        if x.dtype.kind == "f":
            return xp.signbit(x)
        return x < 0 if x.dtype.kind == "i" else xp.zeros(x.shape, bool)

    @staticmethod
    def backward(ctx, g):
        return None


def heaviside(input, values):
    """The Heaviside step: 0 where input < 0, 1 where input > 0, values where input == 0;
    both tensors of one dtype. Not differentiable (torch.heaviside)."""
    need_tensor("heaviside", input, "input", 1)
    need_tensor("heaviside", values, "values", 2)
    return Heaviside.apply(input, values)


def gcd(input, other):
    """The (non-negative) greatest common divisor of integer tensors (torch.gcd)."""
    _two_tensors("gcd", input, other)
    return Gcd.apply(input, other)


def lcm(input, other):
    """The (non-negative) least common multiple of integer tensors (torch.lcm)."""
    _two_tensors("lcm", input, other)
    return Lcm.apply(input, other)


def signbit(input):
    """True where the sign bit is set (-0.0 and -nan included); bool (torch.signbit)."""
    need_tensor("signbit", input, "input", 1)
    return SignBit.apply(input)


# ---- float_power, ldexp, frexp ----------------------------------------------------------------
def _is_tensor(x):
    return hasattr(x, "grad_fn")


def float_power(input, exponent):
    """input ** exponent computed in float64, whatever the operands' dtypes; either may be a
    number (torch.float_power)."""
    from .functional import pow
    if _is_tensor(input):
        need_operand("float_power", exponent, "exponent", 2)
    elif isinstance(input, numbers.Number):
        need_tensor("float_power", exponent, "exponent", 2)
    else:
        need_tensor("float_power", input, "input", 1)
    base = input.double() if _is_tensor(input) else _as_float(input)
    exp = exponent.double() if _is_tensor(exponent) else _as_float(exponent)
    return pow(base, exp)


def _as_float(v):
    if isinstance(v, complex):
        raise TypeError("float_power(): complex numbers are not supported (minigrad has no "
                        "complex dtypes)")
    return float(v)


def ldexp(input, other):
    """input * 2 ** other, in input and other's promoted float dtype (the default float for
    integers) (torch.ldexp)."""
    from .functional import pow
    _two_tensors("ldexp", input, other)
    if input.dtype.kind == "f" and other.dtype.kind == "b":     # torch's kernel refuses these
        raise NotImplementedError("\"ldexp_cpu_exp\" not implemented for 'Bool'")
    dt = _to_float(result_type(input, other))
    return input.to(dt) * pow(2.0, other.to(dt))


class FrexpMantissa(Op):
    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        mantissa, e = xp.frexp(x)
        # 2^-e in the math dtype (float32 for float16, whose 2^-e can overflow)
        ctx.scale = xp.ldexp(xp.ones((), _opmath(x.dtype)), -e)
        return mantissa

    @staticmethod
    def backward(ctx, g):                   # d mantissa = g / 2^exponent
        return (g * wrap(ctx.scale)).to(g.dtype)

    jvp = elementwise           # d mantissa = dx / 2^e (diagonal J: J v = J^T v)


class FrexpExponent(Op):
    @staticmethod
    def forward(ctx, x):
        return array_module(x).frexp(x)[1].astype(np.int32, copy=False)

    @staticmethod
    def backward(ctx, g):
        return None


def frexp(input):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent, |mantissa| in [0.5, 1); the
    exponent is int32 (torch.frexp). Float tensors only."""
    from ..return_types import frexp as _frexp
    need_tensor("frexp", input, "input", 1)
    if input.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    return _frexp((FrexpMantissa.apply(input), FrexpExponent.apply(input)))
