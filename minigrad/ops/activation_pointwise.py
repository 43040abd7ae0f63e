"""Piecewise activations: elu/selu/celu, leaky_relu, rrelu, hardtanh/relu6, hardswish,
hardsigmoid, threshold, hardshrink, softshrink, and their in-place forms.

Each is one Pointwise node: y = f(x) computed on the arrays, and backward g * f'(x) with f'
written with Tensor ops, so the second derivative follows from f'. At a kink f' takes the
value torch's kernel gives, as a constant, so the second derivative there is 0 as in torch:

    elu(x)       = scale * x (x > 0),  scale * alpha * expm1(x * input_scale) (x <= 0)
    leaky_relu   = x (x > 0),  slope * x;      rrelu: slope ~ U[lower, upper) per element
    hardtanh     = clamp(x, min_val, max_val); f' = 1 inside the open interval, else 0
    hardswish    = x * clamp(x + 3, 0, 6) / 6; f' = x / 3 + 1/2 on (-3, 3), 1 from 3 on
    hardsigmoid  = clamp(x + 3, 0, 6) / 6
    threshold    = x (x > threshold), value;   hardshrink = 0 on [-l, l], x elsewhere
    softshrink   = x - l (x > l), x + l (x < -l), 0
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module, rng
from ..forward_ad import elementwise
from .arith import torch_name
from .checks import need_bool, need_number, need_tensor
from .compare import where
from .inplace import update

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class Pointwise(Op):
    """y = f(xp, x) elementwise; backward g * df(x), df written with Tensor ops. `zero(xp, x)`,
    when given, marks where the gradient is 0 whatever g is (torch's piecewise backwards
    select there: an inf or NaN arriving from above does not become NaN)."""

    @staticmethod
    def forward(ctx, x, f, df, zero=None):
        ctx.df = df
        ctx.zero = None if zero is None else zero(array_module(x), x)
        ctx.save_for_backward(x)
        xp = array_module(x)
        a = x.astype("float32") if x.dtype == "float16" else x    # torch computes half in float
        with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN as torch's, in silence
            return xp.asarray(f(xp, a), dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors                  # dx = g * f'(x)
        dx = g * ctx.df(x)
        if ctx.zero is not None:
            dx = where(wrap(ctx.zero), 0.0, dx)
        return dx, None, None, None

    jvp = elementwise           # d f(x) = f'(x) dx (diagonal J: J v = J^T v)


class PointwiseOnResult(Pointwise):
    """Pointwise whose backward reads the result y (df takes y): torch's in-place elu_,
    leaky_relu_ and rrelu_ save their result, so writing into it again before backward is
    an error there, and here."""

    @staticmethod
    def forward(ctx, x, f, df, zero=None):
        ctx.df, ctx.zero = df, None
        xp = array_module(x)
        a = x.astype("float32") if x.dtype == "float16" else x
        with np.errstate(over="ignore", invalid="ignore"):
            y = xp.asarray(f(xp, a), dtype=x.dtype)
        ctx.save_for_backward(y)
        return y


def _const(x, array):
    """A constant Tensor of x's dtype (a derivative with no second derivative)."""
    return wrap(array_module(x.data).asarray(array, dtype=x.dtype))


def need_float_input(fn, input, kernel=None):
    """torch's error for an integer or bool input to a floating-point-only activation."""
    need_tensor(fn, input, "input", 1)
    if input.dtype.kind != "f":
        raise NotImplementedError(f'{fn}: "{kernel or fn}" not implemented for '
                                  f"'{torch_name(input.dtype)}' (a floating point input is "
                                  "required)")


def _run(input, inplace, fn, compute):
    """compute(input) out of place, or written into input (torch's in-place semantics)."""
    if inplace:
        return update(input, compute, fn)
    return compute(input)


# ---- elu, selu, celu --------------------------------------------------------------------------
def _elu(x, alpha, scale, input_scale, in_place=False):
    neg_coef = alpha * scale

    def f(xp, a):
        return xp.where(a > 0, a * scale, xp.expm1(a * input_scale) * neg_coef)

    def df(t):
        a = t.data
        xp = array_module(a)
        neg = wrap(a < 0)                       # at 0: the negative branch's slope, constant
        safe = where(neg, t, 0.0)               # no exp overflow in the unused branch
        return where(neg, (safe * input_scale).exp() * (neg_coef * input_scale),
                     _const(t, xp.where(a > 0, scale, neg_coef * input_scale)))

    def df_of_result(y):                        # f' = input_scale (y + alpha scale) for y <= 0
        if alpha < 0:
            raise RuntimeError("In-place elu backward calculation is triggered with a negative "
                               "slope which is not supported. This is caused by calling "
                               "in-place forward function with a negative slope, please call "
                               "out-of-place version instead.")
        a = y.data                              # (at y == 0 a constant, as torch's y < 0)
        return where(wrap(a < 0), (y + neg_coef) * input_scale,
                     _const(y, array_module(a).where(a > 0, scale, neg_coef * input_scale)))
    if in_place:
        return PointwiseOnResult.apply(x, f, df_of_result)
    return Pointwise.apply(x, f, df)


