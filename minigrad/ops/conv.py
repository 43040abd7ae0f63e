"""2-D convolution by im2col (no Python loop over pixels), in one of two column layouts.

im2col: the padded input is viewed (as_strided, no copy) as its kernel windows and one copy
turns them into columns, K = Cg*kh*kw rows by one column per output pixel; the convolution
is then a GEMM with the weight (G, Og, K). Which layout depends on the output size:
    sample-major (Ho*Wo >= _SMALL): cols (N, G, K, Ho*Wo); one GEMM per sample lands the
        output directly in (N, O, Ho, Wo) order.
    batch-last (Ho*Wo < _SMALL): x is first padded into (C, Hp, Wp, N), so cols (G, K,
        Ho*Wo*N) copy runs of Wo*N values instead of 4-8 long window rows, and the forward
        and the weight gradient are one GEMM each over the whole batch (no per-sample
        GEMMs, no sum over N); the output and dy move to/from that order by one copy.
The three ops below are the bilinear triad of a convolution:
    y  = Conv2d(x, w)
    dx = Conv2dInputGrad(dy, w)    (col2im, or a convolution of the upsampled dy)
    dw = Conv2dWeightGrad(x, dy)   (dy^T @ cols)
Each one's backward is written with the other two, so double backward works at any depth.
"""
from __future__ import annotations

from ..autograd import Op
from ..backend import array_module
from .checks import need_int, need_optional_tensor, need_tensor, same_dtype


def _as_strided(xp, a, shape, strides):
    return xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


