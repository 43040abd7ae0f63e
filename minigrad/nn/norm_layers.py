"""GroupNorm, InstanceNorm1d/2d/3d, RMSNorm and LocalResponseNorm: torch.nn's modules over
the functions in ops/norm_group.py and ops/norm_rms.py, with torch's parameter names, shapes,
initialisation, buffers and repr."""
from __future__ import annotations

import warnings

from .. import creation
from ..ops.checks import need_float, need_int, need_ints, need_optional_float
from ..ops.checks import need_tensor
from ..ops.norm_group import group_norm, instance_norm
from ..ops.norm_rms import local_response_norm, rms_norm
from . import init
from .module import Module
from .norm import _BatchNorm
from .parameter import Parameter


class GroupNorm(Module):
    """Group normalisation of (N, C, *) input with C = num_channels split into num_groups
    groups; per-channel weight (ones) and bias (zeros) when affine (torch.nn.GroupNorm)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device=None, dtype=None, *, bias: bool = True):
        super().__init__()
        num_groups = need_int("GroupNorm", num_groups, "num_groups", 1)
        num_channels = need_int("GroupNorm", num_channels, "num_channels", 2)
        eps = need_float("GroupNorm", eps, "eps", 3)
        if num_groups <= 0 or num_channels < 0:
            raise ValueError(f"GroupNorm: num_groups must be positive and num_channels "
                             f"non-negative, got {num_groups} and {num_channels}")
        if num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = (num_groups, num_channels,
                                                                     eps, affine)
        if affine:
            self.weight = Parameter(creation.ones(num_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(creation.zeros(num_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input):
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class _InstanceNorm(_BatchNorm):
    """torch's _InstanceNorm: _BatchNorm's parameters and buffers (running statistics only
    with track_running_stats, num_batches_tracked never counted), instance_norm in forward;
    unbatched input (one dim fewer) is run as a batch of one."""
    _no_batch_dim = 0

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device=None,
                 dtype=None, *, bias: bool = True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _check_input_dim(self, input):
        d = self._no_batch_dim
        if input.ndim not in (d, d + 1):
            raise ValueError(f"expected {d}D or {d + 1}D input (got {input.ndim}D input)")

    def _apply_instance_norm(self, input):
        return instance_norm(input, self.running_mean, self.running_var, self.weight,
                             self.bias, self.training or not self.track_running_stats,
                             0.0 if self.momentum is None else self.momentum, self.eps)

    def forward(self, input):
        need_tensor(type(self).__name__, input, "input", 1)
        self._check_input_dim(input)
        feature_dim = input.ndim - self._no_batch_dim
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f"num_features ({self.num_features}), but got: "
                                 f"{input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. "
                          f"You can silence this warning by not passing in num_features, "
                          f"which is not used because affine=False", stacklevel=2)
        if input.ndim == self._no_batch_dim:
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or unbatched (C, L) input (torch.nn.InstanceNorm1d)."""
    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) input (torch.nn.InstanceNorm2d)."""
    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or (C, D, H, W) input
    (torch.nn.InstanceNorm3d)."""
    _no_batch_dim = 4


class RMSNorm(Module):
    """Root-mean-square normalisation over the trailing normalized_shape dims, with a weight
    (ones) of that shape when elementwise_affine (torch.nn.RMSNorm; eps=None: the input
    dtype's machine epsilon)."""

    def __init__(self, normalized_shape, eps: float | None = None,
                 elementwise_affine: bool = True, device=None, dtype=None):
        super().__init__()
        if getattr(normalized_shape, "ndim", None) == 1:
            normalized_shape = tuple(normalized_shape)
        self.normalized_shape = need_ints("RMSNorm", normalized_shape, "normalized_shape", 1)
        if any(n < 0 for n in self.normalized_shape):
            raise ValueError(f"RMSNorm: normalized_shape must be non-negative, got "
                             f"{self.normalized_shape}")
        need_optional_float("RMSNorm", eps, "eps", 2)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(creation.ones(self.normalized_shape, dtype=dtype,
                                                  device=device))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LocalResponseNorm(Module):
    """Local response normalisation across channels (torch.nn.LocalResponseNorm)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        need_int("LocalResponseNorm", size, "size", 1)
        for pos, (name, v) in enumerate((("alpha", alpha), ("beta", beta), ("k", k)), 2):
            need_float("LocalResponseNorm", v, name, pos)
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
