"""2-D pooling: max_pool2d (an Op on strided windows), avg_pool2d and adaptive_avg_pool2d
(compositions of conv2d and matmul, so their gradients come from those ops).

max_pool2d keeps, for each output, the flat index of the chosen input element (torch's
return_indices layout: row * W + col within each (n, c) plane); its backward scatters the
gradient to those elements with one bincount, and the backward of that is a gather.
"""
from __future__ import annotations

import math

from ..autograd import Op, wrap
from ..backend import array_module
from .checks import need_bool, need_int, need_optional_int, need_tensor
from .conv import Conv2d, pad2d, pair, windows
from .division import div


def _pool_out(size, k, s, p, d, ceil_mode):
    """torch's pooling_output_shape (a window may not start in the right padding)."""
    eff = d * (k - 1) + 1
    num = size + 2 * p - eff + ((s - 1) if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, op):
    need_tensor(op, input, "input", 1)
    need_bool(op, ceil_mode, "ceil_mode")
    if input.dtype.kind == "b":
        raise NotImplementedError(f'{op}: "{op}" not implemented for \'Bool\'')
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{op}: expected 3D or 4D input (N, C, H, W), got shape "
                           f"{tuple(input.shape)}")
    if 0 in input.shape[-3:]:
        raise RuntimeError(f"{op}: expected 3D or 4D (batch mode) tensor with optional 0 dim "
                           f"batch size for input, but got shape {tuple(input.shape)}")
    k = pair(kernel_size, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else pair(stride, "stride", op)
    p, d = pair(padding, "padding", op), pair(dilation, "dilation", op)
    if min(k) <= 0 or min(s) <= 0 or min(d) <= 0:
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be positive, got "
                           f"kernel_size={k}, stride={s}, dilation={d}")
    if any(pi < 0 or pi > ki // 2 for pi, ki in zip(p, k)):
        raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but "
                           f"got pad={p}, kernel_size={k} and dilation={d}")
    h, w = input.shape[-2:]
    out = tuple(_pool_out(n, *a, ceil_mode) for n, a in zip((h, w), zip(k, s, p, d)))
    if min(out) <= 0:
        raise RuntimeError(f"{op}: output size is too small ({out}) for input of shape "
                           f"{tuple(input.shape)} with kernel_size={k}, padding={p}")
    # right/bottom padding that makes the last (ceil_mode) window fit
    extra = tuple(max(pi, (o - 1) * si + di * (ki - 1) + 1 - n - pi)
                  for n, o, ki, si, pi, di in zip((h, w), out, k, s, p, d))
    return k, s, (p[0], extra[0], p[1], extra[1]), d, out


