"""torch's elementwise aliases and small unary ops: deg2rad, rad2deg, positive, fix (trunc),
greater/greater_equal/less/less_equal/not_equal (gt/ge/lt/le/ne), arccos/arcsin/arctan/
arccosh/arcsinh/arctanh (acos/...), and the top-level in-place forms torch exposes
(torch.abs_(x) is x.abs_()).

    deg2rad(x) = x * pi / 180     d/dx = pi / 180     (integers and bool: the default float)
    rad2deg(x) = x * 180 / pi     d/dx = 180 / pi
    positive(x) = x               (the input itself, as torch's; bool refused)
The aliases are the same functions as the names they alias, so they share their derivatives.
"""
from __future__ import annotations

import math

from ..backend import get_default_dtype
from .checks import need_tensor
from .functional import ge, gt, le, lt, ne
from .rounding import trunc
from .trig import acos, acosh, asin, asinh, atan, atanh

_DEG2RAD = math.pi / 180.0
_RAD2DEG = 180.0 / math.pi


def _float(input, fn):
    need_tensor(fn, input, "input", 1)
    return input if input.dtype.kind == "f" else input.to(get_default_dtype())


def deg2rad(input):
    """Degrees to radians, input * pi / 180 (torch.deg2rad)."""
    return _float(input, "deg2rad") * _DEG2RAD


def rad2deg(input):
    """Radians to degrees, input * 180 / pi (torch.rad2deg)."""
    return _float(input, "rad2deg") * _RAD2DEG


def positive(input):
    """The input itself (torch.positive); bool tensors are refused, as torch's `+x`."""
    need_tensor("positive", input, "input", 1)
    if input.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


fix = trunc
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
arccos, arcsin, arctan, arccosh, arcsinh, arctanh = acos, asin, atan, acosh, asinh, atanh


# ---- top-level in-place forms: torch.<name>_(input, ...) is input.<name>_(...) ----------------
def _self(input, fn):
    need_tensor(fn, input, "input", 1)
    return input


def abs_(input): return _self(input, "abs_").abs_()
def acos_(input): return _self(input, "acos_").acos_()
def acosh_(input): return _self(input, "acosh_").acosh_()
def asin_(input): return _self(input, "asin_").asin_()
def asinh_(input): return _self(input, "asinh_").asinh_()
def atan_(input): return _self(input, "atan_").atan_()
def atanh_(input): return _self(input, "atanh_").atanh_()
def arccos_(input): return _self(input, "arccos_").acos_()
def arccosh_(input): return _self(input, "arccosh_").acosh_()
def arcsin_(input): return _self(input, "arcsin_").asin_()
def arcsinh_(input): return _self(input, "arcsinh_").asinh_()
def arctan_(input): return _self(input, "arctan_").atan_()
def arctanh_(input): return _self(input, "arctanh_").atanh_()
def ceil_(input): return _self(input, "ceil_").ceil_()
def cos_(input): return _self(input, "cos_").cos_()
def cosh_(input): return _self(input, "cosh_").cosh_()
def deg2rad_(input): return _self(input, "deg2rad_").deg2rad_()
def erf_(input): return _self(input, "erf_").erf_()
def erfc_(input): return _self(input, "erfc_").erfc_()
def exp_(input): return _self(input, "exp_").exp_()
def exp2_(input): return _self(input, "exp2_").exp2_()
def expm1_(input): return _self(input, "expm1_").expm1_()
def fix_(input): return _self(input, "fix_").trunc_()
def floor_(input): return _self(input, "floor_").floor_()
def frac_(input): return _self(input, "frac_").frac_()
def log_(input): return _self(input, "log_").log_()
def log10_(input): return _self(input, "log10_").log10_()
def log1p_(input): return _self(input, "log1p_").log1p_()
def log2_(input): return _self(input, "log2_").log2_()
def neg_(input): return _self(input, "neg_").neg_()
def negative_(input): return _self(input, "negative_").neg_()
def reciprocal_(input): return _self(input, "reciprocal_").reciprocal_()
def rsqrt_(input): return _self(input, "rsqrt_").rsqrt_()
def sigmoid_(input): return _self(input, "sigmoid_").sigmoid_()
def sin_(input): return _self(input, "sin_").sin_()
def sinh_(input): return _self(input, "sinh_").sinh_()
def sqrt_(input): return _self(input, "sqrt_").sqrt_()
def square_(input): return _self(input, "square_").square_()
def tan_(input): return _self(input, "tan_").tan_()
def tanh_(input): return _self(input, "tanh_").tanh_()
def trunc_(input): return _self(input, "trunc_").trunc_()
def zero_(input): return _self(input, "zero_").zero_()
def fill_(input, value): return _self(input, "fill_").fill_(value)
def xlogy_(input, other): return _self(input, "xlogy_").xlogy_(other)
def gcd_(input, other): return _self(input, "gcd_").gcd_(other)
def lcm_(input, other): return _self(input, "lcm_").lcm_(other)
def ldexp_(input, other): return _self(input, "ldexp_").ldexp_(other)
def clamp_min_(input, min): return _self(input, "clamp_min_").clamp_min_(min)
def clamp_max_(input, max): return _self(input, "clamp_max_").clamp_max_(max)


def round_(input, *, decimals=0):
    _self(input, "round_")
    if type(decimals) is int and not -2**63 <= decimals < 2**63:
        raise ValueError(f"round_(): argument 'decimals' ({decimals}) is out of range for "
                         "int64 (Overflow when unpacking long long)")
    return input.round_(decimals=decimals)


def clamp_(input, min=None, max=None):
    return _self(input, "clamp_").clamp_(min, max)


def clip_(input, min=None, max=None):
    return _self(input, "clip_").clip_(min, max)


def nan_to_num_(input, nan=0.0, posinf=None, neginf=None):
    return _self(input, "nan_to_num_").nan_to_num_(nan, posinf, neginf)


def addmv_(input, mat, vec, *, beta=1, alpha=1):
    return _self(input, "addmv_").addmv_(mat, vec, beta=beta, alpha=alpha)
