"""ScaleGrad: the identity in value and in forward mode, a scaled gradient in reverse mode.

embedding's padding_idx (no gradient to the padding row) and scale_grad_by_freq (each row's
gradient divided by its count) change only the backward; torch's forward-mode tangent of an
embedding is the plain lookup of the weight's tangent. The old trick s * y + ((1 - s) * y)
.detach() had the right value and gradient but the wrong tangent (s times it), so the scaling
is an op of its own.
"""
from __future__ import annotations

from ..autograd import Op, wrap
from .compare import where


class ScaleGrad(Op):
    """y = x; dx = scale * dy, 0 where scale is 0 (a select: an inf gradient stays out)."""

    @staticmethod
    def forward(ctx, x, scale):
        ctx.scale = scale
        return x.copy()

    @staticmethod
    def backward(ctx, g):                   # dx = scale g (scale: a constant array)
        scale = ctx.scale
        return where(wrap(scale != 0), g * wrap(scale), 0.0), None

    @staticmethod
    def jvp(ctx, t, _):                     # d y = dx: the tangent is not scaled
        return t