def elu(input, alpha=1.0, inplace=False):
    """scale * (x if x > 0 else alpha * (exp(x) - 1)); matches torch.nn.functional.elu."""
    need_float_input("elu", input, "elu_cpu")
    need_number("elu", alpha, "alpha", 2)
    return _run(input, inplace, "elu_", lambda t: _elu(t, alpha, 1.0, 1.0, inplace))


def elu_(input, alpha=1.0):
    """In-place elu; matches torch.nn.functional.elu_."""
    return elu(input, alpha, True)


def selu(input, inplace=False):
    """elu with torch's fixed alpha and scale; matches torch.nn.functional.selu."""
    need_float_input("selu", input, "elu_cpu")
    return _run(input, inplace, "selu_",
                lambda t: _elu(t, SELU_ALPHA, SELU_SCALE, 1.0, inplace))


def selu_(input):
    """In-place selu; matches torch.selu_."""
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)); matches torch.nn.functional.celu."""
    need_float_input("celu", input, "elu_cpu")
    need_number("celu", alpha, "alpha", 2)
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    return _run(input, inplace, "celu_", lambda t: _elu(t, alpha, 1.0, 1.0 / alpha, inplace))


def celu_(input, alpha=1.0):
    """In-place celu; matches torch.celu_."""
    return celu(input, alpha, True)


# ---- leaky_relu, rrelu -----------------------------------------------------------------------
def _leaky(x, slope, in_place=False):
    def df(t):
        if in_place and slope < 0:
            raise RuntimeError("In-place leakyReLu backward calculation is triggered with a "
                               "negative slope which is not supported. This is caused by "
                               "calling in-place forward function with a negative slope, "
                               "please call out-of-place version instead.")
        return _const(t, array_module(t.data).where(t.data > 0, 1.0, slope))
    apply = PointwiseOnResult.apply if in_place else Pointwise.apply   # (y > 0 iff x > 0)
    return apply(x, lambda xp, a: xp.where(a > 0, a, a * slope), df)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x; matches torch.nn.functional.leaky_relu."""
    need_float_input("leaky_relu", input, "leaky_relu_cpu")
    need_number("leaky_relu", negative_slope, "negative_slope", 2)
    return _run(input, inplace, "leaky_relu_", lambda t: _leaky(t, negative_slope, inplace))


def leaky_relu_(input, negative_slope=0.01):
    """In-place leaky_relu; matches torch.nn.functional.leaky_relu_."""
    return leaky_relu(input, negative_slope, True)


def _rrelu_noise(x, lower, upper, generator=None):
    """Per element: a slope drawn from U[lower, upper) where x <= 0, else 1 (torch's noise)."""
    a = x.data
    xp = array_module(a)
    dtype = a.dtype if a.dtype.itemsize >= 4 else "float32"
    draw = rng(xp, generator).random(a.shape, dtype=dtype) * (upper - lower) + lower
    return xp.where(a <= 0, draw, 1.0).astype(a.dtype)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False, *,
          generator=None):
    """Leaky relu with a random slope U[lower, upper) per element while training, the mean
    slope (lower + upper) / 2 otherwise; matches torch.nn.functional.rrelu."""
    need_float_input("rrelu", input, "leaky_relu_cpu")
    need_number("rrelu", lower, "lower", 2)
    need_number("rrelu", upper, "upper", 3)
    need_bool("rrelu", training, "training", 4)
    if not inplace:                             # (torch checks this out of place only)
        for name, v in (("lower", lower), ("upper", upper)):
            if not math.isfinite(v):
                raise RuntimeError(f"rrelu: {name} bound must be finite, got {v}")
    if not lower <= upper:
        raise RuntimeError(f"rrelu: Lower bound should be less than or equal to the upper "
                           f"bound, got lower={lower}, upper={upper}")
    if not training:
        slope = (lower + upper) / 2
        return _run(input, inplace, "rrelu_", lambda t: _leaky(t, slope, inplace))

    def compute(t):
        noise = _rrelu_noise(t, lower, upper, generator)
        apply = PointwiseOnResult.apply if inplace else Pointwise.apply
        return apply(t, lambda xp, a: a * noise, lambda s: _const(s, noise))
    return _run(input, inplace, "rrelu_", compute)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place rrelu; matches torch.nn.functional.rrelu_."""
    return rrelu(input, lower, upper, training, True)


# ---- hardtanh, relu6, hardswish, hardsigmoid ----------------------------------------------------
def _int_bound(x, v, fn):
    """torch casts a scalar to an integer input's dtype by truncation."""
    if x.dtype.kind not in "iu":
        return v
    info = np.iinfo(x.dtype)
    if not (math.isfinite(v) and info.min <= int(v) <= info.max):
        raise RuntimeError(f"{fn}: value {v} cannot be converted to type {x.dtype} without "
                           "overflow")
    return int(v)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val), gradient 1 strictly inside; matches F.hardtanh."""
    return _hardtanh("hardtanh", input, min_val, max_val, inplace)


def _hardtanh(fn, input, min_val, max_val, inplace, check=True):
    need_tensor(fn, input, "input", 1)
    need_number(fn, min_val, "min_val", 2)
    need_number(fn, max_val, "max_val", 3)
    if check and min_val > max_val:             # (hardtanh_ skips it: all become max_val)
        raise ValueError(f"{fn}: min_val cannot be greater than max_val, got min_val={min_val}, "
                         f"max_val={max_val}")
    if input.dtype.kind == "b":
        raise RuntimeError(f"{fn}: Bool inputs not supported for hardtanh")
    lo, hi = _int_bound(input, min_val, fn), _int_bound(input, max_val, fn)

    def compute(t):
        return Pointwise.apply(t, lambda xp, a: xp.minimum(xp.maximum(a, lo), hi),
                               lambda s: _const(s, 1.0), lambda xp, a: (a <= lo) | (a >= hi))
    return _run(input, inplace, f"{fn}_", compute)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place hardtanh; matches torch.nn.functional.hardtanh_ (which does not check
    min_val <= max_val: every element becomes max_val then)."""
    return _hardtanh("hardtanh", input, min_val, max_val, True, check=False)