class MaxPool2d(Op):
    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation):
        xp = array_module(x)
        n, c, _, w = x.shape
        win = windows(xp, pad2d(xp, x, pads, -xp.inf), *kernel, stride, dilation)
        ho, wo = win.shape[2:4]
        # one vectorised pass per kernel tap over a contiguous copy of the taps (cheaper
        # than argmax over a tiny last axis); a later tap wins only if strictly larger or
        # NaN, as in torch's CPU kernel
        taps = xp.ascontiguousarray(win.transpose(4, 5, 0, 1, 2, 3)).reshape(
            kernel[0] * kernel[1], n, c, ho, wo)          # not -1: n may be 0
        # track each max as the flat offset of its tap inside the window (no // and % later)
        out, offset = taps[0], xp.zeros((n, c, ho, wo), xp.int64)
        for k in range(1, taps.shape[0]):
            v = taps[k]
            better = (v > out) | xp.isnan(v)
            out = xp.maximum(out, v)                 # = where(better, v, out), NaN included
            offset = xp.where(better, (k // kernel[1]) * dilation[0] * w
                              + (k % kernel[1]) * dilation[1], offset)
        rows = xp.arange(ho).reshape(-1, 1) * stride[0] - pads[0]
        cols = xp.arange(wo) * stride[1] - pads[2]
        ctx.indices = offset + (rows * w + cols)   # (N, C, Ho, Wo), into each (H * W) plane
        ctx.in_shape = x.shape
        ctx.mark_non_differentiable(ctx.indices)
        return out, ctx.indices

    @staticmethod
    def backward(ctx, g, _):
        return MaxPool2dBackward.apply(g, ctx.indices, ctx.in_shape), None, None, None, None


def _plane_index(xp, indices, in_shape):
    n, c, h, w = in_shape
    return (indices + (xp.arange(n * c) * (h * w)).reshape(n, c, 1, 1)).ravel()


class MaxPool2dBackward(Op):
    """Scatter-add g (N, C, Ho, Wo) to the chosen inputs; its backward gathers them."""

    @staticmethod
    def forward(ctx, g, indices, in_shape):
        xp = array_module(g)
        ctx.flat = _plane_index(xp, indices, in_shape)
        ctx.out_shape = g.shape
        size = math.prod(in_shape)
        dx = xp.bincount(ctx.flat, weights=g.ravel(), minlength=size)
        return dx.astype(g.dtype, copy=False).reshape(in_shape)

    @staticmethod
    def backward(ctx, gg):
        return gg.reshape(-1)[wrap(ctx.flat)].reshape(ctx.out_shape), None, None


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over kh x kw windows (matches torch.nn.functional.max_pool2d).

    input (N, C, H, W) or (C, H, W); padding counts as -inf; with return_indices, also the
    int64 flat index (row * W + col) of each maximum.
    """
    k, s, pads, d, _ = _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode,
                                  "max_pool2d")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    out, idx = MaxPool2d.apply(x, k, s, pads, d)
    if unbatched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


def _avg_divisor(n, o, k, s, p, include_pad):
    """Per-position divisor along one axis, as torch's avg_pool2d computes it."""
    start = [i * s - p for i in range(o)]
    if include_pad:
        return [min(a + k, n + p) - a for a in start]
    return [min(a + k, n) - max(a, 0) for a in start]


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over kh x kw windows (matches torch.nn.functional.avg_pool2d).

    Computed as a depthwise conv2d with a kernel of ones divided by torch's divisor.
    """
    k, s, pads, _, out = _pool_args(input, kernel_size, stride, padding, 1, ceil_mode,
                                    "avg_pool2d")
    need_bool("avg_pool2d", count_include_pad, "count_include_pad")
    divisor_override = need_optional_int("avg_pool2d", divisor_override, "divisor_override")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    n, c, h, w = x.shape
    xp = array_module(x.data)
    ones = wrap(xp.ones((1, 1) + k, x.dtype))
    sums = Conv2d.apply(x.reshape(n * c, 1, h, w), ones, s, pads, (1, 1), 1).reshape(n, c, *out)
    if divisor_override is not None:
        den = divisor_override
    else:
        dh = _avg_divisor(h, out[0], k[0], s[0], pads[0], count_include_pad)
        dw = _avg_divisor(w, out[1], k[1], s[1], pads[2], count_include_pad)
        den = wrap(xp.asarray(dh, x.dtype).reshape(-1, 1) * xp.asarray(dw, x.dtype))
    # torch: integer inputs give integer means, truncated toward zero
    res = sums / den if x.dtype.kind == "f" else div(sums, den, rounding_mode="trunc")
    return res.squeeze(0) if unbatched else res


def _adaptive_matrix(xp, n, o, dtype):
    """(o, n) averaging matrix: row i averages [floor(i n / o), ceil((i + 1) n / o))."""
    m = xp.zeros((o, n), dtype)
    for i in range(o):
        a, b = (i * n) // o, -((-(i + 1) * n) // o)
        m[i, a:b] = 1.0 / (b - a)
    return m


def adaptive_avg_pool2d(input, output_size):
    """Average over torch's adaptive bins (matches torch.nn.functional.adaptive_avg_pool2d).

    Bins are separable, so the result is A_h @ x @ A_w^T with two averaging matrices.
    """
    need_tensor("adaptive_avg_pool2d", input, "input", 1)
    if input.dtype.kind != "f":
        raise NotImplementedError(f'adaptive_avg_pool2d: "adaptive_avg_pool2d" not implemented '
                                  f"for {input.dtype}")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d: expected 3D or 4D input, got shape "
                           f"{tuple(input.shape)}")
    seq = isinstance(output_size, (list, tuple)) or getattr(output_size, "ndim", 0) == 1
    sizes = tuple(output_size) if seq else (output_size, output_size)
    if len(sizes) != 2:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be 2, got {output_size!r}")
    sizes = tuple(None if v is None else need_int("adaptive_avg_pool2d", v, "output_size")
                  for v in sizes)
    if output_size is None:
        raise TypeError("adaptive_avg_pool2d(): argument 'output_size' must be an int or a "
                        "pair of ints, not NoneType")
    h, w = input.shape[-2:]
    oh, ow = (h if sizes[0] is None else sizes[0]), (w if sizes[1] is None else sizes[1])
    if oh < 0 or ow < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be non-negative, got {sizes}")
    if h == 0 or w == 0:
        raise RuntimeError(f"adaptive_avg_pool2d: expected input to have non-zero size for "
                           f"non-batch dimensions, but got shape {tuple(input.shape)}")
    if (oh, ow) == (1, 1):
        return input.mean((-2, -1), keepdim=True)
    xp = array_module(input.data)
    a_h = wrap(_adaptive_matrix(xp, h, oh, input.dtype))
    a_w = wrap(_adaptive_matrix(xp, w, ow, input.dtype))
    return a_h @ input @ a_w.T
