"""Random regularisers: dropout, drop_path (stochastic depth) and gumbel_softmax.

Every draw comes from minigrad.backend.rng(xp), so mg.manual_seed fixes them on CPU and
CUDA. The mask drawn in forward is the one the backward multiplies by.

    dropout:    y = x * m / (1 - p),        m ~ Bernoulli(1 - p) per element
    drop_path:  y = x * m / keep,           m ~ Bernoulli(keep) per sample, shape (N, 1, ...)
    gumbel:     y = softmax((logits + G) / tau),  G = -log(E), E ~ Exponential(1)
                hard=True: one_hot(argmax y) forward, gradient of the soft y (straight-through)
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Op
from ..backend import array_module, rng
from ..forward_ad import linear
from .arith import torch_name
from .checks import need_bool, need_float, need_tensor
from .inplace import update
from .shape import normalize_dim
from .softmax import softmax


class MaskMul(Op):
    """x * mask for a constant mask; the backward reuses the same mask."""

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, g):
        return MaskMul.apply(g, ctx.mask), None

    jvp = linear                            # d (x m) = dx m: the same mask


class StraightThrough(Op):
    """Forward: the constant `hard`; backward: the gradient passes to `soft` unchanged."""

    @staticmethod
    def forward(ctx, soft, hard):
        return hard

    @staticmethod
    def backward(ctx, g):
        return g, None

    @staticmethod
    def jvp(ctx, tsoft, _):                 # d y = d soft (hard is a constant)
        return tsoft


def _check_p(p, name, op):
    p = need_float(op, p, name.split()[-1], 2)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: {name} has to be between 0 and 1, but got {p}")


def _uniform(x, shape):
    """U[0, 1) draws of `shape` in x's float dtype (float32 for float16: the generators lack it)."""
    xp = array_module(x.data)
    dtype = x.dtype if x.dtype.itemsize >= 4 else "float32"
    return rng(xp).random(shape, dtype=dtype)


def _keep_mask(x, shape, keep, scale):
    mask = (_uniform(x, shape) < keep).astype(x.dtype)
    if scale != 1:
        mask *= scale
    return mask


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1-p) while training;
    matches torch.nn.functional.dropout (inplace=True writes into input)."""
    need_tensor("dropout", input, "input", 1)
    _check_p(p, "dropout probability", "dropout")
    need_bool("dropout", training, "training", 3)      # (inplace: any truthy value, as torch)
    if not training or p == 0:
        return input
    if input.dtype.kind != "f":             # torch: the scaled result does not fit the input
        raise RuntimeError(f"dropout: result type Float can't be cast to the desired output "
                           f"type {torch_name(input.dtype)} (input of dtype {input.dtype})")
    if backend.vmap_random_check is not None:                      # inside vmap
        from ..func import batching_fns
        return batching_fns.dropout(input, p, inplace)
    keep = 1.0 - p
    mask = _keep_mask(input, input.shape, keep, 1 / keep if keep else 0)
    if inplace:
        return update(input, lambda t: MaskMul.apply(t, mask), "dropout")
    return MaskMul.apply(input, mask)


def drop_path(x, drop_prob=0.0, training=False, scale_by_keep=True):
    """Stochastic depth: drop whole samples (dim 0) with probability drop_prob while training,
    scaling kept ones by 1/keep_prob when scale_by_keep; as timm's drop_path."""
    need_tensor("drop_path", x, "x", 1)
    _check_p(drop_prob, "drop_prob", "drop_path")
    need_bool("drop_path", training, "training", 3)
    if drop_prob == 0.0 or not training:
        return x
    if x.dtype.kind != "f":
        raise RuntimeError(f"drop_path: expected a floating point input, got {x.dtype}")
    if x.ndim == 0:
        raise RuntimeError("drop_path: expected an input with a batch dim (dim 0), got a 0-d "
                           "tensor")
    if backend.vmap_random_check is not None:                      # inside vmap
        from ..func import batching_fns
        return batching_fns.drop_path(x, drop_prob, scale_by_keep)
    keep = 1.0 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    scale = 1 / keep if scale_by_keep and keep > 0 else 1
    return MaskMul.apply(x, _keep_mask(x, shape, keep, scale))


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """A sample from the Gumbel-softmax distribution over `dim`; hard=True returns one-hot
    values with the soft sample's gradient. Matches torch.nn.functional.gumbel_softmax."""
    need_tensor("gumbel_softmax", logits, "logits", 1)
    if logits.dtype.kind != "f":
        raise TypeError(f"gumbel_softmax: logits must be floating point, got {logits.dtype}")
    tau = need_float("gumbel_softmax", tau, "tau", 2)
    if not tau > 0:                 # (torch takes any tau and samples NaN or reversed logits)
        raise ValueError(f"gumbel_softmax: tau must be positive, got {tau}")
    # (hard: any truthy value; eps: unused and deprecated, as in torch)
    d = normalize_dim(dim, logits.ndim, "gumbel_softmax")
    if backend.vmap_random_check is not None:                      # inside vmap
        return _gumbel_softmax_ops(logits, tau, hard, d)
    xp = array_module(logits.data)
    dtype = logits.dtype if logits.dtype.itemsize >= 4 else "float32"
    e = rng(xp).standard_exponential(logits.shape, dtype=dtype)
    xp.maximum(e, np.finfo(dtype).tiny, out=e)      # E = 0 would give an infinite Gumbel
    gumbels = -xp.log(e).astype(logits.dtype)
    y_soft = softmax((logits + gumbels) / tau, d)
    if not hard:
        return y_soft
    index = xp.expand_dims(y_soft.data.argmax(axis=d), d)
    classes = xp.arange(logits.shape[d]).reshape((-1,) + (1,) * (logits.ndim - d - 1))
    y_hard = (classes == index).astype(logits.dtype)
    return StraightThrough.apply(y_soft, y_hard)


def _gumbel_softmax_ops(logits, tau, hard, d):
    """gumbel_softmax written with ops, for vmap: the uniform draws come from mg.rand, so the
    vmap's randomness flag decides them (a draw per sample with 'different', one with
    'same'); E = -log(1 - U) ~ Exponential(1), G = -log E as above."""
    from ..creation import arange, rand
    dtype = logits.dtype if logits.dtype.itemsize >= 4 else np.float32
    u = rand(tuple(logits.shape), dtype=dtype, device=logits.device)
    e = (-(-u).log1p()).clamp_min(float(np.finfo(dtype).tiny))
    y_soft = softmax((logits + (-e.log()).to(logits.dtype)) / tau, d)
    if not hard:
        return y_soft
    index = y_soft.argmax(d, keepdim=True)
    classes = arange(logits.shape[d], device=logits.device).reshape(
        (-1,) + (1,) * (logits.ndim - d - 1))
    return StraightThrough.apply(y_soft, (classes == index).to(logits.dtype))
