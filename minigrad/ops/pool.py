"""1-, 2- and 3-D pooling, one implementation for every dimension: max_pool{1,2,3}d (an Op
on strided windows) and avg_pool{1,2,3}d (a window sum, an Op whose backward is its adjoint,
times torch's divisor). Adaptive pooling, unpooling and LP pooling live in pool_adaptive.py.

max pooling keeps, for each output, the flat index of the chosen input element within its
(n, c) plane (torch's return_indices layout: (d * H + h) * W + w); its backward scatters the
gradient to those elements with one bincount, and the backward of that is a gather.
"""
from __future__ import annotations

import math

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module, module_of_device
from ..forward_ad import linear
from .checks import need_bool, need_int, need_optional_int, need_tensor
from .division import div

_DIMS = {1: "2D or 3D", 2: "3D or 4D", 3: "4D or 5D"}


def ntuple(v, nd, name, op):
    """An int, or a sequence of 1 or nd ints, as an nd-tuple (torch's _single/_pair/_triple
    with the length check of its C++ pooling functions)."""
    if isinstance(v, (list, tuple)):
        if len(v) not in (1, nd):
            one = {1: "a single int", 2: "a single int, or a tuple of two ints",
                   3: "a single int, or a tuple of three ints"}[nd]
            raise RuntimeError(f"{op}: {name} must either be {one}, got {v!r}")
        items = tuple(v) * (nd // len(v))
    else:
        items = (v,) * nd
    try:
        return tuple(need_int(op, a, name) for a in items)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int or a tuple of {nd} ints, "
                        f"got {v!r}") from None


def _pool_out(size, k, s, p, d, ceil_mode):
    """torch's pooling_output_shape (a window may not start in the right padding)."""
    eff = d * (k - 1) + 1
    num = size + 2 * p - eff + ((s - 1) if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def check_input(input, nd, op, what="input"):
    """(N, C, *spatial) or (C, *spatial) with every non-batch dim non-empty, as torch."""
    need_tensor(op, input, what, 1)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected {_DIMS[nd]} (batch mode) tensor for {what}, got "
                           f"shape {tuple(input.shape)}")
    if 0 in input.shape[-(nd + 1):]:
        raise RuntimeError(f"{op}: expected {_DIMS[nd]} (batch mode) tensor with optional 0 "
                           f"dim batch size for {what}, but got shape {tuple(input.shape)}")


def pool_args(input, nd, kernel_size, stride, padding, dilation, ceil_mode, op):
    """Checked kernel, stride, padding and dilation, the per-dim (left, right) padding that
    makes the last (ceil_mode) window fit, and the output spatial size."""
    need_tensor(op, input, "input", 1)
    need_bool(op, ceil_mode, "ceil_mode")
    if input.dtype.kind == "b":
        raise NotImplementedError(f'{op}: "{op}" not implemented for \'Bool\'')
    check_input(input, nd, op)
    k = ntuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) \
        else ntuple(stride, nd, "stride", op)
    p, d = ntuple(padding, nd, "padding", op), ntuple(dilation, nd, "dilation", op)
    if min(k) <= 0 or min(s) <= 0 or min(d) <= 0:
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be positive, got "
                           f"kernel_size={k}, stride={s}, dilation={d}")
    if any(pi < 0 or pi > ki // 2 for pi, ki in zip(p, k)):
        raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but "
                           f"got pad={p}, kernel_size={k} and dilation={d}")
    size = input.shape[-nd:]
    out = tuple(_pool_out(n, *a, ceil_mode) for n, a in zip(size, zip(k, s, p, d)))
    if min(out) <= 0:
        raise RuntimeError(f"{op}: output size is too small ({out}) for input of shape "
                           f"{tuple(input.shape)} with kernel_size={k}, padding={p}")
    pads = tuple((pi, max(pi, (o - 1) * si + di * (ki - 1) + 1 - n - pi))
                 for n, o, ki, si, pi, di in zip(size, out, k, s, p, d))
    return k, s, pads, d, out


