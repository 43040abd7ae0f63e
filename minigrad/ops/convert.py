"""Device moves and dtype casts, differentiable like torch's .to()."""
from __future__ import annotations

from ..autograd import Op
from ..backend import device_of, to_device
from ..forward_ad import linear
from . import memory_format
from .memory_format import preserve_format as preserve


class ToDevice(Op):
    @staticmethod
    def forward(ctx, x, device):
        ctx.src = device_of(x)
        return to_device(x, device)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.src), None

    jvp = linear                            # d to(x, device) = to(dx, device)


class Cast(Op):
    @staticmethod
    def forward(ctx, x, dtype):
        ctx.src = x.dtype
        if x.size and x.flags.c_contiguous and 1 not in x.shape:
            return x.astype(dtype)
        # torch's layout (empty_like's preserve_format), which NumPy's astype can miss for
        # empty, expanded or size-1 dims
        return memory_format.copy_as(x, memory_format.like_strides(x, preserve), dtype)

    @staticmethod
    def backward(ctx, g):
        return (g.to(ctx.src) if ctx.src.kind == "f" else None), None

    jvp = linear
