"""CrossMapLRN2d: torch's legacy (Lua Torch) cross-channel local response normalisation.

y = x * (k + alpha / size * S x^2) ^ -beta, where S sums squares over a window of channels.
torch builds S with a running sum that never drops channel 0, and its hand-written backward
is the gradient of the ideal centred window, not of that forward; both are kept here exactly
(matrices over channels built by replaying torch's loops), so values and gradients match.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Op
from ..ops.checks import need_float, need_int, need_tensor
from ..tensor import Tensor
from .module import Module


def _forward_window(size, channels):
    """M (C, C): scale[c] = sum_j M[c, j] x[j]^2, from torch's running-sum loop."""
    m = np.zeros((channels, channels))
    pre_pad = int((size - 1) / 2 + 1)
    m[0, :min(pre_pad, channels)] = 1
    for c in range(1, channels):
        m[c] = m[c - 1]
        if c < channels - pre_pad + 1:
            m[c, c + pre_pad - 1] += 1
        if c > pre_pad:
            m[c, c - pre_pad] -= 1
    return m


def _backward_window(size, channels):
    """B (C, C): accum[c] = sum_j B[c, j] ratio[j] (torch's padded running sum)."""
    inv = int(size - (size - 1) / 2)
    if inv > size - 1:      # torch's narrow(0, inv, C) runs past its padded buffer
        raise RuntimeError(f"CrossMapLRN2d: backward is undefined for size={size} (torch "
                           f"fails: start ({inv}) + length ({channels}) exceeds dimension size "
                           f"({channels + size - 1}))")
    j = np.arange(channels)
    c = j[:, None]
    return ((j + inv >= c) & (j + inv <= c + size - 1)).astype(np.float64)


def _mix(t, m):
    """sum_j m[c, j] t[:, j] over the channel dim of an (N, C, H, W) Tensor."""
    mt = Tensor._make(backend.array_module(t.data).asarray(m.T, dtype=t.dtype))
    return (t.permute(0, 2, 3, 1) @ mt).permute(0, 3, 1, 2)


class CrossMapLRN2dFunction(Op):
    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        xp = backend.array_module(x)
        m = xp.asarray(_forward_window(size, x.shape[1]), dtype=x.dtype)
        scale = xp.einsum("cj,njhw->nchw", m, x * x) * (alpha / size) + k
        ctx.params = (size, alpha, beta, k)
        ctx.save_for_backward(x)
        return (scale ** -beta * x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # uses: x (output and scale recomputed from it, so the result is differentiable)
        x, = ctx.saved_tensors
        size, alpha, beta, k = ctx.params
        # torch's: dx = scale^-beta * dy - 2 alpha beta / size * x * (B @ (dy * y / scale))
        scale = _mix(x * x, _forward_window(size, x.shape[1])) * (alpha / size) + k
        out = x * scale ** -beta
        accum = _mix(grad * out / scale, _backward_window(size, x.shape[1]))
        return scale ** -beta * grad - (2 * alpha * beta / size) * x * accum, None, None, \
            None, None


def cross_map_lrn2d(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """torch.nn.CrossMapLRN2d's computation on a 4-D (N, C, H, W) input."""
    need_tensor("CrossMapLRN2d", input, "input", 1)
    if input.ndim != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.ndim}D instead.")
    if input.dtype.kind != "f":
        raise RuntimeError(f"CrossMapLRN2d: input must be a floating point tensor, got "
                           f"{input.dtype}")
    if input.shape[1] == 0:
        raise IndexError(f"CrossMapLRN2d: input must have at least one channel, got shape "
                         f"{tuple(input.shape)}")
    return CrossMapLRN2dFunction.apply(input, size, alpha, beta, k)


class CrossMapLRN2d(Module):
    """Legacy cross-channel LRN over 4-D input (matches torch.nn.CrossMapLRN2d, including
    its window that keeps channel 0 and its backward formula)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1):
        super().__init__()
        size = need_int("CrossMapLRN2d", size, "size", 1)
        if size <= 0:
            raise ValueError(f"CrossMapLRN2d: size must be positive, got {size}")
        for pos, (name, v) in enumerate((("alpha", alpha), ("beta", beta), ("k", k)), 2):
            need_float("CrossMapLRN2d", v, name, pos)
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