def relu6(input, inplace=False):
    """min(max(x, 0), 6) (hardtanh(0, 6)); matches torch.nn.functional.relu6."""
    return _hardtanh("relu6", input, 0.0, 6.0, inplace)


def _hardswish_grad(t):          # torch's: x/3 + 1/2 on (-3, 3), 1 from 3 (0 to -3: `zero`)
    return where(wrap(t.data < 3), t / 3 + 0.5, _const(t, 1.0))


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6; matches torch.nn.functional.hardswish."""
    need_float_input("hardswish", input, "hardswish_cpu")
    return _run(input, inplace, "hardswish_", lambda t: Pointwise.apply(
        t, lambda xp, a: a * xp.minimum(xp.maximum(a + 3, 0), 6) / 6, _hardswish_grad,
        lambda xp, a: a <= -3))


_SIXTH_F32 = 0.1666666716337204    # float32(1/6): torch's hardsigmoid gradient multiplies by it


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6; matches torch.nn.functional.hardsigmoid (whose gradient uses 1/6
    rounded to float32, also for float64: reproduced here)."""
    need_float_input("hardsigmoid", input, "hardsigmoid_cpu")
    return _run(input, inplace, "hardsigmoid_", lambda t: Pointwise.apply(
        t, lambda xp, a: xp.minimum(xp.maximum(a + 3, 0), 6) / 6,
        lambda s: _const(s, _SIXTH_F32), lambda xp, a: ~((a > -3) & (a < 3))))


# ---- threshold, hardshrink, softshrink ------------------------------------------------------
def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value; matches torch.nn.functional.threshold."""
    return _threshold(input, threshold, value, inplace)


def _threshold(input, th, value, inplace):
    need_tensor("threshold", input, "input", 1)
    need_number("threshold", th, "threshold", 2)
    need_number("threshold", value, "value", 3)
    if input.dtype.kind == "b":
        raise NotImplementedError("threshold: \"threshold_cpu\" not implemented for 'Bool'")
    th, v = _int_bound(input, th, "threshold"), _int_bound(input, value, "threshold")

    def compute(t):                     # (NaN is kept, as torch's x <= threshold test does)
        return Pointwise.apply(t, lambda xp, a: xp.where(a <= th, v, a),
                               lambda s: _const(s, 1.0), lambda xp, a: a <= th)
    return _run(input, inplace, "threshold_", compute)


def threshold_(input, threshold, value):
    """In-place threshold; matches torch.nn.functional.threshold_."""
    return _threshold(input, threshold, value, True)


def _shrunk(a, lambd):
    """Where hardshrink and softshrink give 0 (NaN is not: it passes through)."""
    return (a >= -lambd) & (a <= lambd)


def hardshrink(input, lambd=0.5):
    """0 where -lambd <= x <= lambd, else x; matches torch.nn.functional.hardshrink."""
    need_float_input("hardshrink", input, "hardshrink_cpu")
    need_number("hardshrink", lambd, "lambd", 2)
    return Pointwise.apply(input, lambda xp, a: xp.where(_shrunk(a, lambd), 0, a),
                           lambda s: _const(s, 1.0), lambda xp, a: _shrunk(a, lambd))


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, else 0; matches F.softshrink."""
    need_float_input("softshrink", input, "softshrink_check")
    need_number("softshrink", lambd, "lambd", 2)
    top = float(np.finfo(input.dtype).max)
    if not 0 <= lambd <= top:
        raise RuntimeError(f"softshrink: lambda must be in range [0, {top:g}] for input dtype "
                           f"{torch_name(input.dtype)}, but found {lambd}")

    def f(xp, a):
        return xp.where(a > lambd, a - lambd, xp.where(a < -lambd, a + lambd, a * 0))
    return Pointwise.apply(input, f, lambda s: _const(s, 1.0), lambda xp, a: _shrunk(a, lambd))
