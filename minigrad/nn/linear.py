"""Identity, Flatten and Linear (with F.linear), matching torch.nn's layouts and init."""
from __future__ import annotations

import math

from ..autocast_state import autocast_op
from .. import creation
from ..ops.checks import need_int, need_optional_tensor, need_tensor, same_dtype
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


@autocast_op("linear")
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = input @ weight.T + bias over the last dim of input (matches torch.nn.functional.linear).

    input (*, in_features), weight (out_features, in_features), bias (out_features,).
    """
    need_tensor("linear", input, "input", 1)
    need_tensor("linear", weight, "weight", 2)
    need_optional_tensor("linear", bias, "bias", 3)
    same_dtype("linear", input, weight=weight, bias=bias)
    if weight.ndim == 1:            # torch: a 1-D weight is a dot product over the last dim
        if bias is not None and bias.ndim != 0:
            raise RuntimeError(f"linear: with a 1-D weight, bias must be 0-d, got shape "
                               f"{tuple(bias.shape)}")
        out = input @ weight
        return out if bias is None else out + bias
    if weight.ndim != 2:
        raise RuntimeError(f"linear: weight must be 2-D (out_features, in_features), got shape "
                           f"{tuple(weight.shape)}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        rows = math.prod(input.shape[:-1]) if input.ndim else 1
        cols = input.shape[-1] if input.ndim else 1
        raise RuntimeError(f"linear: mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
                           f"{weight.shape[1]}x{weight.shape[0]}); input has shape "
                           f"{tuple(input.shape)}, weight {tuple(weight.shape)}")
    if bias is not None and not _broadcasts_to(bias.shape, input.shape[:-1] + weight.shape[:1]):
        raise RuntimeError(f"linear: bias of shape {tuple(bias.shape)} does not broadcast to the "
                           f"output's shape {input.shape[:-1] + weight.shape[:1]}")
    lead = input.shape[:-1]
    x = input.reshape(math.prod(lead), input.shape[-1]) if input.ndim > 2 else input
    out = x @ weight.T          # a 2-D matmul keeps the weight gradient a single GEMM
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (weight.shape[0],)) if input.ndim > 2 else out


def _broadcasts_to(shape, target):
    """Whether `shape` broadcasts to `target` without growing it (torch adds bias that way)."""
    if len(shape) > len(target):
        return False
    return all(s in (1, t) for s, t in zip(reversed(shape), reversed(target)))


class Identity(Module):
    """Returns its input unchanged; accepts and ignores any arguments (torch.nn.Identity)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Flattens dims start_dim..end_dim (torch.nn.Flatten; defaults keep the batch dim)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Linear(Module):
    """y = x W^T + b with W (out_features, in_features) (matches torch.nn.Linear).

    Initialised as torch: W ~ kaiming_uniform(a=sqrt(5)), b ~ U(-1/sqrt(in), 1/sqrt(in)).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        in_features = need_int("Linear", in_features, "in_features", 1)
        out_features = need_int("Linear", out_features, "out_features", 2)
        for name, v in (("in_features", in_features), ("out_features", out_features)):
            if v < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {v!r}")
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(creation.empty(out_features, in_features, dtype=dtype,
                                               device=device))
        if bias:
            self.bias = Parameter(creation.empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input):
        return linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
