"""Activations beyond the Tensor methods (relu, sigmoid, tanh live in arith.py):
gelu (exact and tanh), silu, logsigmoid, softplus.

    gelu(x)       = x * Phi(x),  Phi(x) = (1 + erf(x / sqrt 2)) / 2,
                  Phi'(x) = exp(-x^2/2) / sqrt(2 pi)
    gelu_tanh(x)  = x / 2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    silu(x)       = x * sigmoid(x) = x / (1 + exp(-x)),    d/dx = s (1 + x (1 - s))
    logsigmoid(x) = min(x, 0) - log1p(exp(-|x|)),         d/dx = sigmoid(-x)
    softplus(x)   = log1p(exp(beta x)) / beta, or x where beta x > threshold; d/dx = sigmoid(beta x)
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_ad import elementwise
from .activation_pointwise import Pointwise
from .arith import torch_name
from .checks import need_number, need_str, need_tensor
from .compare import where
from .inplace import update

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _erf(x):
    if array_module(x).__name__ == "numpy":
        from scipy.special import erf  # lazy: only gelu needs scipy
    else:
        from cupyx.scipy.special import erf
    return erf(x)


class NormalCdf(Op):
    """Phi(x), the standard normal CDF; its backward is the density, written with ops."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        y = _erf(x * _SQRT_HALF)
        y += 1
        y *= 0.5
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors                  # dPhi = exp(-x^2 / 2) / sqrt(2 pi) dx
        return g * (x * x * -0.5).exp() * _INV_SQRT_2PI

    jvp = elementwise           # d Phi = exp(-x^2/2) / sqrt(2 pi) dx (diagonal J: J v = J^T v)


def _opmath(x):
    """float16 is computed in float32 and rounded once, as torch's CPU kernels do."""
    return x.astype("float32") if x.dtype == "float16" else x


class LogSigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        ctx.save_for_backward(x)
        a = _opmath(x)
        y = xp.asarray(xp.exp(-xp.abs(a)))     # asarray: NumPy gives a scalar for 0-d x
        xp.log1p(y, out=y)
        return (xp.minimum(a, 0) - y).astype(x.dtype, copy=False)  # no exp of a positive number

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors                  # d logsigmoid = sigmoid(-x) dx
        return g * (-x).sigmoid()

    jvp = elementwise           # d logsigmoid = sigmoid(-x) dx (diagonal J: J v = J^T v)


class Softplus(Op):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = array_module(x)
        ctx.beta, ctx.threshold, ctx.linear = beta, threshold, x * beta > threshold
        ctx.save_for_backward(x)
        bx = _opmath(x) * beta
        y = xp.log1p(xp.exp(-xp.abs(bx))) + xp.maximum(bx, 0)
        return xp.where(ctx.linear, x, y / beta).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors                  # d softplus = sigmoid(beta x) dx (1 if linear)
        bx = x.data * ctx.beta                  # at beta x == threshold: a constant, as torch's
        xp = array_module(bx)                   # second derivative is 0 there
        with np.errstate(over="ignore"):
            edge = xp.asarray(1 / (1 + xp.exp(-bx)), dtype=bx.dtype)
        const = wrap(xp.where(ctx.linear, 1, edge).astype(bx.dtype, copy=False))
        return g * where(wrap(bx < ctx.threshold), (x * ctx.beta).sigmoid(), const), None, None

    jvp = elementwise           # d softplus = sigmoid(beta x) dx (diagonal J: J v = J^T v)


class FloatOnlyError(NotImplementedError, TypeError):
    """torch's NotImplementedError for an integer input ("silu_cpu" not implemented for
    'Long'); also a TypeError, the class these functions raised before."""


def _check(input, op):
    need_tensor(op, input, "input", 1)
    if input.dtype.kind != "f":
        raise FloatOnlyError(f"{op}: expected a floating point tensor, got dtype {input.dtype} "
                             f"(\"{op}\" not implemented for '{torch_name(input.dtype)}')")


def gelu(input, approximate="none"):
    """x * Phi(x) (approximate='none') or its tanh form ('tanh'); matches torch's F.gelu."""
    _check(input, "gelu")
    need_str("gelu", approximate, "approximate")
    if input.dtype == "float16" and approximate in ("none", "tanh"):
        return gelu(input.float(), approximate).half()      # torch computes half in float
    if approximate == "none":
        return input * NormalCdf.apply(input)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * _SQRT_2_OVER_PI
        return input * 0.5 * (inner.tanh() + 1)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input, inplace=False):
    """x * sigmoid(x); matches torch.nn.functional.silu (inplace=True writes into input)."""
    _check(input, "silu")
    if inplace:
        return update(input, lambda t: Pointwise.apply(t, _silu, _silu_grad), "silu")
    return Pointwise.apply(input, _silu, _silu_grad)


def _silu(xp, a):
    with np.errstate(over="ignore"):            # torch's x / (1 + exp(-x)): 0 for x << 0
        return a / (1 + xp.exp(-a))


def _silu_grad(t):
    s = t.sigmoid()                             # d silu = s (1 + x (1 - s))
    return s * (1 + t * (1 - s))


def logsigmoid(input):
    """log(sigmoid(x)) without overflow; matches torch.nn.functional.logsigmoid."""
    _check(input, "logsigmoid")
    return LogSigmoid.apply(input)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold; matches
    torch.nn.functional.softplus."""
    _check(input, "softplus")
    need_number("softplus", beta, "beta", 2)
    need_number("softplus", threshold, "threshold", 3)
    if beta == 0:
        raise ValueError("softplus: beta must be nonzero, got 0")
    return Softplus.apply(input, beta, threshold)


def relu(input, inplace=False):
    """max(x, 0); matches torch.nn.functional.relu (inplace=True writes into input)."""
    need_tensor("relu", input, "input", 1)       # (inplace: any truthy value, as torch's)
    return input.relu_() if inplace else input.relu()


def sigmoid(input):
    """1 / (1 + exp(-x)); matches torch.sigmoid."""
    need_tensor("sigmoid", input, "input", 1)
    return input.sigmoid()


def tanh(input):
    """Hyperbolic tangent; matches torch.tanh."""
    need_tensor("tanh", input, "input", 1)
    return input.tanh()
