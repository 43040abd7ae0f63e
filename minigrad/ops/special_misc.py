"""The other special functions: entr, erfcx, ndtr, ndtri, log_ndtr, sinc, logit, xlog1py, zeta
(torch.special.X; sinc and logit also torch.X and Tensor.X).

Gradients (derivatives.yaml), written with differentiable ops so double backward works;
forward mode uses the same formulas (torch's auto_element_wise), except zeta's (torch: none):

    entr(x) = -x log x              entr'  = -(1 + log x)
    erfcx(x) = exp(x^2) erfc(x)     erfcx' = 2 x erfcx(x) - 2/sqrt(pi)
    ndtr(x) = (1 + erf(x/sqrt 2))/2 (composed, as torch's; ndtr' follows from erf')
    ndtri' = sqrt(2 pi) exp(ndtri(x)^2 / 2)
    log_ndtr' = exp(-(log_ndtr(x) + x^2/2)) / sqrt(2 pi)
    sinc(x) = sin(pi x)/(pi x), 1 at 0;  sinc' = (pi x cos(pi x) - sin(pi x)) / (pi x^2), 0 at 0
    logit(x, eps) = log(z / (1 - z)), z = x clamped to [eps, 1 - eps];
        logit' = 1 / (x (1 - x)) on [eps, 1 - eps], 0 outside (eps None: nan outside [0, 1])
    xlog1py(x, y) = x log1p(y), 0 where x == 0 (unless y is nan);
        d/dx = log1p(y) (0 where x == 0 and y <= -1),  d/dy = x / (1 + y)
    zeta(x, q) (Hurwitz): d/dq = -x zeta(x + 1, q); d/dx: torch has none ("the derivative for
        'zeta' is not implemented."), and raises the same here
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_ad import elementwise, tangent_sum
from .arith import _grad, _shape
from .checks import need_number
from .compare import where
from .special_base import (binary_in, check_input, finish, overload_check, quiet, unary_in,
                           unary_scipy)
from .special_gamma import hurwitz_zeta
from .unary_math import erf

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


class Entr(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return unary_scipy(x, "entr", "entr", "special_entr")

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d (-x log x) = -(1 + log x) dx
        return g * -(1 + x.log())

    jvp = elementwise           # d entr = -(1 + log x) dx (diagonal J: J v = J^T v)


class Erfcx(Op):
    @staticmethod
    def forward(ctx, x):
        y = unary_scipy(x, "erfcx", "erfcx", "special_erfcx", half=False)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors            # d erfcx(x) = (2 x erfcx(x) - 2/sqrt(pi)) dx
        return (2.0 * x * y - _TWO_OVER_SQRT_PI) * g

    jvp = elementwise           # d erfcx = (2 x y - 2/sqrt(pi)) dx (diagonal J)


class Ndtri(Op):
    @staticmethod
    def forward(ctx, x):
        y = unary_scipy(x, "ndtri", "ndtri", "special_ndtri", half=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d ndtri(x) = sqrt(2 pi) exp(y^2 / 2) dx
        return g * _SQRT_2PI * (y.square() / 2).exp()

    jvp = elementwise           # d ndtri = sqrt(2 pi) exp(y^2/2) dx (diagonal J)


class LogNdtr(Op):
    @staticmethod
    def forward(ctx, x):
        y = unary_scipy(x, "log_ndtr", "log_ndtr", "special_log_ndtr", half=False)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors            # d log_ndtr(x) = exp(-(y + x^2/2)) / sqrt(2 pi) dx
        return g / _SQRT_2PI * (-(y + x.pow(2) / 2)).exp()

    jvp = elementwise           # d log_ndtr = exp(-(y + x^2/2)) / sqrt(2 pi) dx (diagonal J)


class Sinc(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a, dt = unary_in(x, "sinc")
        xp = array_module(a)
        with quiet():
            p = a * a.dtype.type(math.pi)
            y = xp.where(a == 0, 1, xp.sin(p) / p)
        return finish(xp, y, dt)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d sinc = (pi x cos(pi x) - sin(pi x)) / (pi x^2)
        px, pxx = x * math.pi, x * x * math.pi
        out = g * ((px * px.cos()) - px.sin()) / pxx
        return where(wrap(pxx.data == 0), 0.0, out)

    jvp = elementwise           # (diagonal J: J v = J^T v)


class Logit(Op):
    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        a, dt = unary_in(x, "logit")
        xp = array_module(a)
        if eps is not None:                 # torch's order: x < lo first, then x > hi
            lo, hi = a.dtype.type(eps), a.dtype.type(1.0 - eps)
            a = xp.where(a < lo, lo, xp.where(a > hi, hi, a))
        with quiet():
            return finish(xp, xp.log(a / (1 - a)), dt)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # dx = g / (x (1 - x)) on [lo, hi], else 0 (nan)
        lo, hi = (0.0, 1.0) if ctx.eps is None else (ctx.eps, 1.0 - ctx.eps)
        inside = wrap((x.data >= lo) & (x.data <= hi))
        return where(inside, g / (x * (1.0 - x)), math.nan if ctx.eps is None else 0.0), None

    jvp = elementwise           # (diagonal J: J v = J^T v)


def _array(x):
    return x.data if hasattr(x, "grad_fn") else x


class Xlog1py(Op):
    """x * log1p(y), 0 where x == 0 (unless y is nan)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.shapes = _shape(x), _shape(y)
        ctx.save_for_backward(x, y)
        a, b, dt, _ = binary_in(x, y, "xlog1py")
        xp = array_module(a)
        with quiet():
            out = xp.where((a == 0) & ~xp.isnan(b), 0, a * xp.log1p(b))
        return finish(xp, out, dt)

    @staticmethod
    def _dx(t, x, y):                       # log1p(y) t, 0 where x == 0 and y <= -1
        xs, ys = _array(x), _array(y)
        off = np.logical_and(xs == 0, ys <= -1)
        off = wrap(array_module(off).asarray(off)) if hasattr(off, "shape") else bool(off)
        return where(off, 0.0, Xlog1py.apply(t, y))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors            # dx = xlog1py(g, y) (0 where x == 0, y <= -1)
        sx, sy = ctx.shapes                 # dy = g x / (1 + y)
        gx = _grad(Xlog1py._dx(g, x, y), sx) if ctx.needs_input_grad[0] else None
        gy = _grad(g * x / (y + 1), sy) if ctx.needs_input_grad[1] else None
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):                   # d xlog1py = log1p(y) dx + x / (1 + y) dy
        x, y = ctx.saved_tensors
        dx = None if tx is None else Xlog1py._dx(tx, x, y)
        dy = None if ty is None else ty * x / (y + 1)
        return tangent_sum(ctx, dx, dy)


