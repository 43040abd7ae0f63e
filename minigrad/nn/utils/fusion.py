"""torch.nn.utils.fusion: fold an eval-mode BatchNorm into the Conv or Linear before it.

With s = bn_w / sqrt(running_var + eps), BN(conv(x)) = conv'(x) where
    w' = w * s (per output channel: dim 0, or dim 1 for transposed convolutions)
    b' = (b - running_mean) * s + bn_b
"""
from __future__ import annotations

import copy

from ..parameter import Parameter
from ...ops.checks import need_float
from ._checks import naming, need_stat, need_tensor

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A copy of the eval-mode conv with the eval-mode bn folded into its weight and bias
    (matches torch.nn.utils.fuse_conv_bn_eval; transpose=True for ConvTranspose*d)."""
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_conv = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_conv.weight, fused_conv.bias = fuse_conv_bn_weights(
        fused_conv.weight, fused_conv.bias, bn.running_mean, bn.running_var, bn.eps,
        bn.weight, bn.bias, transpose)
    return fused_conv


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps: float, bn_w, bn_b,
                         transpose: bool = False) -> tuple[Parameter, Parameter]:
    """(w', b') as Parameters, in the conv's dtypes (matches
    torch.nn.utils.fuse_conv_bn_weights; None conv_b / bn_w / bn_b mean 0 / 1 / 0)."""
    from ... import creation
    fn = "fuse_conv_bn_weights"
    # the statistics may be numbers (they broadcast, as in torch); the rest are tensors
    need_tensor(fn, conv_w, "conv_w")
    need_tensor(fn, bn_rv, "bn_rv")
    need_stat(fn, bn_rm, "bn_rm", array_ok=True)
    if conv_b is not None:
        need_tensor(fn, conv_b, "conv_b")
    if bn_w is not None:
        need_stat(fn, bn_w, "bn_w", array_ok=False)
    bn_eps = need_float(fn, bn_eps, "bn_eps")
    conv_weight_dtype = conv_w.dtype
    conv_bias_dtype = conv_b.dtype if conv_b is not None else conv_weight_dtype
    with naming(fn):
        if conv_b is None:
            conv_b = creation.zeros_like(bn_rm)
        if bn_w is None:
            bn_w = creation.ones_like(bn_rm)
        if bn_b is None:
            bn_b = creation.zeros_like(bn_rm)
        bn_var_rsqrt = (bn_rv + bn_eps).rsqrt()
        # the per-channel scale lines up with the output-channel dim of the weight
        rest = [1] * (len(conv_w.shape) - 2)
        shape = [1, -1] + rest if transpose else [-1, 1] + rest
        fused_conv_w = (conv_w * (bn_w * bn_var_rsqrt).reshape(shape)).to(
            dtype=conv_weight_dtype)
        fused_conv_b = ((conv_b - bn_rm) * bn_var_rsqrt * bn_w + bn_b).to(
            dtype=conv_bias_dtype)
    return (Parameter(fused_conv_w, conv_w.requires_grad),
            Parameter(fused_conv_b, conv_b.requires_grad))


def fuse_linear_bn_eval(linear, bn):
    """A copy of the eval-mode linear with the eval-mode BatchNorm1d after it folded in
    (matches torch.nn.utils.fuse_linear_bn_eval)."""
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_linear = copy.deepcopy(linear)
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(
            f"To fuse, linear.out_features == bn.num_features or bn.num_features == 1, "
            f"got linear.out_features={linear.out_features} and "
            f"bn.num_features={bn.num_features}")
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_linear.weight, fused_linear.bias = fuse_linear_bn_weights(
        fused_linear.weight, fused_linear.bias, bn.running_mean, bn.running_var, bn.eps,
        bn.weight, bn.bias)
    return fused_linear


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps: float, bn_w,
                           bn_b) -> tuple[Parameter, Parameter]:
    """(w', b') as Parameters, in the linear's dtypes (matches
    torch.nn.utils.fuse_linear_bn_weights; a None linear_b means 0)."""
    from ... import creation
    fn = "fuse_linear_bn_weights"
    need_tensor(fn, linear_w, "linear_w")
    need_tensor(fn, bn_rv, "bn_rv")
    need_stat(fn, bn_rm, "bn_rm", array_ok=True)
    need_stat(fn, bn_w, "bn_w", array_ok=False)
    need_stat(fn, bn_b, "bn_b", array_ok=True)
    if linear_b is not None:
        need_tensor(fn, linear_b, "linear_b")
    bn_eps = need_float(fn, bn_eps, "bn_eps")
    linear_weight_dtype = linear_w.dtype
    linear_bias_dtype = linear_b.dtype if linear_b is not None else linear_weight_dtype
    with naming(fn):
        if linear_b is None:
            linear_b = creation.zeros_like(bn_rm)
        bn_scale = bn_w * (bn_rv + bn_eps).rsqrt()
        fused_w = linear_w * bn_scale.unsqueeze(-1).to(dtype=linear_weight_dtype)
        fused_b = ((linear_b - bn_rm) * bn_scale + bn_b).to(dtype=linear_bias_dtype)
    return (Parameter(fused_w, linear_w.requires_grad),
            Parameter(fused_b, linear_b.requires_grad))
