"""Matrix multiplication with torch.matmul's rules for 1-D, 2-D and batched operands."""
from __future__ import annotations

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op
from ..backend import array_module
from ..forward_ad import multilinear
from .checks import need_tensor
from .shape import sum_to


def gemm(a, b):
    """a @ b on arrays. float16 on the CPU is multiplied in float32 and rounded once: NumPy
    has no float16 BLAS (its loop is ~100x slower), and torch's CPU float16 GEMM accumulates
    in float32 too."""
    xp = array_module(a)
    if a.dtype == np.float16 and xp is np:
        return xp.matmul(a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
    return xp.matmul(a, b)


class Matmul(Op):
    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(f"matmul: both arguments need at least 1 dim, got shapes "
                               f"{tuple(a.shape)} and {tuple(b.shape)}")
        if a.dtype != b.dtype:
            raise RuntimeError(f"matmul: expected both operands to have the same dtype, got "
                               f"{a.dtype} and {b.dtype}")
        ka = a.shape[-1]
        kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if ka != kb:
            raise RuntimeError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                               f"multiplied ({ka} != {kb})")
        ctx.save_for_backward(a, b)
        try:
            return gemm(a, b)
        except ValueError:
            raise RuntimeError(f"matmul: batch dims of shapes {tuple(a.shape)} and "
                               f"{tuple(b.shape)} are not broadcastable") from None

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors            # dA = dC B^T, dB = A^T dC (batch dims summed back)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        g = g.reshape(batch + (a2.shape[-2], b2.shape[-1]))     # undo the 1-D squeezes
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = sum_to(g @ b2.transpose(-1, -2), a2.shape)
            ga = ga.reshape(a.shape)
        if ctx.needs_input_grad[1]:
            gb = sum_to(a2.transpose(-1, -2) @ g, b2.shape)
            gb = gb.reshape(b.shape)
        return ga, gb

    jvp = multilinear           # d(A @ B) = dA @ B + A @ dB


@autocast_op("matmul")
def matmul(input, other):
    """Matrix product with broadcasting of batch dims (torch.matmul)."""
    need_tensor("matmul", input, "input", 1)
    need_tensor("matmul", other, "other", 2)
    return Matmul.apply(input, other)
