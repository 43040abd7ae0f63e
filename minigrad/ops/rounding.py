"""Elementwise sign and rounding (issue 15): sign, sgn, floor, ceil, round(decimals=), trunc,
frac.

Integer dtypes are kept (floor/ceil/round/trunc of an integer is a copy; sign of a bool is the
bool), as torch's; frac refuses integers and floor/ceil/round/trunc refuse bool, with torch's
errors. sign(nan) is 0, as torch's. The gradient of sign and of the rounding functions is 0
everywhere (a constant, as torch's: no graph behind it); frac's is the identity.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from ..autograd import Op
from ..backend import array_module
from ..forward_ad import elementwise
from .arith import torch_name
from .shape import grad_zeros
from .unary_math import check_tensor, quiet


def _zero_grad(g):
    """The gradient of a piecewise-constant function: zeros, with no history (as torch's)."""
    return grad_zeros(g)


def _no_bool(x, kernel):
    if x.dtype.kind == "b":
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


class Sign(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            return x.copy()
        dt = x.dtype                        # (x > 0) - (x < 0): 0 for nan and -0.0, as torch
        return (x > 0).astype(dt) - (x < 0).astype(dt)

    @staticmethod
    def backward(ctx, g):
        return _zero_grad(g)                # d sign = 0 (almost everywhere)

    jvp = elementwise           # d sign = 0 (diagonal J: J v = J^T v)


class Floor(Op):
    @staticmethod
    def forward(ctx, x):
        _no_bool(x, "floor_vml_cpu")
        return array_module(x).floor(x) if x.dtype.kind == "f" else x.copy()

    @staticmethod
    def backward(ctx, g):
        return _zero_grad(g)

    jvp = elementwise           # d floor = 0 (diagonal J: J v = J^T v)


class Ceil(Op):
    @staticmethod
    def forward(ctx, x):
        _no_bool(x, "ceil_vml_cpu")
        return array_module(x).ceil(x) if x.dtype.kind == "f" else x.copy()

    @staticmethod
    def backward(ctx, g):
        return _zero_grad(g)

    jvp = elementwise           # d ceil = 0 (diagonal J: J v = J^T v)


class Trunc(Op):
    @staticmethod
    def forward(ctx, x):
        _no_bool(x, "trunc_vml_cpu")
        return array_module(x).trunc(x) if x.dtype.kind == "f" else x.copy()

    @staticmethod
    def backward(ctx, g):
        return _zero_grad(g)

    jvp = elementwise           # d trunc = 0 (diagonal J: J v = J^T v)


class Round(Op):
    """Half to even; with decimals d: rint(x * 10^d) / 10^d, or rint(x / 10^-d) * 10^-d for
    d < 0, computed in float32 for float16 (torch's formula and precision)."""

    @staticmethod
    def forward(ctx, x, decimals):
        xp = array_module(x)
        if x.dtype.kind != "f":
            _no_bool(x, "round_vml_cpu" if decimals == 0 else "round_cpu")
            if decimals != 0:
                raise NotImplementedError(f'"round_cpu" not implemented for '
                                          f"'{torch_name(x.dtype)}'")
            return x.copy()
        if decimals == 0:
            return xp.rint(x)
        a = x.astype("float32") if x.dtype == np.float16 else x
        d = abs(decimals)
        with quiet():                       # 10^d overflows to inf beyond the dtype, as torch
            ten = xp.asarray(10.0 ** d if d <= 308 else math.inf).astype(a.dtype)
            y = xp.rint(a * ten) / ten if decimals > 0 else xp.rint(a / ten) * ten
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return _zero_grad(g), None

    jvp = elementwise           # d round = 0 (diagonal J: J v = J^T v)


class Frac(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind != "f":
            raise NotImplementedError(f'"frac_cpu" not implemented for \'{torch_name(x.dtype)}\'')
        with quiet():
            return x - array_module(x).trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g                            # d (x - trunc(x)) = dx

    jvp = elementwise           # d frac = dx (diagonal J: J v = J^T v)


# ---- the public functions (torch.X; Tensor.X and Tensor.X_ call these) -------------------
def sign(input):
    """-1, 0 or 1 by the sign of each element, in input's dtype; 0 for nan (torch.sign)."""
    return Sign.apply(check_tensor(input, "sign"))


def sgn(input):
    """sign for real tensors (torch.sgn; minigrad has no complex dtypes)."""
    return Sign.apply(check_tensor(input, "sgn"))


def floor(input):
    """The largest integer <= each element; integer dtypes unchanged (torch.floor)."""
    return Floor.apply(check_tensor(input, "floor"))


def ceil(input):
    """The smallest integer >= each element; integer dtypes unchanged (torch.ceil)."""
    return Ceil.apply(check_tensor(input, "ceil"))


def trunc(input):
    """Each element rounded toward zero; integer dtypes unchanged (torch.trunc)."""
    return Trunc.apply(check_tensor(input, "trunc"))


def round(input, *, decimals: int = 0):
    """Round half to even, to `decimals` decimal places (negative: to tens, hundreds, ...);
    integer dtypes are kept (torch.round)."""
    check_tensor(input, "round")
    try:                            # an int, a NumPy integer or an integer 0-d tensor
        if isinstance(decimals, (bool, np.bool_)):
            raise TypeError
        d = operator.index(decimals)
    except TypeError:
        raise TypeError(f"round(): argument 'decimals' must be int, not "
                        f"{type(decimals).__name__}") from None
    return Round.apply(input, d)


def frac(input):
    """input - trunc(input), keeping the sign; float dtypes only (torch.frac)."""
    return Frac.apply(check_tensor(input, "frac"))
