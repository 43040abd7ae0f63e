"""Elementwise exp/log/power math and the error function (issue 15):
log1p, expm1, log2, log10, exp2, rsqrt, reciprocal, square, erf, erfc, erfinv.

Float math on bool/int tensors runs in the default float dtype, as torch's; square keeps an
integer dtype (bool squares to int64). Each backward is torch's formula written with
differentiable ops, so double backward works. Out-of-domain inputs give nan/inf silently,
as in torch (NumPy's warnings are switched off in the forwards).

    log1p' = 1 / (1 + x)         expm1' = y + 1          log2' = 1 / (x ln 2)
    log10' = 1 / (x ln 10)       exp2'  = y ln 2         rsqrt' = -y^3 / 2
    reciprocal' = -y^2           square' = 2 x
    erf'  =  2/sqrt(pi) exp(-x^2)     erfc' = -2/sqrt(pi) exp(-x^2)
    erfinv' = sqrt(pi)/2 exp(y^2)
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op
from ..backend import array_module
from ..forward_ad import elementwise
from .checks import need_tensor
from .unary import _float_in as float_in

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)


def quiet():
    """NumPy's warnings off: log(0) = -inf and sqrt(-1) = nan silently, as in torch."""
    return np.errstate(all="ignore")


def check_tensor(input, op):
    """torch's TypeError for a non-Tensor input (torch.log1p(1.0))."""
    need_tensor(op, input, "input", 1)
    return input


def _special(name):
    """scipy.special.<name> for NumPy arrays, cupyx.scipy.special.<name> for CuPy arrays."""
    def fn(x):
        if array_module(x).__name__ == "numpy":
            import scipy.special as sp  # lazy: only these ops need scipy
        else:
            import cupyx.scipy.special as sp
        # float16 has no loop of its own: computed in float32, rounded back (torch's opmath)
        y = getattr(sp, name)(x.astype("float32") if x.dtype == np.float16 else x)
        return y.astype(x.dtype, copy=False)
    return fn


_erf, _erfc, _erfinv = _special("erf"), _special("erfc"), _special("erfinv")


class Log1p(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).log1p(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d log(1 + x) = dx / (x + 1)
        return g / (x + 1)

    jvp = elementwise           # d log1p = dx / (1 + x) (diagonal J: J v = J^T v)


class Expm1(Op):
    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = array_module(x).expm1(float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d (e^x - 1) = e^x dx = (y + 1) dx
        return g * (y + 1)

    jvp = elementwise           # d expm1 = (y + 1) dx (diagonal J: J v = J^T v)


class Log2(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).log2(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d log2(x) = dx / (x ln 2)
        return g / (x * _LN2)

    jvp = elementwise           # d log2 = dx / (x ln 2) (diagonal J: J v = J^T v)


class Log10(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with quiet():
            return array_module(x).log10(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d log10(x) = dx / (x ln 10)
        return g / (x * _LN10)

    jvp = elementwise           # d log10 = dx / (x ln 10) (diagonal J: J v = J^T v)


class Exp2(Op):
    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = array_module(x).exp2(float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d 2^x = 2^x ln 2 dx
        return g * y * _LN2

    jvp = elementwise           # d exp2 = y ln 2 dx (diagonal J: J v = J^T v)


class Rsqrt(Op):
    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        with quiet():
            y = xp.reciprocal(xp.sqrt(float_in(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d x^(-1/2) = -x^(-3/2) / 2 dx = -y^3 / 2 dx
        return -0.5 * g * (y * y * y)

    jvp = elementwise           # d rsqrt = -y^3 / 2 dx (diagonal J: J v = J^T v)


class Reciprocal(Op):
    @staticmethod
    def forward(ctx, x):
        with quiet():
            y = array_module(x).reciprocal(float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d (1/x) = -1/x^2 dx = -y^2 dx
        return -g * (y * y)

    jvp = elementwise           # d (1/x) = -y^2 dx (diagonal J: J v = J^T v)


class Square(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        if x.dtype.kind == "b":             # torch: bool squares to int64 (pow(x, 2))
            x = x.astype("int64")
        with quiet():
            return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d x^2 = 2 x dx
        return g * (2 * x)

    jvp = elementwise           # d x^2 = 2 x dx (diagonal J: J v = J^T v)


class Erf(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d erf(x) = 2/sqrt(pi) exp(-x^2) dx
        return _TWO_OVER_SQRT_PI * (-(x * x)).exp() * g

    jvp = elementwise           # d erf = 2/sqrt(pi) exp(-x^2) dx (diagonal J: J v = J^T v)


class Erfc(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erfc(float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d erfc(x) = -2/sqrt(pi) exp(-x^2) dx
        return -_TWO_OVER_SQRT_PI * (-(x * x)).exp() * g

    jvp = elementwise           # d erfc = -2/sqrt(pi) exp(-x^2) dx (diagonal J: J v = J^T v)


class Erfinv(Op):
    @staticmethod
    def forward(ctx, x):
        x = float_in(x)
        y = array_module(x).copysign(_erfinv(x), x)     # odd: erfinv(-0.0) = -0.0, as torch
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d erfinv(x) = sqrt(pi)/2 exp(erfinv(x)^2) dx
        return _HALF_SQRT_PI * (y * y).exp() * g

    jvp = elementwise           # d erfinv = sqrt(pi)/2 exp(y^2) dx (diagonal J: J v = J^T v)


# ---- the public functions (torch.X; Tensor.X and Tensor.X_ call these) -------------------
def log1p(input):
    """log(1 + input), accurate for small input (torch.log1p)."""
    return Log1p.apply(check_tensor(input, "log1p"))


def expm1(input):
    """exp(input) - 1, accurate for small input (torch.expm1)."""
    return Expm1.apply(check_tensor(input, "expm1"))


def log2(input):
    """Base-2 logarithm (torch.log2)."""
    return Log2.apply(check_tensor(input, "log2"))


def log10(input):
    """Base-10 logarithm (torch.log10)."""
    return Log10.apply(check_tensor(input, "log10"))


def exp2(input):
    """2 ** input (torch.exp2)."""
    return Exp2.apply(check_tensor(input, "exp2"))


def rsqrt(input):
    """1 / sqrt(input) (torch.rsqrt)."""
    return Rsqrt.apply(check_tensor(input, "rsqrt"))


def reciprocal(input):
    """1 / input; integer input gives the default float dtype (torch.reciprocal)."""
    return Reciprocal.apply(check_tensor(input, "reciprocal"))


def square(input):
    """input * input; integer dtypes are kept, bool gives int64 (torch.square)."""
    return Square.apply(check_tensor(input, "square"))


def erf(input):
    """The error function (torch.erf)."""
    return Erf.apply(check_tensor(input, "erf"))


def erfc(input):
    """1 - erf(input), accurate for large input (torch.erfc)."""
    return Erfc.apply(check_tensor(input, "erfc"))


def erfinv(input):
    """The inverse error function on [-1, 1]; nan outside (torch.erfinv)."""
    return Erfinv.apply(check_tensor(input, "erfinv"))