def out_size(size, pad_total, kernel, stride, dilation):
    """Output length of a sliding window: floor((L + pads - d(k-1) - 1) / s) + 1."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def windows(xp, xpad, kh, kw, stride, dilation):
    """Strided view (N, C, Ho, Wo, kh, kw) of all kernel windows of a padded NCHW array."""
    n, c, hp, wp = xpad.shape
    ho = out_size(hp, 0, kh, stride[0], dilation[0])
    wo = out_size(wp, 0, kw, stride[1], dilation[1])
    sn, sc, sh, sw = xpad.strides
    return _as_strided(xp, xpad, (n, c, ho, wo, kh, kw),
                       (sn, sc, sh * stride[0], sw * stride[1], sh * dilation[0],
                        sw * dilation[1]))


def pad2d(xp, x, padding, value=0):
    """Constant-pad the last two dims by padding = (top, bottom, left, right)."""
    if not any(padding):
        return x
    t, b, left, right = padding
    return xp.pad(x, ((0, 0), (0, 0), (t, b), (left, right)), constant_values=value)


# Fewer output pixels per image than this: batch-last columns (tiny per-sample GEMMs and
# 4-8 long window rows would dominate); more: sample-major columns.
_SMALL = 64


def _batch_last(x, padding):
    """The zero-padded x as (C, Hp, Wp, N): a window row (w, n) is one contiguous run."""
    xp = array_module(x)
    n, c, h, w = x.shape
    t, b, left, right = padding
    big = xp.zeros((c, h + t + b, w + left + right, n), x.dtype)
    big[:, t:t + h, left:left + w] = x.transpose(1, 2, 3, 0)
    return big


def _im2col(x, kh, kw, stride, padding, dilation, groups):
    """Columns of x, K = Cg*kh*kw, and (N, Ho, Wo): sample-major (N, G, K, Ho*Wo), or
    batch-last (G, K, Ho*Wo*N) when Ho*Wo < _SMALL (tell them apart by ndim)."""
    xp = array_module(x)
    n, c, h, w = x.shape
    cg = c // groups
    ho = out_size(h, padding[0] + padding[1], kh, stride[0], dilation[0])
    wo = out_size(w, padding[2] + padding[3], kw, stride[1], dilation[1])
    if ho * wo >= _SMALL:
        win = windows(xp, pad2d(xp, x, padding), kh, kw, stride, dilation)
        cols = win.reshape(n, groups, cg, ho, wo, kh, kw).transpose(0, 1, 2, 5, 6, 3, 4)
        return (xp.ascontiguousarray(cols).reshape(n, groups, cg * kh * kw, ho * wo),
                (n, ho, wo))
    big = _batch_last(x, padding)
    (sh, sw), (dh, dw) = stride, dilation
    s0, s1, s2, s3 = big.strides
    cols = _as_strided(xp, big, (c, kh, kw, ho, wo, n),
                       (s0, dh * s1, dw * s2, sh * s1, sw * s2, s3))
    return (xp.ascontiguousarray(cols).reshape(groups, cg * kh * kw, ho * wo * n),
            (n, ho, wo))


def _dy_batch_last(dy, groups):
    """dy (N, O, Ho, Wo) as (G, Ho*Wo*N, Og), matching the batch-last columns."""
    xp = array_module(dy)
    n, o, ho, wo = dy.shape
    rows = xp.ascontiguousarray(dy.transpose(2, 3, 0, 1))
    rows = rows.reshape(ho * wo * n, groups, o // groups)     # not -1: n may be 0
    return rows.transpose(1, 0, 2)


def _conv_forward(x, w, stride, padding, dilation, groups, ctx=None):
    """The convolution itself on arrays: w (G, Og, K) @ cols, one GEMM per sample and group
    (sample-major: lands directly in (N, O, Ho, Wo) order) or one per group (batch-last:
    (O, Ho, Wo, N), moved to (N, O, Ho, Wo) by one copy)."""
    o, cg, kh, kw = w.shape
    cols, (n, ho, wo) = _im2col(x, kh, kw, stride, padding, dilation, groups)
    if ctx is not None:
        ctx.cols = cols                 # reused by the weight gradient
    y = w.reshape(groups, o // groups, cg * kh * kw) @ cols
    if cols.ndim == 4:
        return y.reshape(n, o, ho, wo)
    return array_module(y).ascontiguousarray(y.reshape(o, ho, wo, n).transpose(3, 0, 1, 2))


class Conv2d(Op):
    """y (N, O, Ho, Wo) = conv of x (N, C, H, W) with w (O, C/G, kh, kw); no bias here."""

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
            dx = Conv2dInputGrad.apply(dy, w, x.shape, *ctx.params)
        if ctx.needs_input_grad[1]:
            dw = Conv2dWeightGrad.apply(x, dy, w.shape, *ctx.params, ctx.cols)
        ctx.cols = None
        return dx, dw, None, None, None, None


def _input_grad_col2im(dy, w, x_shape, stride, padding, dilation, groups):
    """dx by col2im on batch-last columns (M = Ho*Wo*N), any stride:
        dcols (G, K, M) = w^T (G, K, Og) @ dy (G, Og, M)
        xpad[c, h s + i d, w s + j d, n] += dcols[(c, i, j), (h, w, n)]   (one add per tap)
    each add moving runs of Wo*N (stride 1) or N values."""
    xp = array_module(dy)
    n, c, h, wd = x_shape
    o, cg, kh, kw = w.shape
    ho, wo = dy.shape[2:]
    (sh, sw), (dh, dw), (t, b, left, right) = stride, dilation, padding
    dcols = w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1) \
        @ _dy_batch_last(dy, groups).transpose(0, 2, 1)
    dcols = dcols.reshape(c, kh, kw, ho, wo, n)
    big = xp.zeros((c, h + t + b, wd + left + right, n), dy.dtype)
    for i in range(kh):
        for j in range(kw):
            big[:, i * dh:i * dh + sh * (ho - 1) + 1:sh,
                j * dw:j * dw + sw * (wo - 1) + 1:sw] += dcols[:, i, j]
    return xp.ascontiguousarray(big[:, t:t + h, left:left + wd].transpose(3, 0, 1, 2))


def _input_grad_conv(dy, w, x_shape, stride, padding, dilation, groups):
    """dx as a stride-1 convolution of the zero-upsampled, padded dy with the flipped,
    transposed kernel:  dx[c, m] = sum_{o,u} dy_up[o, m + p - u d] w[o, c, u]."""
    xp = array_module(dy)
    n, _, h, wd = x_shape
    o, cg, kh, kw = w.shape
    ho, wo = dy.shape[2:]
    (sh, sw), (dh, dw) = stride, dilation
    if (sh, sw) != (1, 1):                       # put dy on the stride-1 grid
        up = xp.zeros((n, o, (ho - 1) * sh + 1, (wo - 1) * sw + 1), dy.dtype)
        up[:, :, ::sh, ::sw] = dy
    else:
        up = dy
    pads = []
    for size, k, d, p_lo, length in ((up.shape[2], kh, dh, padding[0], h),
                                      (up.shape[3], kw, dw, padding[2], wd)):
        lo = d * (k - 1) - p_lo
        pads.append((lo, length + d * (k - 1) - size - lo))
    # padding larger than the kernel reach shows up as negative pads: crop instead
    crop = tuple(slice(max(-lo, 0), size + hi if hi < 0 else None)
                 for (lo, hi), size in zip(pads, up.shape[2:]))
    up = up[:, :, crop[0], crop[1]]
    pads = tuple(max(v, 0) for pair_ in pads for v in pair_)
    w_t = w.reshape(groups, o // groups, cg, kh, kw)[..., ::-1, ::-1]
    w_t = w_t.transpose(0, 2, 1, 3, 4).reshape(groups * cg, o // groups, kh, kw)
    return _conv_forward(up, w_t, (1, 1), pads, dilation, groups)


class Conv2dInputGrad(Op):
    """dx: the adjoint of Conv2d in x (a transposed convolution). Small outputs (Ho*Wo <
    _SMALL): col2im, w^T @ dy added back tap by tap; otherwise a stride-1 convolution of
    the upsampled dy, which reuses the im2col GEMM instead of scattering."""

    @staticmethod
    def forward(ctx, dy, w, x_shape, stride, padding, dilation, groups):
        ctx.params = stride, padding, dilation, groups
        ctx.save_for_backward(dy, w)
        small = dy.shape[2] * dy.shape[3] < _SMALL
        fn = _input_grad_col2im if small else _input_grad_conv
        return fn(dy, w, x_shape, stride, padding, dilation, groups)

    @staticmethod
    def backward(ctx, gg):
        dy, w = ctx.saved_tensors     # dx is bilinear in (dy, w): d/ddy = conv(gg, w)
        g_dy = g_w = None
        if ctx.needs_input_grad[0]:
            g_dy = Conv2d.apply(gg, w, *ctx.params)
        if ctx.needs_input_grad[1]:
            g_w = Conv2dWeightGrad.apply(gg, dy, w.shape, *ctx.params, None)
        return g_dy, g_w, None, None, None, None, None


class Conv2dWeightGrad(Op):
    """dw = dy^T @ cols(x): the adjoint of Conv2d in w."""

    @staticmethod
    def forward(ctx, x, dy, w_shape, stride, padding, dilation, groups, cols=None):
        ctx.params = stride, padding, dilation, groups
        ctx.save_for_backward(x, dy)
        kh, kw = w_shape[2:]
        if cols is None:
            cols, _ = _im2col(x, kh, kw, stride, padding, dilation, groups)
        n, o, ho, wo = dy.shape
        if cols.ndim == 4:
            # per sample: dy (Og, Ho*Wo) @ cols^T (Ho*Wo, K), then summed over the batch
            dw = (dy.reshape(n, groups, o // groups, ho * wo)
                  @ cols.transpose(0, 1, 3, 2)).sum(0)
        else:
            # one GEMM over the batch: dw^T = cols (G, K, M) @ dy^T (G, M, Og), which BLAS
            # runs faster than dy @ cols^T
            dw = (cols @ _dy_batch_last(dy, groups)).transpose(0, 2, 1)
        return dw.reshape(w_shape)

    @staticmethod
    def backward(ctx, gg):
        x, dy = ctx.saved_tensors     # dw is bilinear in (x, dy): d/ddy = conv(x, gg)
        g_x = g_dy = None
        if ctx.needs_input_grad[0]:
            g_x = Conv2dInputGrad.apply(dy, gg, x.shape, *ctx.params)
        if ctx.needs_input_grad[1]:
            g_dy = Conv2d.apply(x, gg, *ctx.params)
        return g_x, g_dy, None, None, None, None, None, None


def pair(v, name, op="conv2d"):
    """An int, or a sequence of one or two ints, as a 2-tuple (torch's _pair, which also
    takes NumPy ints and expands a 1-element list), checked."""
    if isinstance(v, (list, tuple)) and len(v) in (1, 2):
        items = tuple(v) * (2 // len(v))
    else:
        items = (v, v)
    try:
        return tuple(need_int(op, a, name) for a in items)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {v!r}") from None


def conv_padding(padding, kernel, stride, dilation, op="conv2d"):
    """padding (int, pair, 'valid' or 'same') -> (top, bottom, left, right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise RuntimeError(f"{op}: invalid padding string {padding!r}, expected 'same' or "
                               "'valid'")
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride})")
        out = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)       # torch puts the odd extra row/column at the end
            out += [total // 2, total - total // 2]
        return tuple(out)
    ph, pw = pair(padding, "padding", op)
    if ph < 0 or pw < 0:
        raise RuntimeError(f"{op}: negative padding is not supported, got {padding!r}")
    return (ph, ph, pw, pw)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation (matches torch.nn.functional.conv2d).

    input (N, C, H, W) or (C, H, W), weight (O, C/groups, kh, kw), bias (O,);
    padding is an int, a pair, 'valid' or 'same'. Returns (N, O, Ho, Wo).
    """
    need_tensor("conv2d", input, "input", 1)
    need_tensor("conv2d", weight, "weight", 2)
    need_optional_tensor("conv2d", bias, "bias", 3)
    groups = need_int("conv2d", groups, "groups", 7)
    if input.ndim not in (3, 4):
        raise RuntimeError(f"conv2d: expected 3D (unbatched) or 4D (batched) input, but got "
                           f"input of shape {tuple(input.shape)}")
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: weight must be 4-D (out, in/groups, kh, kw), got shape "
                           f"{tuple(weight.shape)}")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"conv2d: input type ({input.dtype}) and weight type "
                           f"({weight.dtype}) should be the same")
    stride, dilation = pair(stride, "stride"), pair(dilation, "dilation")
    if min(stride) <= 0:
        raise RuntimeError(f"conv2d: non-positive stride is not supported, got {stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"conv2d: dilation must be positive, got {dilation}")
    same_dtype("conv2d", input, bias=bias)
    if groups <= 0:
        raise RuntimeError(f"conv2d: groups must be a positive int, got {groups!r}")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    o, cg, kh, kw = weight.shape
    if o == 0:
        raise RuntimeError(f"conv2d: given groups={groups}, expected weight to be at least 1 at "
                           f"dimension 0, but got weight of size {tuple(weight.shape)}")
    if x.shape[1] != cg * groups:
        raise RuntimeError(f"conv2d: given groups={groups}, weight of size {tuple(weight.shape)}"
                           f", expected input{tuple(input.shape)} to have {cg * groups} "
                           f"channels, but got {x.shape[1]} channels instead")
    if o % groups:
        raise RuntimeError(f"conv2d: out_channels {o} (weight.shape[0]) must be divisible by "
                           f"groups={groups}")
    pads = conv_padding(padding, (kh, kw), stride, dilation)
    hp, wp = x.shape[2] + pads[0] + pads[1], x.shape[3] + pads[2] + pads[3]
    if hp < dilation[0] * (kh - 1) + 1 or wp < dilation[1] * (kw - 1) + 1:
        raise RuntimeError(f"conv2d: calculated padded input size per channel: ({hp} x {wp}). "
                           f"Kernel size: ({kh} x {kw}) (dilation {dilation}). Kernel size "
                           "can't be greater than actual input size")
    out = Conv2d.apply(x, weight, stride, pads, dilation, groups)
    if bias is not None:
        if tuple(bias.shape) != (o,):
            raise RuntimeError(f"conv2d: bias must have shape ({o},), got {tuple(bias.shape)}")
        out = out + bias.reshape(1, o, 1, 1)
    return out.squeeze(0) if unbatched else out
