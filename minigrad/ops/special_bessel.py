"""Bessel and Airy functions: torch.i0 and torch.special.i0/i0e/i1/i1e (differentiable), and
torch.special's airy_ai, bessel_j0/j1/y0/y1, modified_bessel_i0/i1/k0/k1,
scaled_modified_bessel_k0/k1 and spherical_bessel_j0, which torch marks non_differentiable
(their outputs never require grad, in reverse or forward mode) and has no float16 kernel for.
airy_ai and bessel_j0/j1/y0/y1 run torch's own approximations (special_bessel_torch.py: they
differ from scipy's in the 5th digit in places); the others are scipy's (torch's are Cephes').

Gradients (derivatives.yaml), written with differentiable ops (double backward works):

    i0'  = i1                  i0e' = i1e - sgn(x) i0e
    i1'  = i0 - i1 / x         i1e' = i0e - i1e (sgn(x) + 1 / x)
    (i1' and i1e' are 1/2 where |x| <= the dtype's eps, their limit at 0, as torch's)
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_ad import elementwise
from .compare import where
from . import special_bessel_torch as T
from .special_base import (NonDifferentiable, check_input, finish, quiet, scipy_fn, unary_in,
                           unary_scipy)


class I0(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return unary_scipy(x, "i0", "i0", "i0")

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d i0(x) = i1(x) dx
        return g * I1.apply(x)

    jvp = elementwise           # d i0 = i1(x) dx (diagonal J: J v = J^T v)


class I0e(Op):
    @staticmethod
    def forward(ctx, x):
        y = unary_scipy(x, "i0e", "special_i0e", "special_i0e")
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors            # d i0e(x) = (i1e(x) - sgn(x) i0e(x)) dx
        return g * (I1e.apply(x) - x.sign() * y)

    jvp = elementwise           # d i0e = (i1e - sgn(x) i0e) dx (diagonal J: J v = J^T v)


def _not_tiny(x):
    """|x| > eps (the dtype's), and x with the tiny entries replaced by eps (torch's)."""
    eps = float(np.finfo(x.dtype).eps)
    big = wrap(abs(x.data) > eps)
    return big, where(big, x, eps)


class I1(Op):
    @staticmethod
    def forward(ctx, x):
        y = unary_scipy(x, "i1", "special_i1", "special_i1")
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors            # d i1(x) = (i0(x) - i1(x) / x) dx; 1/2 at 0
        big, safe = _not_tiny(x)
        return g * where(big, I0.apply(safe) - y * safe.reciprocal(), 0.5)

    jvp = elementwise           # d i1 = (i0 - i1 / x) dx (diagonal J: J v = J^T v)


class I1e(Op):
    @staticmethod
    def forward(ctx, x):
        y = unary_scipy(x, "i1e", "special_i1e", "special_i1e")
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors            # d i1e(x) = (i0e - i1e (sgn(x) + 1/x)) dx; 1/2 at 0
        big, safe = _not_tiny(x)
        return g * where(big, I0e.apply(safe) - y * (safe.sign() + safe.reciprocal()), 0.5)

    jvp = elementwise           # d i1e = (i0e - i1e (sgn + 1/x)) dx (diagonal J)


# ---- the non-differentiable ones (no half kernel in torch) --------------------------------
def _plain(x, name, kernel):
    a, dt = unary_in(x, kernel, half=False)
    return finish(array_module(x), scipy_fn(x, name, kernel)(a), dt)


def _ported(x, fn, kernel):
    """torch's own algorithm (special_bessel_torch.py) in the input's float dtype."""
    a, dt = unary_in(x, kernel, half=False)
    with quiet():
        return finish(array_module(x), fn(array_module(a), a), dt)


def _spherical_j0(x):
    """torch's spherical_bessel_j0: 0 at +-inf, a Taylor polynomial below 1/2, else sin/x."""
    a, dt = unary_in(x, "spherical_bessel_j0", half=False)
    xp = array_module(a)
    t = a * a
    poly = 1 + t * (-1 / 6 + t * (1 / 120 + t * (-1 / 5040 + t * (
        1 / 362880 + t * (-1 / 39916800 + t * (1 / 6227020800))))))
    y = xp.where(xp.abs(a) < 0.5, poly, xp.sin(a) / a)
    return finish(xp, xp.where(xp.isinf(a), 0, y), dt)


class AiryAi(NonDifferentiable):
    @staticmethod
    def math(x): return _ported(x, T.airy_ai, "airy_ai")


class BesselJ0(NonDifferentiable):
    @staticmethod
    def math(x): return _ported(x, T.j0, "bessel_j0")


