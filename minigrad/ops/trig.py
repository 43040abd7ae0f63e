"""Elementwise trigonometric and hyperbolic functions (issue 15):
tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh (sin and cos live in unary.py).

Bool/int input runs in the default float dtype, as torch's; out-of-domain input gives nan
silently. Each backward is torch's formula written with differentiable ops:

    tan'  = 1 + y^2             asin' = 1 / sqrt(1 - x^2)     acos' = -1 / sqrt(1 - x^2)
    atan' = 1 / (1 + x^2)       sinh' = cosh(x)               cosh' = sinh(x)
    asinh' = 1 / sqrt(x^2 + 1)  acosh' = 1 / sqrt(x^2 - 1)    atanh' = 1 / (1 - x^2)
"""
from __future__ import annotations

from ..autograd import Op
from ..backend import array_module
from ..forward_ad import elementwise
from .unary_math import check_tensor, float_in, quiet, rsqrt


class Tan(Op):
    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = array_module(x).tan(float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d tan(x) = (1 + tan(x)^2) dx
        return g * (1 + y * y)

    jvp = elementwise           # d tan = (1 + tan^2) dx (diagonal J: J v = J^T v)


class Asin(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).arcsin(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d asin(x) = dx / sqrt(1 - x^2)
        return g * rsqrt(1 - x * x)

    jvp = elementwise           # d asin = dx / sqrt(1 - x^2) (diagonal J: J v = J^T v)


class Acos(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).arccos(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d acos(x) = -dx / sqrt(1 - x^2)
        return g * -rsqrt(1 - x * x)

    jvp = elementwise           # d acos = -dx / sqrt(1 - x^2) (diagonal J: J v = J^T v)


class Atan(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).arctan(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d atan(x) = dx / (1 + x^2)
        return g / (x * x + 1)

    jvp = elementwise           # d atan = dx / (1 + x^2) (diagonal J: J v = J^T v)


class Sinh(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).sinh(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d sinh(x) = cosh(x) dx
        return g * Cosh.apply(x)

    jvp = elementwise           # d sinh = cosh dx (diagonal J: J v = J^T v)


class Cosh(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).cosh(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d cosh(x) = sinh(x) dx
        return g * Sinh.apply(x)

    jvp = elementwise           # d cosh = sinh dx (diagonal J: J v = J^T v)


class Asinh(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).arcsinh(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d asinh(x) = dx / sqrt(x^2 + 1)
        return g * rsqrt(x * x + 1)

    jvp = elementwise           # d asinh = dx / sqrt(x^2 + 1) (diagonal J: J v = J^T v)


class Acosh(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).arccosh(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d acosh(x) = dx / sqrt(x^2 - 1)
        return g * rsqrt(x * x - 1)

    jvp = elementwise           # d acosh = dx / sqrt(x^2 - 1) (diagonal J: J v = J^T v)


class Atanh(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).arctanh(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d atanh(x) = dx / (1 - x^2)
        return g * (1 / (1 - x * x))

    jvp = elementwise           # d atanh = dx / (1 - x^2) (diagonal J: J v = J^T v)


# ---- the public functions (torch.X; Tensor.X and Tensor.X_ call these) -------------------
def tan(input):
    """Tangent, elementwise (torch.tan)."""
    return Tan.apply(check_tensor(input, "tan"))


def asin(input):
    """Arcsine; nan outside [-1, 1] (torch.asin)."""
    return Asin.apply(check_tensor(input, "asin"))


def acos(input):
    """Arccosine; nan outside [-1, 1] (torch.acos)."""
    return Acos.apply(check_tensor(input, "acos"))


def atan(input):
    """Arctangent (torch.atan)."""
    return Atan.apply(check_tensor(input, "atan"))


def sinh(input):
    """Hyperbolic sine (torch.sinh)."""
    return Sinh.apply(check_tensor(input, "sinh"))


def cosh(input):
    """Hyperbolic cosine (torch.cosh)."""
    return Cosh.apply(check_tensor(input, "cosh"))


def asinh(input):
    """Inverse hyperbolic sine (torch.asinh)."""
    return Asinh.apply(check_tensor(input, "asinh"))


def acosh(input):
    """Inverse hyperbolic cosine; nan below 1 (torch.acosh)."""
    return Acosh.apply(check_tensor(input, "acosh"))


def atanh(input):
    """Inverse hyperbolic tangent; +-inf at +-1, nan outside (torch.atanh)."""
    return Atanh.apply(check_tensor(input, "atanh"))
