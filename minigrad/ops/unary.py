"""Unary math: neg, exp, log, sqrt, abs, tanh, sigmoid, relu, sin, cos.

Float math on bool/int tensors runs in the default float dtype, as torch's. Each backward
is written with differentiable ops (tanh and sigmoid have a fused backward node of their own
whose backward is again differentiable).
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module, get_default_dtype
from ..forward_ad import elementwise, from_backward


def _float_in(x):
    """Float math on bool/int tensors runs in the default float dtype, as torch's."""
    return x if x.dtype.kind == "f" else x.astype(get_default_dtype())


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g

    jvp = elementwise           # diagonal Jacobian: J v = J^T v


class Exp(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).exp(_float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d exp(x) = exp(x) dx
        return g * y

    jvp = elementwise           # diagonal Jacobian: J v = J^T v


class Log(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).log(_float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d log(x) = dx / x
        return g / x

    jvp = elementwise           # diagonal Jacobian: J v = J^T v


class Sqrt(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).sqrt(_float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d sqrt(x) = dx / (2 sqrt(x))
        return g / (2 * y)

    jvp = elementwise           # diagonal Jacobian: J v = J^T v


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        ctx.save_for_backward(x)
        return array_module(x).abs(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d|x| = sign(x) dx (0 at 0, as torch)
        return g * wrap(array_module(x.data).sign(x.data))

    jvp = elementwise           # diagonal Jacobian: J v = J^T v


class Tanh(Op):
    @staticmethod
    def forward(ctx, x):
        y = array_module(x).tanh(_float_in(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d tanh = (1 - tanh^2) dx
        return TanhBackward.apply(y, g)

    jvp = elementwise           # diagonal Jacobian: J v = J^T v


class TanhBackward(Op):
    """dx = g * (1 - y^2) as one node (one dispatch instead of three); differentiable."""

    @staticmethod
    def forward(ctx, y, g):
        ctx.save_for_backward(y, g)
        return g * (1 - y * y)

    @staticmethod
    def backward(ctx, gg):
        y, g = ctx.saved_tensors            # d/dg = gg (1 - y^2);  d/dy = -2 y g gg
        gy = -2 * y * g * gg if ctx.needs_input_grad[0] else None
        gg_out = TanhBackward.apply(y, gg) if ctx.needs_input_grad[1] else None
        return gy, gg_out

    jvp = from_backward


class Sigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        xf = _float_in(x)                   # torch's 1 / (1 + exp(-x)), half computed in float:
        with np.errstate(over="ignore"):    # exp overflows to inf for x << 0, giving 0 as torch
            e = xp.exp(-(xf.astype("float32") if xf.dtype == "float16" else xf))
        y = xp.asarray(1 / (1 + e), dtype=xf.dtype)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d sigmoid = s (1 - s) dx
        return SigmoidBackward.apply(y, g)

    jvp = elementwise           # diagonal Jacobian: J v = J^T v


class SigmoidBackward(Op):
    """dx = g * y (1 - y) as one node (one dispatch instead of three); differentiable."""

    @staticmethod
    def forward(ctx, y, g):
        ctx.save_for_backward(y, g)
        return g * y * (1 - y)

    @staticmethod
    def backward(ctx, gg):
        y, g = ctx.saved_tensors            # d/dg = gg y (1 - y);  d/dy = (1 - 2 y) g gg
        gy = (1 - 2 * y) * g * gg if ctx.needs_input_grad[0] else None
        gg_out = SigmoidBackward.apply(y, gg) if ctx.needs_input_grad[1] else None
        return gy, gg_out

    jvp = from_backward


class Relu(Op):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError("relu: Boolean inputs not supported for relu")
        y = array_module(x).maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors              # d relu = [x > 0] dx
        return ReluGrad.apply(g, y.data > 0)

    jvp = elementwise           # diagonal Jacobian: J v = J^T v


class ReluGrad(Op):
    """g where mask else 0: a select, as torch's threshold_backward (not a product with the
    mask: an inf gradient where x <= 0 must give 0, not nan). Linear in g: its backward is
    itself."""

    @staticmethod
    def forward(ctx, g, mask):
        ctx.mask = mask
        out = g * mask                      # the fast way (NumPy's where is several times
        xp = array_module(g)                # slower); an inf or nan in g makes nan where
        if xp.isnan(out).any():             # masked: then the select proper
            out = xp.where(mask, g, g.dtype.type(0))
        return out

    @staticmethod
    def backward(ctx, gg):
        return ReluGrad.apply(gg, ctx.mask), None

    jvp = from_backward


class Sin(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).sin(_float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x.cos()

    jvp = elementwise           # diagonal Jacobian: J v = J^T v


class Cos(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return array_module(x).cos(_float_in(x))

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return -g * x.sin()

    jvp = elementwise           # diagonal Jacobian: J v = J^T v
