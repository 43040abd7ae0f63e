"""N-d convolution (1-, 2-, 3-d) by im2col (no Python loop over pixels), in one of two
column layouts.

im2col: the padded input is viewed (as_strided, no copy) as its kernel windows and one copy
turns them into columns, K = Cg*prod(kernel) rows by one column per output position; the
convolution is then a GEMM with the weight (G, Og, K). Which layout depends on the output
size P = prod(output spatial shape):
    sample-major (P >= _SMALL): cols (N, G, K, P); one GEMM per sample lands the output
        directly in (N, O, *out) order.
    batch-last (P < _SMALL): x is first padded into (C, *padded, N), so cols (G, K, P*N)
        copy runs of Wo*N values instead of short window rows, and the forward and the
        weight gradient are one GEMM each over the whole batch (no per-sample GEMMs, no sum
        over N); the output and dy move to/from that order by one copy.
The three ops below are the bilinear triad of a convolution:
    y  = Conv(x, w)
    dx = ConvInputGrad(dy, w)    (col2im, or a convolution of the upsampled dy); this is
                                 also the transposed convolution (ops/conv_transpose.py)
    dw = ConvWeightGrad(x, dy)   (dy^T @ cols)
Each one's backward is written with the other two, so double backward works at any depth.
Padding is a flat tuple (lo, hi) per spatial dim: (top, bottom, left, right) in 2-d.
"""
from __future__ import annotations

import itertools
import math

from ..autocast_state import autocast_op
from ..autograd import Op
from ..backend import array_module
from ..forward_ad import multilinear
from .checks import need_int
from .linalg import gemm
# ntuple, pair and conv_padding are re-exported for ops/pool.py and the modules
from .conv_args import add_bias, check_conv_args, conv_padding, ntuple, pair  # noqa: F401


def _as_strided(xp, a, shape, strides):
    return xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