class BesselJ1(NonDifferentiable):
    @staticmethod
    def math(x): return _ported(x, T.j1, "bessel_j1")


class BesselY0(NonDifferentiable):
    @staticmethod
    def math(x): return _ported(x, T.y0, "bessel_y0")


class BesselY1(NonDifferentiable):
    @staticmethod
    def math(x): return _ported(x, T.y1, "bessel_y1")


class ModifiedBesselI0(NonDifferentiable):
    @staticmethod
    def math(x): return _plain(x, "i0", "modified_bessel_i0")


class ModifiedBesselI1(NonDifferentiable):
    @staticmethod
    def math(x): return _plain(x, "i1", "modified_bessel_i1")


class ModifiedBesselK0(NonDifferentiable):
    @staticmethod
    def math(x): return _plain(x, "k0", "modified_bessel_k0")


class ModifiedBesselK1(NonDifferentiable):
    @staticmethod
    def math(x): return _plain(x, "k1", "modified_bessel_k1")


class ScaledModifiedBesselK0(NonDifferentiable):
    @staticmethod
    def math(x): return _plain(x, "k0e", "scaled_modified_bessel_k0")


class ScaledModifiedBesselK1(NonDifferentiable):
    @staticmethod
    def math(x): return _plain(x, "k1e", "scaled_modified_bessel_k1")


class SphericalBesselJ0(NonDifferentiable):
    @staticmethod
    def math(x): return _spherical_j0(x)


# ---- the public functions (torch.i0, torch.special.X; Tensor.i0 and i0_ call these) -------
def i0(input):
    """The modified Bessel function of the first kind, order 0 (torch.i0, torch.special.i0)."""
    return I0.apply(check_input("i0", input))


def i0e(input):
    """exp(-|x|) i0(x), without overflow (torch.special.i0e)."""
    return I0e.apply(check_input("special_i0e", input))


def i1(input):
    """The modified Bessel function of the first kind, order 1 (torch.special.i1)."""
    return I1.apply(check_input("special_i1", input))


def i1e(input):
    """exp(-|x|) i1(x), without overflow (torch.special.i1e)."""
    return I1e.apply(check_input("special_i1e", input))


def airy_ai(input):
    """The Airy function Ai; not differentiable, as torch's (torch.special.airy_ai)."""
    return AiryAi.apply(check_input("special_airy_ai", input))


def bessel_j0(input):
    """The Bessel function of the first kind, order 0 (torch.special.bessel_j0)."""
    return BesselJ0.apply(check_input("special_bessel_j0", input))


def bessel_j1(input):
    """The Bessel function of the first kind, order 1 (torch.special.bessel_j1)."""
    return BesselJ1.apply(check_input("special_bessel_j1", input))


def bessel_y0(input):
    """The Bessel function of the second kind, order 0 (torch.special.bessel_y0)."""
    return BesselY0.apply(check_input("special_bessel_y0", input))


def bessel_y1(input):
    """The Bessel function of the second kind, order 1 (torch.special.bessel_y1)."""
    return BesselY1.apply(check_input("special_bessel_y1", input))


def modified_bessel_i0(input):
    """I_0, not differentiable (torch.special.modified_bessel_i0; i0 is the differentiable
    one)."""
    return ModifiedBesselI0.apply(check_input("special_modified_bessel_i0", input))


def modified_bessel_i1(input):
    """I_1, not differentiable (torch.special.modified_bessel_i1)."""
    return ModifiedBesselI1.apply(check_input("special_modified_bessel_i1", input))


def modified_bessel_k0(input):
    """K_0, the modified Bessel function of the second kind (torch.special.modified_bessel_k0)."""
    return ModifiedBesselK0.apply(check_input("special_modified_bessel_k0", input))


def modified_bessel_k1(input):
    """K_1 (torch.special.modified_bessel_k1)."""
    return ModifiedBesselK1.apply(check_input("special_modified_bessel_k1", input))


def scaled_modified_bessel_k0(input):
    """exp(x) K_0(x) (torch.special.scaled_modified_bessel_k0)."""
    return ScaledModifiedBesselK0.apply(check_input("special_scaled_modified_bessel_k0",
                                                    input))


def scaled_modified_bessel_k1(input):
    """exp(x) K_1(x) (torch.special.scaled_modified_bessel_k1)."""
    return ScaledModifiedBesselK1.apply(check_input("special_scaled_modified_bessel_k1",
                                                    input))


def spherical_bessel_j0(input):
    """sin(x) / x, the spherical Bessel function j_0 (torch.special.spherical_bessel_j0)."""
    return SphericalBesselJ0.apply(check_input("special_spherical_bessel_j0", input))
