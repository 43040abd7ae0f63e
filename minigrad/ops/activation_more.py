"""Activations written as compositions of differentiable ops (their gradients and second
derivatives follow): mish, softsign, tanhshrink, softmin, glu, prelu; and relu_.

    mish(x)       = x * tanh(softplus(x))        (one Pointwise node: torch's formula)
    softsign(x)   = x / (1 + |x|)
    tanhshrink(x) = x - tanh(x)
    softmin(x)    = softmax(-x)
    glu(x)        = a * sigmoid(b), a and b the two halves of x along dim
    prelu(x, w)   = x if x > 0 else w * x, w per channel (dim 1) or one for all
"""
from __future__ import annotations

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from ..forward_ad import tangent_sum
from .activation import softplus
from .activation_pointwise import (Pointwise, _run, _threshold, celu, need_float_input, rrelu,
                                  selu)
from .arith import torch_name
from .checks import need_int, need_optional_int, need_tensor
from .compare import where
from .shape import normalize_dim, sum_to
from .softmax import _implicit_dim, softmax
from .sampling import check_generator
from .split import narrow


def _mish(xp, a):
    # torch's x * tanh(log1p(exp(x))); above 20, log1p(exp(x)) is x to the last bit anyway
    return a * xp.tanh(xp.where(a > 20, a, xp.log1p(xp.exp(xp.minimum(a, 20)))))


def _mish_grad(t):
    tsp = softplus(t).tanh()                    # d mish = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2)
    return tsp + t * t.sigmoid() * (1 - tsp * tsp)


def mish(input, inplace=False):
    """x * tanh(softplus(x)); matches torch.nn.functional.mish."""
    need_float_input("mish", input, "mish_cpu")
    return _run(input, inplace, "mish_", lambda t: Pointwise.apply(t, _mish, _mish_grad))


def softsign(input):
    """x / (1 + |x|); matches torch.nn.functional.softsign (an integer input gives floats)."""
    need_tensor("softsign", input, "input", 1)
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x); matches torch.nn.functional.tanhshrink."""
    need_tensor("tanhshrink", input, "input", 1)
    if input.dtype.kind == "b":
        raise RuntimeError("tanhshrink: Subtraction, the `-` operator, with a bool tensor is not "
                           "supported")
    return input - input.tanh()


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along dim (dtype: the computation's dtype); matches F.softmin."""
    need_tensor("softmin", input, "input", 1)
    need_optional_int("softmin", dim, "dim", 2)
    if input.dtype.kind == "b":
        raise RuntimeError("softmin: Negation, the `-` operator, on a bool tensor is not "
                           "supported")
    if dtype is None and input.dtype.kind != "f":
        raise NotImplementedError(f"softmin: \"softmax\" not implemented for "
                                  f"'{torch_name(input.dtype)}' (pass a floating dtype=)")
    dim = normalize_dim(_implicit_dim(dim, input, "softmin"), input.ndim, "softmin")
    return softmax(-input, dim, dtype)


def glu(input, dim=-1):
    """a * sigmoid(b) for the halves a, b of input along dim; matches F.glu."""
    need_tensor("glu", input, "input", 1)
    dim = need_int("glu", dim, "dim", 2)
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = normalize_dim(dim, input.ndim, "glu")
    need_float_input("glu", input, "glu_cpu")
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size {n}")
    if input.dtype == "float16":               # torch computes half in float, rounds once
        return glu(input.float(), d).half()
    half = n // 2
    return narrow(input, d, 0, half) * narrow(input, d, half, half).sigmoid()


@autocast_op("prelu")
def prelu(input, weight):
    """x where x > 0, else weight * x; weight has one element or one per channel (dim 1);
    matches torch.nn.functional.prelu."""
    need_tensor("prelu", input, "input", 1)
    need_tensor("prelu", weight, "weight", 2)
    if input.dtype != weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{torch_name(input.dtype)} and {torch_name(weight.dtype)}")
    need_float_input("prelu", input, "prelu_cpu")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"prelu: Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {weight.numel()} and channel size = {channels}.")
    w = weight.reshape(()) if weight.numel() == 1 else \
        weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return Prelu.apply(input, w)


class Prelu(Op):
    """x where x > 0, else w * x (w broadcast to x). Its backward is a node of its own,
    PreluBackward, whose backward follows torch's double backward: that one tests x >= 0
    where the first derivative tests x > 0 (so at x == 0 they differ, as in torch)."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        xp = array_module(x)
        return xp.asarray(xp.where(x > 0, x, w * x), dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gx, gw = PreluBackward.apply(g, x, w)
        return gx, sum_to(gw, w.shape)

    @staticmethod
    def jvp(ctx, tx, tw):                   # d prelu = dx (x > 0), else w dx + x dw
        x, w = ctx.saved_tensors
        pos = wrap(x.data > 0)
        neg = None if tx is None else where(pos, tx, w * tx)
        return tangent_sum(ctx, neg, None if tw is None else where(pos, 0.0, x * tw))


class PreluBackward(Op):
    @staticmethod
    def forward(ctx, g, x, w):
        ctx.save_for_backward(g, x, w)
        xp = array_module(x)
        pos = x > 0                             # dx = g (x > 0) or w g; dw = x g (x <= 0)
        return (xp.asarray(xp.where(pos, g, w * g), dtype=x.dtype),
                xp.asarray(xp.where(pos, 0, x * g), dtype=x.dtype))

    @staticmethod
    def backward(ctx, ggx, ggw):
        g, x, w = ctx.saved_tensors             # torch's _prelu_kernel_backward derivatives
        nonneg = wrap(x.data >= 0)
        zero = wrap(array_module(x.data).zeros((), x.dtype))
        if ggx is None:
            ggx = zero
        if ggw is None:
            ggw = zero
        dg = where(nonneg, ggx, ggx * w + ggw * x)
        dx = where(nonneg, zero, ggw * g)
        dw = where(nonneg, zero, ggx * g)
        return sum_to(dg, g.shape), sum_to(dx, x.shape), sum_to(dw, w.shape)

    @staticmethod
    def jvp(ctx, tg, tx, tw):               # gx = g (x > 0) or w g: d gx = dg or w dg + g dw
        g, x, w = ctx.saved_tensors         # gw = 0 (x > 0) or x g: d gw = 0 or x dg + g dx
        pos = wrap(x.data > 0)              # (x itself only moves the kink: no term)
        tgx = tangent_sum(ctx, None if tg is None else where(pos, tg, w * tg),
                          None if tw is None else where(pos, 0.0, g * tw))
        tgw = tangent_sum(ctx, None if tg is None else where(pos, 0.0, x * tg),
                          None if tx is None else where(pos, 0.0, g * tx))
        return tgx, tgw


def relu_(input):
    """In-place relu; matches torch.relu_ and torch.nn.functional.relu_."""
    need_tensor("relu_", input, "input", 1)
    return input.relu_()


# ---- the top-level names (torch.selu, torch.rrelu, ...): torch's signatures, no inplace= ----
def torch_selu(input):
    """matches torch.selu."""
    return selu(input)


def torch_celu(input, alpha=1.0):
    """matches torch.celu."""
    return celu(input, alpha)


def torch_threshold(input, threshold, value):
    """matches torch.threshold."""
    return _threshold(input, threshold, value, False)


def torch_rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """matches torch.rrelu."""
    check_generator("rrelu", generator)
    return rrelu(input, lower, upper, training, generator=generator)


def torch_rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """matches torch.rrelu_."""
    check_generator("rrelu_", generator)
    return rrelu(input, lower, upper, training, True, generator=generator)
