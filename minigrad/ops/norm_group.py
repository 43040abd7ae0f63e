"""group_norm and instance_norm: normalisation over groups of channels / over each channel of
each sample, then a per-channel affine map (torch.nn.functional's semantics).

    group_norm:    x (N, C, *) seen as (N, G, C/G * prod(*)); each row normalised
    instance_norm: each (n, c) slice normalised over the spatial dims *

Both go through the fused ops.norm.Normalize (biased variance), so gradients and second
derivatives w.r.t. input, weight and bias are exact; the affine map is a plain composition.
instance_norm's running statistics follow torch: the mean over the batch of the per-instance
mean and unbiased variance, blended in with `momentum`.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op, no_grad, wrap
from ..backend import array_module
from .checks import (need_bool, need_float, need_int, need_optional_tensor, need_tensor,
                     same_dtype)
from .norm import normalize


def _channel_shape(x):
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _affine(fn, out, weight, bias, dtype):
    """out * weight + bias with weight and bias broadcast along dim 1, in `dtype`."""
    shape = _channel_shape(out)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out if out.dtype == dtype else out.to(dtype)


def _opmath(x):
    """float16 input is normalised in float32 and rounded once at the end, as torch's CPU
    kernels do."""
    return x.to(np.float32) if x.dtype == np.float16 else x


def _need_float_input(fn, x):
    if x.dtype.kind != "f":     # torch: "GroupNormKernelImpl" not implemented for 'Long'
        raise NotImplementedError(f"{fn}: input must be a floating point tensor, got "
                                  f"{x.dtype}")


class _NaNGradOf(Op):
    """Passes `out` through; the gradient of `t` is NaN. torch's group_norm backward gives
    weight a NaN gradient when every group is empty (N > 0, no spatial elements): its
    dweight = sum((ds - db * mean) * rstd) meets mean = rstd = NaN."""

    @staticmethod
    def forward(ctx, out, t):
        ctx.t_shape, ctx.t_dtype = t.shape, t.dtype
        return out

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g.data)
        return g, wrap(xp.full(ctx.t_shape, xp.nan, ctx.t_dtype))

    @staticmethod
    def jvp(ctx, tout, _):                  # d out = d out (t only reaches an empty output)
        return tout


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """Group normalisation (matches torch.nn.functional.group_norm): the C channels of
    input (N, C, *) are split into num_groups groups; each sample's group is normalised to
    zero mean and unit (biased) variance, then scaled by weight (C,) and shifted by bias (C,)."""
    fn = "group_norm"
    need_tensor(fn, input, "input", 1)
    num_groups = need_int(fn, num_groups, "num_groups", 2)
    need_optional_tensor(fn, weight, "weight", 3)
    need_optional_tensor(fn, bias, "bias", 4)
    eps = need_float(fn, eps, "eps", 5)
    if input.ndim < 2:
        raise RuntimeError(f"{fn}: expected at least 2 dimensions for input tensor but "
                           f"received {input.ndim}")
    n, c = input.shape[:2]
    if num_groups <= 0:
        raise RuntimeError(f"{fn}: expected num_groups to be greater than 0, got {num_groups}")
    per_group = c // num_groups
    if n * per_group * math.prod(input.shape[2:]) == 1:     # torch's _verify_batch_size
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {list(input.shape)}")
    if c % num_groups:
        raise RuntimeError(f"{fn}: expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.shape[0] != c):
            raise RuntimeError(f"{fn}: expected {name} to be a vector of size equal to the "
                               f"number of channels in input, but got {name} of shape "
                               f"{list(t.shape)} and input of shape {list(input.shape)}")
    _need_float_input(fn, input)
    same_dtype(fn, input, weight=weight, bias=bias)
    rows = _opmath(input).reshape(n, num_groups, per_group * math.prod(input.shape[2:]))
    out, _, _ = normalize(rows, None, None, (2,), eps, (1,))
    out = _affine(fn, out.reshape(input.shape), weight, bias, input.dtype)
    if weight is not None and n and c and rows.shape[2] == 0:
        out = _NaNGradOf.apply(out, weight)
    return out


def _verify_spatial_size(x):
    if math.prod(x.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input "
                         f"size {list(x.shape)}")


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5):
    """Instance normalisation (matches torch.nn.functional.instance_norm): each channel of
    each sample of input (N, C, *) is normalised over the spatial dims (use_input_stats), or
    with the running statistics (use_input_stats=False); then weight (C,) and bias (C,).
    Given running buffers and use_input_stats, they are updated in place:
    r = (1 - momentum) r + momentum * (batch mean of the per-instance mean / unbiased var)."""
    fn = "instance_norm"
    need_tensor(fn, input, "input", 1)
    for pos, (name, t) in enumerate((("running_mean", running_mean), ("running_var", running_var),
                                     ("weight", weight), ("bias", bias)), 2):
        need_optional_tensor(fn, t, name, pos)
    need_bool(fn, use_input_stats, "use_input_stats", 6)
    momentum = need_float(fn, momentum, "momentum", 7)
    eps = need_float(fn, eps, "eps", 8)
    if use_input_stats:
        _verify_spatial_size(input)
    if (running_mean is None) != (running_var is None):
        raise ValueError(f"{fn}: running_mean and running_var must either both be None or "
                         f"neither be None")
    if not use_input_stats and running_mean is None:
        raise RuntimeError(f"{fn}: expected running_mean and running_var to be defined when "
                           f"use_input_stats is false")
    if input.ndim < 2:
        raise IndexError(f"{fn}: expected input of shape (N, C, *), got {tuple(input.shape)} "
                         f"(dimension 1 out of range)")
    n, c = input.shape[:2]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{fn}: {name} should contain {c} elements (one per channel "
                               f"of input of shape {list(input.shape)}), not {t.numel()}")
    if n == 0 and (weight is not None or bias is not None):
        # torch repeats weight and bias once per sample and fails on the empty result
        raise IndexError(f"{fn}: an empty batch (input of shape {list(input.shape)}) cannot "
                         f"be used with weight or bias, as in torch")
    _need_float_input(fn, input)
    same_dtype(fn, input, weight=weight, bias=bias, running_mean=running_mean,
               running_var=running_var)
    if use_input_stats and running_mean is not None and any(
            getattr(t, "_batched", False) for t in (input, running_mean, running_var, weight,
                                                    bias)):              # inside vmap
        from ..func import batching_fns
        return batching_fns.running_stats(
            lambda x, rm, rv, w, b: instance_norm(x, rm, rv, w, b, True, momentum, eps),
            input, running_mean, running_var, weight, bias)
    dtype = input.dtype
    shape = _channel_shape(input)
    if not use_input_stats:
        xp = array_module(running_var.data)
        x = _opmath(input)
        mean = running_mean.detach().reshape(shape).to(x.dtype)
        rstd = wrap((1.0 / xp.sqrt(running_var.data.astype(x.dtype) + eps)).reshape(shape))
        return _affine(fn, (x - mean) * rstd, weight, bias, dtype)
    if input.numel() == 0:
        out = input
    else:
        dims = tuple(range(2, input.ndim))
        out, mean, var = normalize(_opmath(input), None, None, dims, eps, (1,))
    if running_mean is not None:
        _update_running(running_mean, running_var, input, momentum,
                        None if input.numel() == 0 else (mean, var))
    return _affine(fn, out, weight, bias, dtype)


def _update_running(running_mean, running_var, x, momentum, stats):
    """In place, as torch: NaN for an empty batch, unchanged for empty instances."""
    n, c = x.shape[:2]
    with no_grad():
        if n == 0:
            running_mean.data[...] = float("nan")
            running_var.data[...] = float("nan")
            return
        if stats is None:
            return
        mean, var = (s.data.reshape(n, c) for s in stats)
        count = math.prod(x.shape[2:])
        rm, rv = running_mean.data, running_var.data
        rm[...] = (1 - momentum) * rm + momentum * mean.mean(0)
        rv[...] = (1 - momentum) * rv + momentum * (var * (count / (count - 1))).mean(0)