def _pad(xp, x, pads, value):
    if not any(a or b for a, b in pads):
        return x
    return xp.pad(x, ((0, 0), (0, 0)) + pads, constant_values=value)


def _windows(xp, xpad, kernel, stride, dilation, out):
    """Strided view (N, C, *out, *kernel) of all windows of a padded (N, C, *spatial) array."""
    st = xpad.strides
    sp = st[2:]
    return xp.lib.stride_tricks.as_strided(
        xpad, xpad.shape[:2] + tuple(out) + tuple(kernel),
        st[:2] + tuple(a * s for a, s in zip(sp, stride))
        + tuple(a * d for a, d in zip(sp, dilation)))


def _tap_slices(tap, kernel, stride, dilation, out):
    """Slices of the padded input that tap (a kernel position) reads for every output."""
    return (slice(None), slice(None)) + tuple(
        slice(j * d, j * d + s * (o - 1) + 1, s)
        for j, d, s, o in zip(tap, dilation, stride, out))


def _low_value(xp, dtype):
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


def max_taps(xp, taps, offsets):
    """Max over the first axis of taps (T, ...) with torch's tie-breaking (a later tap wins
    only if strictly larger or NaN) and the offset of the winner (offsets[t]: a number or
    an array broadcasting against the rest)."""
    out, index = taps[0], xp.zeros(taps.shape[1:], xp.int64) + offsets[0]
    for t in range(1, taps.shape[0]):
        v = taps[t]
        better = (v > out) | xp.isnan(v) if v.dtype.kind == "f" else v > out
        out = xp.maximum(out, v)                 # = where(better, v, out), NaN included
        index = xp.where(better, offsets[t], index)
    return out, index


