"""Tensor's methods for the ops in ops/binary_special.py, ops/elementwise_aliases.py,
ops/array_utils.py, ops/array_build.py, ops/integrate.py and ops/stats.py (mixed into Tensor
in tensor.py); each calls the op (torch's names). In-place forms write through ops/inplace.py."""
from __future__ import annotations

from .ops import array_build, array_utils, binary_special, elementwise_aliases, inplace
from .ops import integrate, stats


class MiscMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    # ---- elementwise binary special math ----
    def heaviside(self, values): return binary_special.heaviside(self, values)
    def copysign(self, other): return binary_special.copysign(self, other)
    def fmax(self, other): return binary_special.fmax(self, other)
    def fmin(self, other): return binary_special.fmin(self, other)
    def nextafter(self, other): return binary_special.nextafter(self, other)
    def gcd(self, other): return binary_special.gcd(self, other)
    def lcm(self, other): return binary_special.lcm(self, other)
    def ldexp(self, other): return binary_special.ldexp(self, other)
    def float_power(self, exponent): return binary_special.float_power(self, exponent)
    def frexp(self): return binary_special.frexp(self)
    def signbit(self): return binary_special.signbit(self)
    def deg2rad(self): return elementwise_aliases.deg2rad(self)
    def rad2deg(self): return elementwise_aliases.rad2deg(self)
    def positive(self): return elementwise_aliases.positive(self)
    def fix(self): return self.trunc()
    def greater(self, other): return self.gt(other)
    def greater_equal(self, other): return self.ge(other)
    def less(self, other): return self.lt(other)
    def less_equal(self, other): return self.le(other)
    def not_equal(self, other): return self.ne(other)
    def arccos(self): return self.acos()
    def arcsin(self): return self.asin()
    def arctan(self): return self.atan()
    def arccosh(self): return self.acosh()
    def arcsinh(self): return self.asinh()
    def arctanh(self): return self.atanh()

    def heaviside_(self, values):
        return inplace.update(self, lambda t: t.heaviside(values), "heaviside_", values)

    def copysign_(self, o): return inplace.update(self, lambda t: t.copysign(o), "copysign_", o)
    def nextafter_(self, o):
        return inplace.update(self, lambda t: t.nextafter(o), "nextafter_", o)

    def gcd_(self, o): return inplace.update(self, lambda t: t.gcd(o), "gcd_", o)
    def lcm_(self, o): return inplace.update(self, lambda t: t.lcm(o), "lcm_", o)
    def ldexp_(self, o): return inplace.update(self, lambda t: t.ldexp(o), "ldexp_", o)

    def float_power_(self, exponent):
        if self.dtype.name != "float64":
            from .ops.arith import torch_name
            raise RuntimeError(f"the base given to float_power_ has dtype "
                               f"{torch_name(self.dtype)} but the operation's result requires "
                               f"dtype Double")
        return inplace.update(self, lambda t: t.float_power(exponent), "float_power_",
                              exponent)

    def deg2rad_(self): return inplace.update(self, lambda t: t.deg2rad(), "deg2rad_")
    def rad2deg_(self): return inplace.update(self, lambda t: t.rad2deg(), "rad2deg_")
    def fix_(self): return self.trunc_()
    def negative_(self): return self.neg_()
    def arccos_(self): return self.acos_()
    def arcsin_(self): return self.asin_()
    def arctan_(self): return self.atan_()
    def arccosh_(self): return self.acosh_()
    def arcsinh_(self): return self.asinh_()
    def arctanh_(self): return self.atanh_()

    # ---- array utilities ----
    def diff(self, n=1, dim=-1, prepend=None, append=None):
        return integrate.diff(self, n, dim, prepend, append)

    def argwhere(self): return array_utils.argwhere(self)

    def bincount(self, weights=None, minlength=0):
        return array_utils.bincount(self, weights, minlength)

    def histc(self, bins=100, min=0, max=0): return array_utils.histc(self, bins, min, max)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return array_utils.unique_consecutive(self, return_inverse, return_counts, dim)

    def diagflat(self, offset=0): return array_build.diagflat(self, offset)
    def renorm(self, p, dim, maxnorm): return array_build.renorm(self, p, dim, maxnorm)

    def renorm_(self, p, dim, maxnorm):
        return inplace.update(self, lambda t: t.renorm(p, dim, maxnorm), "renorm_")

    def is_floating_point(self): return array_utils.is_floating_point(self)
    def is_complex(self): return array_utils.is_complex(self)
    def is_nonzero(self): return array_utils.is_nonzero(self)
    def is_same_size(self, other): return array_utils.is_same_size(self, other)
    def is_signed(self): return array_utils.is_signed(self)

    # ---- statistics ----
    def cov(self, *, correction=1, fweights=None, aweights=None):
        return stats.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self): return stats.corrcoef(self)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return stats.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
        return stats.nanquantile(self, q, dim, keepdim, interpolation=interpolation)
