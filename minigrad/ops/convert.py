"""Device moves and dtype casts, differentiable like torch's .to()."""
from __future__ import annotations

from ..autograd import Op
from ..backend import device_of, to_device
from ..forward_ad import linear


class ToDevice(Op):
    @staticmethod
    def forward(ctx, x, device):
        ctx.src = device_of(x)
        return to_device(x, device)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.src), None


class Cast(Op):
    @staticmethod
    def forward(ctx, x, dtype):
        ctx.src = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return (g.to(ctx.src) if ctx.src.kind == "f" else None), None

    jvp = linear