class MaxPool(Op):
    """(values, plane indices) of the maxima of x (N, C, *spatial) over the windows."""

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out):
        xp = array_module(x)
        n, c = x.shape[:2]
        size = x.shape[2:]
        plane = [math.prod(size[j + 1:]) for j in range(len(size))]   # in-plane strides
        win = _windows(xp, _pad(xp, x, pads, _low_value(xp, x.dtype)), kernel, stride,
                       dilation, out)
        nd = len(kernel)
        # one vectorised pass per kernel tap over a contiguous copy of the taps (cheaper
        # than argmax over a tiny last axis); each max tracked as its tap's in-plane offset
        taps = xp.ascontiguousarray(win.transpose(tuple(range(2 + nd, 2 + 2 * nd))
                                                  + tuple(range(2 + nd))))
        taps = taps.reshape((math.prod(kernel), n, c) + tuple(out))   # not -1: n may be 0
        offsets = [sum(j * d * a for j, d, a in zip(t, dilation, plane))
                   for t in _all_taps(kernel)]
        val, index = max_taps(xp, taps, offsets)
        base = first = 0
        for j, (o, s, d, (p, _), a) in enumerate(zip(out, stride, dilation, pads, plane)):
            shape = [1] * nd
            shape[j] = o
            start = xp.arange(o) * s - p
            base = base + (start * a).reshape(shape)
            # the window's first element inside the input (torch's start of its scan)
            first = first + ((start + -(start // d) * d * (start < 0)) * a).reshape(shape)
        index = index + base                # (N, C, *out), into each flattened plane
        if any(p for p, _ in pads):
            # a window whose real elements are all -inf: tap 0 may be padding, torch keeps
            # the first real element
            low = val == _low_value(xp, x.dtype)
            if low.any():
                index = xp.where(low, first, index)
        ctx.indices = index
        ctx.in_shape = x.shape
        ctx.mark_non_differentiable(ctx.indices)
        return val, ctx.indices

    @staticmethod
    def backward(ctx, g, _):
        return MaxPoolBackward.apply(g, ctx.indices, ctx.in_shape), None, None, None, None, \
            None

    @staticmethod
    def jvp(ctx, tx, *_):       # d max = the tangent of the element that won
        return pick(tx, ctx.indices), None


def pick(t, indices):
    """t (N, C, *in) read at per-plane indices (N, C, *out): the tangent of a max pool."""
    from .index import Gather   # lazy: index.py is not otherwise needed here
    n, c = t.shape[:2]
    flat = t.reshape(n, c, math.prod(t.shape[2:]))
    picked = Gather.apply(flat, 2, indices.reshape(n, c, math.prod(indices.shape[2:])))
    return picked.reshape(indices.shape)


def _all_taps(kernel):
    """Kernel positions in row-major order (torch's scan order inside a window)."""
    taps = [()]
    for k in kernel:
        taps = [t + (j,) for t in taps for j in range(k)]
    return taps


def plane_index(xp, indices, in_shape):
    """Flat indices into the whole (N * C * plane) array from per-plane indices."""
    n, c = in_shape[:2]
    plane = math.prod(in_shape[2:])
    rows = (xp.arange(n * c) * plane).reshape((n, c) + (1,) * (indices.ndim - 2))
    return (indices + rows).ravel()


class MaxPoolBackward(Op):
    """Scatter-add g (N, C, *out) to the chosen inputs; its backward gathers them."""

    @staticmethod
    def forward(ctx, g, indices, in_shape):
        xp = array_module(g)
        ctx.flat = plane_index(xp, indices, in_shape)
        ctx.out_shape = g.shape
        dx = xp.bincount(ctx.flat, weights=g.ravel(), minlength=math.prod(in_shape))
        return dx.astype(g.dtype, copy=False).reshape(in_shape)

    @staticmethod
    def backward(ctx, gg):
        return gg.reshape(-1)[wrap(ctx.flat)].reshape(ctx.out_shape), None, None

    jvp = linear                # linear in g


def _max_pool(nd, op, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    k, s, pads, d, out = pool_args(input, nd, kernel_size, stride, padding, dilation,
                                   ceil_mode, op)
    if nd == 1 and not return_indices and input.dtype.kind != "f":
        raise NotImplementedError(f'{op}: "max_pool1d_impl" not implemented for '
                                  f"{input.dtype} (torch supports integer inputs only with "
                                  "return_indices=True)")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    val, idx = MaxPool.apply(x, k, s, pads, d, out)
    if unbatched:
        val, idx = val.squeeze(0), idx.squeeze(0)
    return (val, idx) if return_indices else val      # torch: any truthy return_indices


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of length k (matches torch.nn.functional.max_pool1d).

    input (N, C, L) or (C, L); padding counts as -inf; with return_indices, also the int64
    index of each maximum within its row."""
    return _max_pool(1, "max_pool1d", input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over kh x kw windows (matches torch.nn.functional.max_pool2d).

    input (N, C, H, W) or (C, H, W); padding counts as -inf; with return_indices, also the
    int64 flat index (row * W + col) of each maximum."""
    return _max_pool(2, "max_pool2d", input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


@autocast_op("max_pool3d")
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over kd x kh x kw windows (matches torch.nn.functional.max_pool3d).

    input (N, C, D, H, W) or (C, D, H, W); indices are (d * H + h) * W + w."""
    return _max_pool(3, "max_pool3d", input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """(values, indices) of max_pool1d, whatever return_indices says (as torch's)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """(values, indices) of max_pool2d, whatever return_indices says (as torch's)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """(values, indices) of max_pool3d, whatever return_indices says (as torch's)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ---- average pooling ---------------------------------------------------------------------
class WindowSum(Op):
    """y (N, C, *out) = sum of each window of the zero-padded x; linear, so its backward is
    its adjoint WindowSumAdjoint and that one's backward is this op again."""

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, out):
        xp = array_module(x)
        ctx.args = x.shape, kernel, stride, pads, out
        xpad = _pad(xp, x, pads, 0)
        taps = _all_taps(kernel)
        one = (1,) * len(kernel)
        y = xpad[_tap_slices(taps[0], kernel, stride, one, out)].copy()
        for t in taps[1:]:
            y += xpad[_tap_slices(t, kernel, stride, one, out)]
        return y

    @staticmethod
    def backward(ctx, g):
        return WindowSumAdjoint.apply(g, *ctx.args), None, None, None, None

    jvp = linear                # d window_sum(x) = window_sum(dx)


class WindowSumAdjoint(Op):
    """dx = each output's g added back to every input of its window (padding cropped)."""

    @staticmethod
    def forward(ctx, g, in_shape, kernel, stride, pads, out):
        xp = array_module(g)
        ctx.args = kernel, stride, pads, out
        big = xp.zeros(in_shape[:2] + tuple(n + a + b for n, (a, b) in zip(in_shape[2:], pads)),
                       g.dtype)
        one = (1,) * len(kernel)
        for t in _all_taps(kernel):
            big[_tap_slices(t, kernel, stride, one, out)] += g
        crop = (slice(None), slice(None)) + tuple(slice(a, a + n)
                                                  for n, (a, _) in zip(in_shape[2:], pads))
        return big[crop]

    @staticmethod
    def backward(ctx, gg):
        return WindowSum.apply(gg, *ctx.args), None, None, None, None, None

    jvp = linear                # linear in g


def _avg_divisor(n, o, k, s, p, include_pad):
    """Per-position divisor along one axis, as torch's avg_pool computes it."""
    start = [i * s - p for i in range(o)]
    if include_pad:
        return [min(a + k, n + p) - a for a in start]
    return [min(a + k, n) - max(a, 0) for a in start]


def _avg_pool(nd, op, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    need_tensor(op, input, "input", 1)
    if nd == 2 and input.ndim < 3:
        # torch's avg_pool2d reads size(-3) before checking the dimension
        raise IndexError(f"{op}: expected 3D or 4D input (C, H, W) or (N, C, H, W), got shape "
                         f"{tuple(input.shape)}")
    k, s, pads, _, out = pool_args(input, nd, kernel_size, stride, padding, 1, ceil_mode, op)
    need_bool(op, count_include_pad, "count_include_pad")
    divisor_override = need_optional_int(op, divisor_override, "divisor_override")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"{op}: divisor must be not zero")
    if nd == 3 and any(n < kj for n, kj in zip(input.shape[-3:], k)):
        raise RuntimeError(f"{op}: input image {tuple(input.shape[-3:])} smaller than kernel "
                           f"size {k}")
    if nd == 3 and input.dtype.name == "float16":
        raise NotImplementedError(f'{op}: "avg_pool3d_out_frame" not implemented for \'Half\'')
    if input.dtype.kind in "iub" and input.dtype.name != "int64":
        raise NotImplementedError(f'{op}: "avg_pool2d" not implemented for {input.dtype} '
                                  "(torch averages int64 and floating inputs only)")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    half = x.dtype.name == "float16"        # torch sums and divides float16 in float32
    x = x.float() if half else x
    xp = module_of_device(x)
    sums = WindowSum.apply(x, k, s, pads, out)
    if divisor_override is not None:
        den = divisor_override
    else:
        den = 1
        for j, (n, o, kj, sj, (pj, _)) in enumerate(zip(x.shape[2:], out, k, s, pads)):
            shape = [1] * nd
            shape[j] = o
            den = den * xp.asarray(_avg_divisor(n, o, kj, sj, pj, count_include_pad),
                                   x.dtype).reshape(shape)
        den = wrap(den)
    # torch: integer inputs give integer means, truncated toward zero
    res = sums / den if x.dtype.kind == "f" else div(sums, den, rounding_mode="trunc")
    res = res.to(input.dtype) if half else res
    return res.squeeze(0) if unbatched else res


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over windows of length k (matches torch.nn.functional.avg_pool1d; torch has no
    divisor_override here)."""
    return _avg_pool(1, "avg_pool1d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over kh x kw windows (matches torch.nn.functional.avg_pool2d).

    A window sum divided by torch's divisor (or divisor_override)."""
    return _avg_pool(2, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


@autocast_op("avg_pool3d")
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over kd x kh x kw windows (matches torch.nn.functional.avg_pool3d)."""
    return _avg_pool(3, "avg_pool3d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)


# adaptive_avg_pool2d lived here before the adaptive poolings got their own file
from .pool_adaptive import adaptive_avg_pool2d  # noqa: E402,F401
