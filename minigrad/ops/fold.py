"""unfold (im2col) and fold (col2im): sliding blocks of an image to columns and back.

    unfold: x (N, C, H, W) -> (N, C*kh*kw, L), column l holds the block at output position l
            (row-major over the Ho x Wo grid of block positions), row c*kh*kw + i*kw + j the
            tap (i, j) of channel c; zero padding counts as values
    fold:   the adjoint: (N, C*kh*kw, L) -> (N, C, H, W), summing overlapping taps

The two are each other's adjoint, so each one's backward is the other: gradients and double
backward at any depth. Unbatched inputs ((C, H, W) and (C*kh*kw, L)) as torch.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autograd import Op
from ..backend import array_module
from ..forward_ad import linear
from .arith import torch_name
from .checks import need_tensor, type_name
from .conv import pad2d, windows


def _pair(fn, v, name):
    if isinstance(v, np.ndarray):           # (torch reads an int array as its list)
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        items = tuple(v)
        if len(items) != 2:
            raise RuntimeError(f"{fn}: It is expected {name} equals to 2, but got size "
                               f"{len(items)}")
    else:
        items = (v, v)
    for a in items:
        if isinstance(a, bool) or not isinstance(a, (numbers.Integral, np.integer)):
            raise TypeError(f"{fn}(): argument '{name}' must be tuple of ints, but found "
                            f"element of type {type_name(a)}")
        if not -2**63 <= a < 2**63:
            raise TypeError(f"{fn}(): argument '{name}' failed to unpack: value {a} overflows "
                            "int64")
    return tuple(int(a) for a in items)


def _params(fn, kernel_size, dilation, padding, stride):
    k, d = _pair(fn, kernel_size, "kernel_size"), _pair(fn, dilation, "dilation")
    p, s = _pair(fn, padding, "padding"), _pair(fn, stride, "stride")
    for name, v, what in (("kernel size", k, "kernel"), ("stride", s, "stride"),
                          ("dilation", d, "dilation")):
        if min(v) <= 0:
            raise RuntimeError(f"{fn}: {name} should be greater than zero, but got "
                               f"{what}_height: {v[0]} {what}_width: {v[1]}")
    if min(p) < 0:
        raise RuntimeError(f"{fn}: padding should be non-negative, but got pad_height: {p[0]} "
                           f"pad_width: {p[1]}")
    return k, d, p, s


def _blocks(size, k, d, p, s):
    return tuple((n + 2 * pi - di * (ki - 1) - 1) // si + 1
                 for n, ki, di, pi, si in zip(size, k, d, p, s))


def _check_dtype(fn, x):
    if x.dtype.kind not in "fb":
        raise NotImplementedError(f"{fn}(): \"{'im2col' if fn == 'unfold' else 'col2im'}\" "
                                  f"is not implemented for '{torch_name(x.dtype)}'")


def _im2col(x, k, d, p, s):
    xp = array_module(x)
    n, c = x.shape[:2]
    win = windows(xp, pad2d(xp, x, (p[0], p[0], p[1], p[1])), k[0], k[1], s, d)
    ho, wo = win.shape[2:4]
    cols = win.transpose(0, 1, 4, 5, 2, 3)               # (N, C, kh, kw, Ho, Wo)
    return xp.ascontiguousarray(cols).reshape(n, c * k[0] * k[1], ho * wo)


def _col2im(cols, size, k, d, p, s):
    xp = array_module(cols)
    n = cols.shape[0]
    ho, wo = _blocks(size, k, d, p, s)
    c = cols.shape[1] // (k[0] * k[1])
    blocks = cols.reshape(n, c, k[0], k[1], ho, wo)
    out = xp.zeros((n, c, size[0] + 2 * p[0], size[1] + 2 * p[1]), cols.dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            r, q = i * d[0], j * d[1]
            out[:, :, r:r + s[0] * (ho - 1) + 1:s[0], q:q + s[1] * (wo - 1) + 1:s[1]] += \
                blocks[:, :, i, j]
    return out[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]]


class Im2Col(Op):
    @staticmethod
    def forward(ctx, x, k, d, p, s):
        ctx.args = tuple(x.shape[2:]), k, d, p, s
        return _im2col(x, k, d, p, s)

    @staticmethod
    def backward(ctx, g):
        # dx = col2im(dy): every tap's gradient goes back to the pixel it read
        return Col2Im.apply(g, *ctx.args), None, None, None, None

    jvp = linear                # d unfold(x) = unfold(dx)


class Col2Im(Op):
    @staticmethod
    def forward(ctx, cols, size, k, d, p, s):
        ctx.args = k, d, p, s
        return _col2im(cols, size, k, d, p, s)

    @staticmethod
    def backward(ctx, g):
        # dcols = im2col(dy)
        return Im2Col.apply(g, *ctx.args), None, None, None, None, None

    jvp = linear                # d fold(cols) = fold(dcols)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of input (N, C, H, W) or (C, H, W) as columns (N, C*kh*kw, L);
    matches torch.nn.functional.unfold."""
    need_tensor("unfold", input, "input", 1)
    k, d, p, s = _params("unfold", kernel_size, dilation, padding, stride)
    shape = tuple(input.shape)
    if input.ndim < 3:          # (torch reads dims 1..3 first: an IndexError)
        raise IndexError(f"unfold: expected a 3D or 4D input (C, H, W) or (N, C, H, W), but got "
                         f"a {input.ndim}D input of shape {list(shape)} (dimension out of range)")
    if input.ndim not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError(f"unfold: Expected 3D or 4D (batch mode) tensor with possibly 0 batch "
                           f"size and other non-zero dimensions for input, but got: "
                           f"{list(shape)}")
    _check_dtype("unfold", input)
    blocks = _blocks(shape[-2:], k, d, p, s)
    if min(blocks) < 1:
        raise RuntimeError(f"unfold: Given input with spatial size {shape[-2:]}, kernel_size="
                           f"{k}, dilation={d}, padding={p}, calculated shape of the array of "
                           f"sliding blocks as {blocks}, but its components must be at least "
                           f"one.")
    x = input.unsqueeze(0) if input.ndim == 3 else input
    out = Im2Col.apply(x, k, d, p, s)
    return out.squeeze(0) if input.ndim == 3 else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum columns (N, C*kh*kw, L) or (C*kh*kw, L) back into an image (N, C, H, W) with
    (H, W) = output_size, overlapping taps added; matches torch.nn.functional.fold."""
    need_tensor("fold", input, "input", 1)
    size = _pair("fold", output_size, "output_size")
    k, d, p, s = _params("fold", kernel_size, dilation, padding, stride)
    shape = tuple(input.shape)
    if input.ndim not in (2, 3) or 0 in shape[-2:]:
        raise RuntimeError(f"fold: Expected 2D or 3D (batch mode) tensor for input with possibly "
                           f"0 batch size and non-zero dimensions for input, but got: "
                           f"{list(shape)}")
    _check_dtype("fold", input)
    if shape[-2] % (k[0] * k[1]):
        raise RuntimeError(f"fold: Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={shape[-2]} and "
                           f"kernel_size={k}.")
    blocks = _blocks(size, k, d, p, s)
    if blocks[0] * blocks[1] != shape[-1] or min(blocks) < 1:
        raise RuntimeError(f"fold: Given output_size={size}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension 2 to "
                           f"match the calculated number of sliding blocks {blocks[0]} * "
                           f"{blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)="
                           f"{shape[-1]}.")
    x = input.unsqueeze(0) if input.ndim == 2 else input
    out = Col2Im.apply(x, size, k, d, p, s)
    return out.squeeze(0) if input.ndim == 2 else out
