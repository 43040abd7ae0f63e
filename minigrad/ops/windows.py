"""Tensor.unfold(dimension, size, step): every window of `size` consecutive elements along
one dim, `step` apart, as a view (torch.Tensor.unfold; not F.unfold, which is im2col).

    y[..., i, ..., k] = x[..., i * step + k, ...]      i < (n - size) // step + 1, k < size

The windows are a strided view of x (overlapping windows, step < size, are read-only: a
write would land in several windows; torch writes them anyway). The gradient sums every
window's gradient back onto the positions it read:

    dx[..., j, ...] = sum over (i, k) with i * step + k = j of dy[..., i, ..., k]

(`Windows` and its adjoint `WindowsSum` are both linear: each is the other's backward, so
derivatives of every order follow.)
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from ..backend import array_module
from ..forward_ad import linear
from .checks import need_int, need_tensor
from .shape import normalize_dim


def _count(n, size, step):
    return (n - size) // step + 1


class Windows(Op):
    view_of_input = True        # the output shares the input's memory

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.in_shape, ctx.args = x.shape, (dim, size, step)
        xp = array_module(x)
        if x.ndim == 0:                     # torch: the value itself, `size` (0 or 1) times
            return x.reshape(1)[:size]
        shape = x.shape[:dim] + (_count(x.shape[dim], size, step),) + x.shape[dim + 1:] \
            + (size,)
        st = x.strides
        strides = st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],)
        if xp is np:
            return np.lib.stride_tricks.as_strided(x, shape, strides,
                                                   writeable=step >= size and x.flags.writeable)
        return xp.lib.stride_tricks.as_strided(x, shape, strides)

    @staticmethod
    def backward(ctx, g):
        # dx[j] = sum of dy over the windows (i, k) with i * step + k = j
        return WindowsSum.apply(g, ctx.in_shape, *ctx.args), None, None, None

    jvp = linear


class WindowsSum(Op):
    """The adjoint of Windows: window values summed back onto the positions they came from."""

    @staticmethod
    def forward(ctx, g, in_shape, dim, size, step):
        ctx.args = (dim, size, step)
        xp = array_module(g)
        if not in_shape:                    # a 0-d input read `size` (0 or 1) times
            return g.sum(dtype=g.dtype).reshape(())
        out = xp.zeros(in_shape, g.dtype)
        count = g.shape[dim]
        for k in range(size):               # window offset k: positions k, k + step, ...
            at = [slice(None)] * out.ndim
            at[dim] = slice(k, k + step * (count - 1) + 1, step)
            out[tuple(at)] += g[..., k]       # (the windows' dim stands at `dim`)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Windows.apply(gg, *ctx.args), None, None, None, None

    jvp = linear


def unfold(self, dimension, size, step):
    """Windows of `size` along `dimension`, `step` apart (matches torch.Tensor.unfold)."""
    need_tensor("unfold", self, "self", 0)
    dim = normalize_dim(need_int("unfold", dimension, "dimension", 1), self.ndim, "unfold")
    size = need_int("unfold", size, "size", 2)
    step = need_int("unfold", step, "step", 3)
    n = self.shape[dim] if self.ndim else 1
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"unfold: maximum size for tensor at dimension {dim} is {n} but "
                           f"size is {size}")
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    return Windows.apply(self, dim, size, step)
