"""BatchNorm1d/2d/3d and LayerNorm, with F.batch_norm and F.layer_norm (torch's semantics).

Both compute y = (x - mean) / sqrt(var + eps) * weight + bias through the fused
ops.norm.Normalize (biased variance for normalising; BatchNorm's running_var gets the
unbiased one). BatchNorm in eval mode is a plain composition with the running statistics.
"""
from __future__ import annotations

from .. import backend, creation
from ..autograd import no_grad
from ..ops.checks import (need_bool, need_float, need_int, need_ints, need_optional_tensor,
                          need_tensor, same_dtype)
from ..ops.norm import normalize
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


def batch_norm(input: Tensor, running_mean, running_var, weight=None, bias=None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims (matches
    torch.nn.functional.batch_norm). In training, batch statistics are used and the running
    buffers (if given) are updated in place: r = (1 - momentum) r + momentum * stat, with the
    unbiased variance; otherwise the running statistics are used."""
    need_tensor("batch_norm", input, "input", 1)
    for pos, (name, t) in enumerate((("running_mean", running_mean), ("running_var", running_var),
                                     ("weight", weight), ("bias", bias)), 2):
        need_optional_tensor("batch_norm", t, name, pos)
    need_bool("batch_norm", training, "training", 6)
    momentum = need_float("batch_norm", momentum, "momentum", 7)
    eps = need_float("batch_norm", eps, "eps", 8)
    if eps < 0:
        raise ValueError(f"batch_norm: eps must be non-negative, but got {eps}")
    if training and eps == 0:
        raise ValueError(f"batch_norm: eps must be positive during training, but got {eps}")
    same_dtype("batch_norm", input, running_mean=running_mean, running_var=running_var,
               weight=weight, bias=bias)
    if input.dtype.kind != "f":             # torch: "batch_norm" not implemented for 'Long'
        raise NotImplementedError(f"batch_norm: input must be a floating point tensor, got "
                                  f"{input.dtype}")
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C, *), got "
                         f"{tuple(input.shape)}")
    c = input.shape[1]
    dims = (0,) + tuple(range(2, input.ndim))
    shape = (1, c) + (1,) * (input.ndim - 2)
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (c,):
            raise RuntimeError(f"batch_norm: {name} should have shape ({c},) for input of "
                               f"shape {tuple(input.shape)}, got {tuple(t.shape)}")
    if input.numel() == 0:          # torch: an empty batch passes through, stats untouched
        out = input if weight is None else input * weight.reshape(shape)
        return out if bias is None else out + bias.reshape(shape)
    if training:
        count = input.numel() // c
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {tuple(input.shape)}")
        out, mean, var = normalize(input, weight, bias, dims, eps, shape)
        with no_grad():
            # in place, so state_dict() views see the update (as torch's buffers)
            if running_mean is not None:
                running_mean.data[...] = (1 - momentum) * running_mean.data \
                    + momentum * mean.data.reshape(c)
            if running_var is not None:
                running_var.data[...] = (1 - momentum) * running_var.data \
                    + momentum * var.data.reshape(c) * (count / (count - 1))
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var must be given when "
                               "training=False")
        rstd = 1.0 / backend.array_module(running_var.data).sqrt(running_var.data + eps)
        out = (input - running_mean.reshape(shape).detach()) * Tensor._make(
            rstd.astype(input.dtype)).reshape(shape)
        if weight is not None:
            out = out * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
    return out


def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing dims `normalized_shape` (matches
    torch.nn.functional.layer_norm); weight and bias have shape normalized_shape."""
    need_tensor("layer_norm", input, "input", 1)
    shape = need_ints("layer_norm", normalized_shape, "normalized_shape", 2)
    need_optional_tensor("layer_norm", weight, "weight", 3)
    need_optional_tensor("layer_norm", bias, "bias", 4)
    eps = need_float("layer_norm", eps, "eps", 5)
    same_dtype("layer_norm", input, weight=weight, bias=bias)
    k = len(shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(f"layer_norm: given normalized_shape={list(shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, shape))}], but got input of "
                           f"size {tuple(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"layer_norm: {name} should have shape {shape}, got "
                               f"{tuple(t.shape)}")
    out, _, _ = normalize(input, weight, bias, tuple(range(input.ndim - k, input.ndim)), eps,
                          shape)
    return out


class _BatchNorm(Module):
    _expected_dims = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None,
                 *, bias: bool = True):
        super().__init__()
        name = type(self).__name__
        num_features = need_int(name, num_features, "num_features", 1)
        if num_features < 0:
            raise ValueError(f"{name}: num_features must be non-negative, got {num_features}")
        eps = need_float(name, eps, "eps", 2)
        momentum = None if momentum is None else need_float(name, momentum, "momentum", 3)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self._bias_flag = affine and bias
        if affine:
            self.weight = Parameter(creation.ones(num_features, dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)
        if self._bias_flag:
            self.bias = Parameter(creation.zeros(num_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, dtype=dtype,
                                                                device=device))
            self.register_buffer("running_var", creation.ones(num_features, dtype=dtype,
                                                              device=device))
            self.register_buffer("num_batches_tracked",
                                 creation.tensor(0, dtype=backend.int64, device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        if input.ndim not in self._expected_dims:
            want = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(f"expected {want} input (got {input.ndim}D input)")

    def forward(self, input):
        need_tensor(type(self).__name__, input, "input", 1)
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.data += 1
            if self.momentum is None:     # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if track else None,
                          self.running_var if track else None, self.weight, self.bias,
                          use_batch, factor, self.eps)

    def _load_from_state_dict(self, state_dict, prefix, missing, errors):
        key = prefix + "num_batches_tracked"
        if self.num_batches_tracked is not None and key not in state_dict:
            # checkpoints from before num_batches_tracked existed load as torch's do
            state_dict = dict(state_dict)
            state_dict[key] = self.num_batches_tracked
        super()._load_from_state_dict(state_dict, prefix, missing, errors)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self._bias_flag}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) input (matches torch.nn.BatchNorm1d)."""
    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) input (matches torch.nn.BatchNorm2d)."""
    _expected_dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) input (matches torch.nn.BatchNorm3d)."""
    _expected_dims = (5,)


class LayerNorm(Module):
    """Layer normalisation over the trailing normalized_shape dims (torch.nn.LayerNorm)."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        if getattr(normalized_shape, "ndim", None) == 1:     # torch takes a 1-D array too
            normalized_shape = tuple(normalized_shape)
        self.normalized_shape = need_ints("LayerNorm", normalized_shape, "normalized_shape", 1)
        if any(n < 0 for n in self.normalized_shape):
            raise ValueError(f"LayerNorm: normalized_shape must be non-negative, got "
                             f"{self.normalized_shape}")
        eps = need_float("LayerNorm", eps, "eps", 2)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self._bias_flag = elementwise_affine and bias
        if elementwise_affine:
            self.weight = Parameter(creation.ones(self.normalized_shape, dtype=dtype,
                                                  device=device))
        else:
            self.register_parameter("weight", None)
        if self._bias_flag:
            self.bias = Parameter(creation.zeros(self.normalized_shape, dtype=dtype,
                                                 device=device))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self._bias_flag}")
