"""nn.Bilinear: y = x1^T A x2 + b (F.bilinear) with torch's parameters and init."""
from __future__ import annotations

import math

from .. import creation
from ..ops.bilinear import bilinear
from ..ops.checks import need_int
from . import init
from .module import Module
from .parameter import Parameter


class Bilinear(Module):
    """weight (out_features, in1_features, in2_features) and bias (out_features,), both
    U(-1/sqrt(in1_features), 1/sqrt(in1_features)) (matches torch.nn.Bilinear)."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in1_features = need_int("Bilinear", in1_features, "in1_features", 1)
        self.in2_features = need_int("Bilinear", in2_features, "in2_features", 2)
        self.out_features = need_int("Bilinear", out_features, "out_features", 3)
        shape = [self.out_features, self.in1_features, self.in2_features]
        for v in shape:
            if v < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {v}: "
                                   f"{shape}")
        self.weight = Parameter(creation.empty(self.out_features, self.in1_features,
                                               self.in2_features, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(creation.empty(self.out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features="
                             f"{self.in1_features})")
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