def out_size(size, pad_total, kernel, stride, dilation):
    """Output length of a sliding window: floor((L + pads - d(k-1) - 1) / s) + 1."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def windows_nd(xp, xpad, kernel, stride, dilation):
    """Strided view (N, C, *out, *kernel) of all kernel windows of a padded (N, C, ...)."""
    sp, st = xpad.shape[2:], xpad.strides
    out = tuple(out_size(n, 0, k, s, d) for n, k, s, d in zip(sp, kernel, stride, dilation))
    return _as_strided(xp, xpad, xpad.shape[:2] + out + tuple(kernel),
                       st[:2] + tuple(a * s for a, s in zip(st[2:], stride))
                       + tuple(a * d for a, d in zip(st[2:], dilation)))


def windows(xp, xpad, kh, kw, stride, dilation):
    """Strided view (N, C, Ho, Wo, kh, kw) of all kernel windows of a padded NCHW array."""
    return windows_nd(xp, xpad, (kh, kw), stride, dilation)


def pad_nd(xp, x, padding, value=0):
    """Constant-pad the trailing dims by padding = (lo, hi) per dim, first dim first."""
    if not any(padding):
        return x
    pairs = [(padding[2 * i], padding[2 * i + 1]) for i in range(len(padding) // 2)]
    return xp.pad(x, [(0, 0)] * (x.ndim - len(pairs)) + pairs, constant_values=value)


def pad2d(xp, x, padding, value=0):
    """Constant-pad the last two dims by padding = (top, bottom, left, right)."""
    return pad_nd(xp, x, padding, value)


def _crop(padding, sizes):
    """The slices that take the unpadded region back out of a padded array."""
    return tuple(slice(padding[2 * i], padding[2 * i] + n) for i, n in enumerate(sizes))


# Fewer output positions per sample than this: batch-last columns (tiny per-sample GEMMs and
# short window rows would dominate); more: sample-major columns.
_SMALL = 64


def _batch_last(x, padding):
    """The zero-padded x as (C, *padded, N): a window row (w, n) is one contiguous run."""
    xp = array_module(x)
    n, c, *sp = x.shape
    big = xp.zeros((c,) + tuple(s + padding[2 * i] + padding[2 * i + 1]
                                for i, s in enumerate(sp)) + (n,), x.dtype)
    big[(slice(None),) + _crop(padding, sp)] = x.transpose(*range(1, x.ndim), 0)
    return big


def _im2col(x, kernel, stride, padding, dilation, groups):
    """Columns of x, K = Cg*prod(kernel), and (N, *out): sample-major (N, G, K, P), or
    batch-last (G, K, P*N) when P = prod(out) < _SMALL (tell them apart by ndim)."""
    xp = array_module(x)
    n, c, *sp = x.shape
    nd, cg = len(kernel), c // groups
    out = tuple(out_size(s, padding[2 * i] + padding[2 * i + 1], kernel[i], stride[i],
                         dilation[i]) for i, s in enumerate(sp))
    k_all, p_all = cg * math.prod(kernel), math.prod(out)
    if p_all >= _SMALL:
        win = windows_nd(xp, pad_nd(xp, x, padding), kernel, stride, dilation)
        cols = win.reshape((n, groups, cg) + out + tuple(kernel))
        cols = cols.transpose((0, 1, 2) + tuple(range(3 + nd, 3 + 2 * nd))
                              + tuple(range(3, 3 + nd)))
        return xp.ascontiguousarray(cols).reshape(n, groups, k_all, p_all), (n,) + out
    big = _batch_last(x, padding)
    st = big.strides
    cols = _as_strided(xp, big, (c,) + tuple(kernel) + out + (n,),
                       (st[0],) + tuple(d * a for d, a in zip(dilation, st[1:-1]))
                       + tuple(s * a for s, a in zip(stride, st[1:-1])) + (st[-1],))
    return xp.ascontiguousarray(cols).reshape(groups, k_all, p_all * n), (n,) + out


def _dy_batch_last(dy, groups):
    """dy (N, O, *out) as (G, P*N, Og), matching the batch-last columns."""
    xp = array_module(dy)
    n, o = dy.shape[:2]
    rows = xp.ascontiguousarray(dy.transpose(*range(2, dy.ndim), 0, 1))
    rows = rows.reshape(math.prod(dy.shape[2:]) * n, groups, o // groups)  # not -1: n may be 0
    return rows.transpose(1, 0, 2)


def _conv_forward(x, w, stride, padding, dilation, groups, ctx=None):
    """The convolution itself on arrays: w (G, Og, K) @ cols, one GEMM per sample and group
    (sample-major: lands directly in (N, O, *out) order) or one per group (batch-last:
    (O, *out, N), moved to (N, O, *out) by one copy)."""
    o, cg, *kernel = w.shape
    cols, (n, *out) = _im2col(x, kernel, stride, padding, dilation, groups)
    if ctx is not None:
        ctx.cols = cols                 # reused by the weight gradient
    y = gemm(w.reshape(groups, o // groups, cg * math.prod(kernel)), cols)
    if cols.ndim == 4:
        return y.reshape((n, o) + tuple(out))
    y = y.reshape((o,) + tuple(out) + (n,))
    return array_module(y).ascontiguousarray(y.transpose(y.ndim - 1, *range(y.ndim - 1)))


def _fit(t, shape):
    """t cropped at the end to `shape`: a transposed convolution with output_padding >= stride
    (allowed where it is < dilation) has an input longer than its forward convolution's
    output reaches, so the convolution of it has extra positions, which dy never saw."""
    if tuple(t.shape[2:]) == tuple(shape[2:]):
        return t
    return t[(slice(None), slice(None)) + tuple(slice(0, s) for s in shape[2:])]


class Conv(Op):
    """y (N, O, *out) = conv of x (N, C, *in) with w (O, C/G, *kernel); no bias here."""

    @staticmethod
    def forward(ctx, x, w, stride, padding, dilation, groups):
        ctx.params = stride, padding, dilation, groups
        ctx.save_for_backward(x, w)
        return _conv_forward(x, w, stride, padding, dilation, groups, ctx)

    @staticmethod
    def backward(ctx, dy):
        x, w = ctx.saved_tensors
        dx = dw = None
        if ctx.needs_input_grad[0]:
            dx = ConvInputGrad.apply(dy, w, x.shape, *ctx.params)
        if ctx.needs_input_grad[1]:
            dw = ConvWeightGrad.apply(x, dy, w.shape, *ctx.params, ctx.cols)
        ctx.cols = None
        return dx, dw, None, None, None, None

    jvp = multilinear           # bilinear: d conv(x, w) = conv(dx, w) + conv(x, dw)


Conv2d = Conv       # the name ops/pool.py imports


def _input_grad_col2im(dy, w, x_shape, stride, padding, dilation, groups):
    """dx by col2im on batch-last columns (M = P*N), any stride:
        dcols (G, K, M) = w^T (G, K, Og) @ dy (G, Og, M)
        xpad[c, h s + i d, w s + j d, n] += dcols[(c, i, j), (h, w, n)]   (one add per tap)
    each add moving runs of Wo*N (stride 1) or N values."""
    xp = array_module(dy)
    n, c, *sp = x_shape
    o, cg, *kernel = w.shape
    out = dy.shape[2:]
    dcols = gemm(w.reshape(groups, o // groups, cg * math.prod(kernel)).transpose(0, 2, 1),
                 _dy_batch_last(dy, groups).transpose(0, 2, 1))
    dcols = dcols.reshape((c,) + tuple(kernel) + tuple(out) + (n,))
    big = xp.zeros((c,) + tuple(s + padding[2 * i] + padding[2 * i + 1]
                                for i, s in enumerate(sp)) + (n,), dy.dtype)
    for tap in itertools.product(*map(range, kernel)):
        big[(slice(None),) + tuple(slice(i * d, i * d + s * (m - 1) + 1, s) for i, d, s, m in
                                   zip(tap, dilation, stride, out))] += dcols[(slice(None),)
                                                                              + tap]
    big = big[(slice(None),) + _crop(padding, sp)]
    return xp.ascontiguousarray(big.transpose(big.ndim - 1, *range(big.ndim - 1)))


def _input_grad_conv(dy, w, x_shape, stride, padding, dilation, groups):
    """dx as a stride-1 convolution of the zero-upsampled, padded dy with the flipped,
    transposed kernel:  dx[c, m] = sum_{o,u} dy_up[o, m + p - u d] w[o, c, u]."""
    xp = array_module(dy)
    n, _, *sp = x_shape
    o, cg, *kernel = w.shape
    nd = len(kernel)
    if any(s != 1 for s in stride):             # put dy on the stride-1 grid
        up = xp.zeros((n, o) + tuple((m - 1) * s + 1 for m, s in zip(dy.shape[2:], stride)),
                      dy.dtype)
        up[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)] = dy
    else:
        up = dy
    pads = []
    for size, k, d, p_lo, length in zip(up.shape[2:], kernel, dilation, padding[::2], sp):
        lo = d * (k - 1) - p_lo
        pads.append((lo, length + d * (k - 1) - size - lo))
    # padding larger than the kernel reach shows up as negative pads: crop instead
    crop = tuple(slice(max(-lo, 0), size + hi if hi < 0 else None)
                 for (lo, hi), size in zip(pads, up.shape[2:]))
    up = up[(slice(None), slice(None)) + crop]
    pads = tuple(max(v, 0) for pair_ in pads for v in pair_)
    w_t = w.reshape((groups, o // groups, cg) + tuple(kernel))
    w_t = w_t[(Ellipsis,) + (slice(None, None, -1),) * nd]
    w_t = w_t.transpose(0, 2, 1, *range(3, 3 + nd)).reshape((groups * cg, o // groups)
                                                            + tuple(kernel))
    return _conv_forward(up, w_t, (1,) * nd, pads, dilation, groups)


class ConvInputGrad(Op):
    """dx: the adjoint of Conv in x (a transposed convolution). Small outputs (P < _SMALL)
    or strides > 1: col2im, w^T @ dy added back tap by tap; otherwise a stride-1
    convolution of the padded dy, which reuses the im2col GEMM instead of scattering."""

    @staticmethod
    def forward(ctx, dy, w, x_shape, stride, padding, dilation, groups):
        ctx.params = stride, padding, dilation, groups
        ctx.save_for_backward(dy, w)
        if dy.size == 0 or math.prod(x_shape) == 0:
            return array_module(dy).zeros(x_shape, dy.dtype)
        # col2im also for strides > 1 (the upsampled dy is mostly zeros: the convolution of
        # it does prod(stride) times the multiply-adds) and where dx is far larger than dy
        # (a transposed convolution with a large kernel): col2im's work scales with dy
        p_dy = math.prod(dy.shape[2:])
        small = p_dy < _SMALL or max(stride) > 1 or math.prod(x_shape[2:]) > 16 * p_dy
        fn = _input_grad_col2im if small else _input_grad_conv
        return fn(dy, w, x_shape, stride, padding, dilation, groups)

    @staticmethod
    def backward(ctx, gg):
        dy, w = ctx.saved_tensors     # dx is bilinear in (dy, w): d/ddy = conv(gg, w)
        g_dy = g_w = None
        if ctx.needs_input_grad[0]:
            g_dy = _fit(Conv.apply(gg, w, *ctx.params), dy.shape)
        if ctx.needs_input_grad[1]:
            g_w = ConvWeightGrad.apply(gg, dy, w.shape, *ctx.params, None)
        return g_dy, g_w, None, None, None, None, None

    jvp = multilinear           # bilinear: d dx(dy, w) = dx(d dy, w) + dx(dy, dw)


class ConvWeightGrad(Op):
    """dw = dy^T @ cols(x): the adjoint of Conv in w."""

    @staticmethod
    def forward(ctx, x, dy, w_shape, stride, padding, dilation, groups, cols=None):
        ctx.params = stride, padding, dilation, groups
        ctx.save_for_backward(x, dy)
        xp = array_module(x)
        if cols is None:
            cols, (_, *out) = _im2col(x, w_shape[2:], stride, padding, dilation, groups)
            if tuple(out) != dy.shape[2:]:      # see _fit: dy is zero past its end
                dy = xp.pad(dy, [(0, 0), (0, 0)] + [(0, a - b) for a, b in
                                                    zip(out, dy.shape[2:])])
        n, o = dy.shape[:2]
        if cols.ndim == 4:
            # per sample: dy (Og, P) @ cols^T (P, K), then summed over the batch
            dw = gemm(dy.reshape(n, groups, o // groups, math.prod(dy.shape[2:])),
                      cols.transpose(0, 1, 3, 2)).sum(0)
        else:
            # one GEMM over the batch: dw^T = cols (G, K, M) @ dy^T (G, M, Og), which BLAS
            # runs faster than dy @ cols^T
            dw = gemm(cols, _dy_batch_last(dy, groups)).transpose(0, 2, 1)
        return dw.reshape(w_shape)

    @staticmethod
    def backward(ctx, gg):
        x, dy = ctx.saved_tensors     # dw is bilinear in (x, dy): d/ddy = conv(x, gg)
        g_x = g_dy = None
        if ctx.needs_input_grad[0]:
            g_x = ConvInputGrad.apply(dy, gg, x.shape, *ctx.params)
        if ctx.needs_input_grad[1]:
            g_dy = _fit(Conv.apply(x, gg, *ctx.params), dy.shape)
        return g_x, g_dy, None, None, None, None, None, None

    @staticmethod
    def jvp(ctx, tx, tdy, *_):      # bilinear: d dw(x, dy) = dw(dx, dy) + dw(x, d dy)
        x, dy, w_shape, *params = ctx.inputs
        cols = params.pop() if len(params) > 4 else None
        t = None
        if tx is not None:          # (cols are x's columns: not reused for dx's)
            t = ConvWeightGrad.apply(tx, dy, w_shape, *params)
        if tdy is not None:
            t2 = ConvWeightGrad.apply(x, tdy, w_shape, *params, cols)
            t = t2 if t is None else t + t2
        return t


def _conv(op, nd, input, weight, bias, stride, padding, dilation, groups):
    groups = need_int(op, groups, "groups", 7)
    stride, dilation, groups = check_conv_args(op, nd, input, weight, bias, stride, dilation,
                                               groups)
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    kernel = tuple(weight.shape[2:])
    pads = conv_padding(padding, kernel, stride, dilation, op)
    padded = tuple(x.shape[2 + i] + pads[2 * i] + pads[2 * i + 1] for i in range(nd))
    if any(p < d * (k - 1) + 1 for p, d, k in zip(padded, dilation, kernel)):
        raise RuntimeError(f"{op}: calculated padded input size per channel: {padded}. Kernel "
                           f"size: {kernel} (dilation {dilation}). Kernel size can't be greater "
                           "than actual input size")
    out = add_bias(Conv.apply(x, weight, stride, pads, dilation, groups), bias, nd)
    return out.squeeze(0) if unbatched else out


@autocast_op("conv1d")
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation (matches torch.nn.functional.conv1d).

    input (N, C, L) or (C, L), weight (O, C/groups, k), bias (O,); padding is an int, a
    1-tuple, 'valid' or 'same'. Returns (N, O, Lo).
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@autocast_op("conv2d")
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation (matches torch.nn.functional.conv2d).

    input (N, C, H, W) or (C, H, W), weight (O, C/groups, kh, kw), bias (O,);
    padding is an int, a pair, 'valid' or 'same'. Returns (N, O, Ho, Wo).
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@autocast_op("conv3d")
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D cross-correlation (matches torch.nn.functional.conv3d).

    input (N, C, D, H, W) or (C, D, H, W), weight (O, C/groups, kd, kh, kw), bias (O,);
    padding is an int, a triple, 'valid' or 'same'. Returns (N, O, Do, Ho, Wo).
    """
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)