class Zeta(Op):
    """The Hurwitz zeta function zeta(x, q) = sum_k (k + q)^-x."""

    @staticmethod
    def forward(ctx, x, q):
        ctx.shapes = _shape(x), _shape(q)
        ctx.save_for_backward(x, q)
        a, b, dt, _ = binary_in(x, q, "zeta", half=False)
        xp = array_module(a)
        with quiet():                       # torch: float32 computes in double (its acc type)
            y = hurwitz_zeta(xp, a.astype(np.float64), b.astype(np.float64), "special_zeta")
        return finish(xp, y, dt)

    @staticmethod
    def backward(ctx, g):
        x, q = ctx.saved_tensors            # dq = -g x zeta(x + 1, q); dx: not in torch
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, _grad(g * -x * Zeta.apply(x + 1.0, q), ctx.shapes[1])

    @staticmethod
    def jvp(ctx, tx, tq):                   # torch has no forward derivative for zeta
        raise NotImplementedError("Trying to use forward AD with special_zeta that does not "
                                  "support it because it has not been implemented yet.")


# ---- the public functions (torch.special.X; torch.sinc/logit and Tensor methods) ---------
def entr(input):
    """-x log x elementwise, 0 at 0 and -inf below (torch.special.entr)."""
    return Entr.apply(check_input("special_entr", input))


def erfcx(input):
    """exp(x^2) erfc(x) without overflow (torch.special.erfcx)."""
    return Erfcx.apply(check_input("special_erfcx", input))


def ndtr(input):
    """The standard normal CDF, (1 + erf(x / sqrt 2)) / 2 as torch composes it
    (torch.special.ndtr)."""
    return (1 + erf(check_input("special_ndtr", input) * math.sqrt(0.5))) * 0.5


def ndtri(input):
    """The inverse of ndtr on (0, 1) (torch.special.ndtri)."""
    return Ndtri.apply(check_input("special_ndtri", input))


def log_ndtr(input):
    """log(ndtr(x)), accurate far in the lower tail (torch.special.log_ndtr)."""
    return LogNdtr.apply(check_input("special_log_ndtr", input))


def sinc(input):
    """sin(pi x) / (pi x), 1 at 0 (torch.sinc, torch.special.sinc)."""
    return Sinc.apply(check_input("sinc", input))


def logit(input, eps=None):
    """log(x / (1 - x)), x clamped to [eps, 1 - eps] when eps is given (torch.logit)."""
    check_input("logit", input)
    if eps is not None:
        if hasattr(eps, "grad_fn") and eps.numel() == 1:
            eps = eps.item()                # torch takes a 1-element tensor as a float
        if isinstance(eps, (bool, np.bool_)):
            raise TypeError("logit(): argument 'eps' must be float, not bool")
        eps = float(need_number("logit", eps, "eps", 2))
    return Logit.apply(input, eps)


def xlog1py(input, other):
    """input * log1p(other), 0 where input == 0 (torch.special.xlog1py); either argument may
    be a number."""
    overload_check("special_xlog1py", ("input", "other"), input, other)
    return Xlog1py.apply(input, other)


def zeta(input, other):
    """The Hurwitz zeta function zeta(input, other) (torch.special.zeta); either argument may
    be a number. Differentiable in `other` only, as torch's."""
    overload_check("special_zeta", ("input", "other"), input, other)
    return Zeta.apply(input, other)


def expit(input):
    """The logistic sigmoid (torch.special.expit)."""
    from .functional import sigmoid
    check_input("special_expit", input)
    return sigmoid(input)


def special_round(input, *, decimals=0):
    """torch.special.round: as torch.round, but integer and bool tensors are refused (its
    kernel is float-only)."""
    from .rounding import round as _round
    check_input("special_round", input)
    if input.dtype.kind != "f":
        from .arith import torch_name
        raise NotImplementedError(f'"round_vml_cpu" not implemented for '
                                  f"'{torch_name(input.dtype)}'")
    return _round(input, decimals=decimals)

