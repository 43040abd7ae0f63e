"""nn.LinearCrossEntropyOptions and nn.LinearCrossEntropyLoss (torch 2.13): the options of
F.linear_cross_entropy's chunked path, and a Linear layer and cross-entropy in one module."""
from __future__ import annotations

import dataclasses
import math

from ..ops.checks import need_optional_tensor
from ..ops.linear_cross_entropy import linear_cross_entropy
from .linear import Linear
from .loss import _WeightedLoss

ACC_POLICIES = ("auto", "accurate", "balanced", "compact")
ACC_DTYPES = ("float16", "bfloat16", "float32", "float64")
AUTO_MIN_ROWS = 512


@dataclasses.dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """How the chunked path cuts the rows (torch's fields, defaults and checks).

    batch_chunk_size: rows per block (None: from chunking_method). chunking_method
    'aspect_ratio' (a block's (rows, C) logits as large as the (N, in_features) input, rows
    rounded up to a power of two), 'aspect_ratio:k' (k times smaller), None (use
    batch_chunk_size), or 'auto': torch's pick ('aspect_ratio:2' for float32/float64) but at
    least AUTO_MIN_ROWS rows, because a block of a few rows makes the products slow (memory-
    bound) for little gain: the (C, in_features) weight gradient, which every path holds,
    stays the larger buffer. On one core (float32 forward + backward, CPU seconds): (2048,
    768, 50257) 128 rows 4.41, 512 rows 3.79 (torch's pick: 16 rows); (8192, 512, 32000)
    128 rows 7.74, 512 rows 6.62 (benchmarks/linear_cross_entropy.py). acc_policy and
    acc_dtype are accepted and checked as torch does; minigrad computes each block in the
    input's dtype (for float32/float64 what torch's 'accurate' does).
    allow_retain_graph: False (default) hands the gradient buffers the forward computed to
    the first backward (no second (C, d) buffer at the peak); True keeps them and hands out
    copies. Either way a second backward works (torch's raises without it): it recomputes.
    """
    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: str = "auto"
    acc_dtype: object = None

    def __post_init__(self):
        if self.acc_policy not in ACC_POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method is not None and self.chunking_method != "auto":
            name, sep, factor = str(self.chunking_method).partition(":")
            factor = factor if sep else "1"
            if not (name == "aspect_ratio" and factor.isdigit() and int(factor) > 0):
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        b = self.batch_chunk_size
        if not (b is None or (type(b) is int and b > 0)):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {b!r}")
        if self.acc_dtype is not None and str(self.acc_dtype) not in ACC_DTYPES:
            raise ValueError(f"acc_dtype must be one of {{None, float16, bfloat16, float32, "
                             f"float64}}, got {self.acc_dtype!r}. Pass acc_dtype=None to let "
                             f"the op pick automatically.")

    def chunk_size(self, n, in_features, n_classes):
        """Rows per block for an (n, in_features) input and n_classes classes (torch's rule,
        including its error when batch_chunk_size and chunking_method disagree)."""
        method, floor = self.chunking_method, 1
        if method == "auto":
            method = None if self.batch_chunk_size is not None else "aspect_ratio:2"
            floor = AUTO_MIN_ROWS if self.batch_chunk_size is None else 1
        size = n if self.batch_chunk_size is None else min(self.batch_chunk_size, n)
        if method is not None:
            name, _, factor = method.partition(":")
            per_row = -(-n_classes // max(in_features, 1))
            target = -(-n // per_row)
            size = min((1 << (target - 1).bit_length()) // int(factor or 1), n)
            if self.batch_chunk_size is not None and self.batch_chunk_size != size:
                raise ValueError(f"batch_chunk_size (={self.batch_chunk_size}) and "
                                 f"chunking_method ('{method}') give different chunk sizes "
                                 f"({self.batch_chunk_size} vs {size}); pass only one.")
        return max(1, min(n, max(size, floor)))


class LinearCrossEntropyLoss(_WeightedLoss):
    """A Linear(in_features, num_classes * prod(out_features)) layer (parameters
    linear.weight, linear.bias) followed by cross-entropy, computed by
    F.linear_cross_entropy (torch's module, arguments and state_dict keys)."""

    def __init__(self, in_features, num_classes, *, out_features=(), bias=False, device=None,
                 dtype=None, reduction="mean", weight=None, ignore_index=None,
                 label_smoothing=0.0, options=None):
        need_optional_tensor("LinearCrossEntropyLoss", weight, "weight")
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"LinearCrossEntropyLoss: expected weight shape to be "
                               f"{(num_classes,)}, got {tuple(weight.shape)}")
        if not 0.0 <= label_smoothing <= 1.0:
            raise RuntimeError(f"LinearCrossEntropyLoss: expected label_smoothing to be in "
                               f"range [0, 1], got {label_smoothing}")
        super().__init__(weight, None, None, reduction)
        self.num_classes, self.out_features = num_classes, tuple(out_features)
        self.ignore_index, self.label_smoothing, self.options = (ignore_index, label_smoothing,
                                                                 options)
        self.linear = Linear(in_features, math.prod(self.out_features, start=num_classes),
                             bias=bias, device=device, dtype=dtype)

    def forward(self, input, target):
        w = self.linear.weight.reshape(self.num_classes, *self.out_features,
                                       self.linear.in_features)
        b = None if self.linear.bias is None else \
            self.linear.bias.reshape(self.num_classes, *self.out_features)
        return linear_cross_entropy(input, w, target, linear_bias=b, weight=self.weight,
                                    reduction=self.reduction, ignore_index=self.ignore_index,
                                    label_smoothing=self.label_smoothing, options=self.options)

    def extra_repr(self):
        return (f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
                f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
                f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
                f"label_smoothing={self.label_smoothing}, options={self.options}")
