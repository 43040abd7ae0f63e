"""Adaptive pooling (max and average, 1-3 D), max unpooling and power-average (LP) pooling.

Adaptive bins along an axis of length n with o outputs are [floor(i n / o), ceil((i+1) n / o)),
as in torch. Adaptive max gathers every bin padded to the widest one (repeating its last
element, which never changes a maximum or its first index) and reuses max pooling's tap scan
and backward; adaptive average is one averaging matrix per axis (matmuls: gradients free).
"""
from __future__ import annotations

import math

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module, module_of_device
from ..forward_ad import linear
from .compare import where
from .checks import need_int, need_number, need_tensor
from .pool import (MaxPoolBackward, pick, _DIMS, avg_pool1d, avg_pool2d, avg_pool3d,
                   check_input, max_pool1d, max_pool2d, max_pool3d, max_taps, ntuple,
                   plane_index)


def _bins(n, o):
    return [((i * n) // o, -((-(i + 1) * n) // o)) for i in range(o)]


def _output_size(input, nd, output_size, op):
    """output_size (int, or nd ints/None for 'keep this size') -> nd ints."""
    seq = isinstance(output_size, (list, tuple)) or getattr(output_size, "ndim", 0) == 1
    if output_size is None:
        raise TypeError(f"{op}(): argument 'output_size' must be an int or a tuple of {nd} "
                        "ints, not NoneType")
    if nd > 1 and not seq and not isinstance(output_size, int) and op.startswith("adaptive_max"):
        # torch's Python wrapper calls len() on anything but an int (a NumPy int fails)
        raise TypeError(f"{op}: output_size must be an int or a tuple of {nd} ints, got "
                        f"{type(output_size).__name__}")
    sizes = tuple(output_size) if seq else (output_size,) * nd
    if len(sizes) != nd:
        raise RuntimeError(f"{op}: output_size must have {nd} elements, got {output_size!r}")
    if nd == 1 and sizes[0] is None:
        raise TypeError(f"{op}(): argument 'output_size' must be an int or a tuple of one "
                        "int, not (None,)")
    sizes = tuple(n if v is None else need_int(op, v, "output_size")
                  for n, v in zip(input.shape[-nd:], sizes))
    if min(sizes) < 0:
        raise RuntimeError(f"{op}: output_size must be non-negative, got {sizes}")
    return sizes


def _adaptive_check(input, nd, output_size, op):
    need_tensor(op, input, "input", 1)
    if input.dtype.kind != "f":
        raise NotImplementedError(f'{op}: "{op}" not implemented for {input.dtype}')
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected {_DIMS[nd]} tensor for input, got shape "
                           f"{tuple(input.shape)}")
    sizes = _output_size(input, nd, output_size, op)
    if 0 in input.shape[-nd:] or (input.ndim == nd + 2 and input.shape[1] == 0 and
                                  (op.startswith("adaptive_max") or nd == 3)):
        raise RuntimeError(f"{op}: expected input to have non-zero size for non-batch "
                           f"dimensions, but got shape {tuple(input.shape)}")
    return sizes


# ---- adaptive max ------------------------------------------------------------------------
class AdaptiveMaxPool(Op):
    """(values, plane indices) of the maxima of x (N, C, *spatial) over adaptive bins."""

    @staticmethod
    def forward(ctx, x, out):
        xp = array_module(x)
        size = x.shape[2:]
        nd = len(size)
        plane = [math.prod(size[j + 1:]) for j in range(nd)]
        pos, widths = [], []
        for j, (n, o) in enumerate(zip(size, out)):
            bins = _bins(n, o)
            kmax = max((b - a for a, b in bins), default=1)
            p = xp.asarray([[min(a + t, b - 1) for t in range(kmax)] for a, b in bins],
                           xp.int64).reshape(o, kmax)
            shape = [1] * (2 * nd)
            shape[2 * j:2 * j + 2] = o, kmax
            pos.append(p.reshape(shape))
            widths.append(kmax)
        g = x[(slice(None), slice(None)) + tuple(pos)]      # (N, C, o1, k1, o2, k2, ...)
        flat = sum(p * a for p, a in zip(pos, plane))        # (o1, k1, ...) in-plane index
        # taps (k1, k2, ..., N, C, o1, o2, ...): kernel positions first, row-major
        ks, os_ = tuple(range(1, 2 * nd, 2)), tuple(range(0, 2 * nd, 2))
        t = math.prod(widths)
        taps = xp.ascontiguousarray(g.transpose(tuple(a + 2 for a in ks) + (0, 1)
                                                + tuple(a + 2 for a in os_)))
        taps = taps.reshape((t,) + x.shape[:2] + tuple(out))
        flat = xp.ascontiguousarray(flat.transpose(ks + os_)).reshape((t,) + tuple(out))
        val, index = max_taps(xp, taps, flat)
        ctx.indices, ctx.in_shape = index, x.shape
        ctx.mark_non_differentiable(index)
        return val, index

    @staticmethod
    def backward(ctx, g, _):
        return MaxPoolBackward.apply(g, ctx.indices, ctx.in_shape), None

    @staticmethod
    def jvp(ctx, tx, _):        # d max = the tangent of the element that won
        return pick(tx, ctx.indices), None


def _adaptive_max(nd, op, input, output_size, return_indices):
    sizes = _adaptive_check(input, nd, output_size, op)
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    val, idx = AdaptiveMaxPool.apply(x, sizes)
    if unbatched:
        val, idx = val.squeeze(0), idx.squeeze(0)
    return (val, idx) if return_indices else val


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over torch's adaptive bins (matches torch.nn.functional.adaptive_max_pool1d)."""
    return _adaptive_max(1, "adaptive_max_pool1d", input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over torch's adaptive bins (matches torch.nn.functional.adaptive_max_pool2d);
    output_size may hold None for 'keep this size'."""
    return _adaptive_max(2, "adaptive_max_pool2d", input, output_size, return_indices)


@autocast_op("adaptive_max_pool3d")
def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over torch's adaptive bins (matches torch.nn.functional.adaptive_max_pool3d)."""
    return _adaptive_max(3, "adaptive_max_pool3d", input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """(values, indices) of adaptive_max_pool1d, whatever return_indices says (as torch's)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """(values, indices) of adaptive_max_pool2d, whatever return_indices says (as torch's)."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """(values, indices) of adaptive_max_pool3d, whatever return_indices says (as torch's)."""
    return adaptive_max_pool3d(input, output_size, True)


# ---- adaptive average --------------------------------------------------------------------
def _bin_sums(xp, n, o, dtype):
    """(o, n) 0/1 matrix summing each bin, and each bin's length."""
    m = xp.zeros((o, n), dtype)
    for i, (a, b) in enumerate(_bins(n, o)):
        m[i, a:b] = 1
    return m, xp.asarray([b - a for a, b in _bins(n, o)], dtype)


def _adaptive_avg(nd, op, input, output_size):
    sizes = _adaptive_check(input, nd, output_size, op)
    if sizes == (1,) * nd and nd < 3:       # torch's shortcut for 1-D/2-D (its 1-D is 2-D)
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    half = input.dtype.name == "float16"    # sum in float32 (torch: float32 in 1-D/2-D, in
    # float16 in 3-D, sequentially: up to 1 float16 ulp apart there)
    x = input.float() if half else input
    xp = module_of_device(x)
    counts = []
    for j in range(nd):                     # axis -(j+1): bin sums S (o, n) along it
        n, o = x.shape[-(j + 1)], sizes[-(j + 1)]
        sums, count = _bin_sums(xp, n, o, x.dtype)
        counts.append(count)
        if n == o:
            continue
        if j == 0:
            x = x @ wrap(sums.T)
        else:
            lead, rest = x.shape[:-(j + 1)], x.shape[x.ndim - j:]
            x = (wrap(sums) @ x.reshape(lead + (n, math.prod(rest)))).reshape(
                lead + (o,) + rest)
    for j in reversed(range(nd)):           # then / kd / kh / kw, as torch's kernel
        x = x / wrap(counts[j].reshape((-1,) + (1,) * j))
    return x.to(input.dtype) if half else x


def adaptive_avg_pool1d(input, output_size):
    """Average over torch's adaptive bins (matches torch.nn.functional.adaptive_avg_pool1d)."""
    return _adaptive_avg(1, "adaptive_avg_pool1d", input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Average over torch's adaptive bins (matches torch.nn.functional.adaptive_avg_pool2d).

    Bins are separable: the sums are S_h @ x @ S_w^T with two 0/1 matrices, then divided by
    the bin lengths."""
    return _adaptive_avg(2, "adaptive_avg_pool2d", input, output_size)


@autocast_op("adaptive_avg_pool3d")
def adaptive_avg_pool3d(input, output_size):
    """Average over torch's adaptive bins (matches torch.nn.functional.adaptive_avg_pool3d)."""
    return _adaptive_avg(3, "adaptive_avg_pool3d", input, output_size)


# ---- max unpooling -----------------------------------------------------------------------
class MaxUnpool(Op):
    """y (N, C, *out) = zeros with x written at its per-plane indices; backward: a gather."""

    @staticmethod
    def forward(ctx, x, indices, out):
        xp = array_module(x)
        n, c = x.shape[:2]
        size = math.prod(out)
        y = xp.zeros(n * c * size, x.dtype)
        ctx.flat = plane_index(xp, indices, (n, c) + tuple(out))
        ctx.in_shape = x.shape
        y[ctx.flat] = x.ravel()
        return y.reshape((n, c) + tuple(out))

    @staticmethod
    def backward(ctx, g):
        return g.reshape(-1)[wrap(ctx.flat)].reshape(ctx.in_shape), None, None

    jvp = linear                # d unpool(x) = unpool(dx)


def _unpool_tuple(v, nd, name, op):
    """torch's _single/_pair/_triple as max_unpool uses them: Python ints only (a NumPy int
    fails there), and a sequence must have nd items."""
    if isinstance(v, (list, tuple)):
        if len(v) != nd:
            err = RuntimeError if name == "kernel_size" else IndexError
            raise err(f"{op}: {name} must be an int or a sequence of {nd} ints, got {v!r}")
        items = tuple(v)
    else:
        items = (v,) * nd
    for a in items:
        if not isinstance(a, int) or isinstance(a, bool):
            raise TypeError(f"{op}: {name} must be an int or a sequence of {nd} ints, got "
                            f"{type(a).__name__}")
    return items


def _max_unpool(nd, op, input, indices, kernel_size, stride, padding, output_size):
    need_tensor(op, input, "input", 1)
    need_tensor(op, indices, "indices", 2)
    if indices.dtype.name != "int64":
        raise RuntimeError(f"{op}: elements in indices should be type int64 but got: "
                           f"{indices.dtype}")
    if input.dtype.kind != "f":
        raise NotImplementedError(f'{op}: "{op}" not implemented for {input.dtype}')
    check_input(input, nd, op)
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"{op}: expected shape of indices to be same as that of the input "
                           f"tensor ({tuple(input.shape)}) but got indices tensor with shape "
                           f"{tuple(indices.shape)}")
    if input._batched or indices._batched:                  # inside vmap
        from ..func import batching_index
        return batching_index.max_unpool(
            lambda x, i: _max_unpool(nd, op, x, i, kernel_size, stride, padding, output_size),
            nd, input, indices)
    k = _unpool_tuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None else _unpool_tuple(stride, nd, "stride", op)
    p = _unpool_tuple(padding, nd, "padding", op)
    default = [(n - 1) * si + ki - 2 * pi for n, ki, si, pi in zip(input.shape[-nd:], k, s, p)]
    if output_size is None:
        out = default
    else:
        if not isinstance(output_size, (list, tuple)):
            output_size = ntuple(output_size, nd, "output_size", op)
        out = [need_int(op, v, "output_size") for v in output_size]
        if len(out) == nd + 2:
            out = out[2:]
        if len(out) != nd:
            raise ValueError(f"{op}: output_size should be a sequence containing {nd} or "
                             f"{nd + 2} elements, but it has a length of '{len(out)}'")
        for j in range(nd):
            lo, hi = default[j] - s[j], default[j] + s[j]
            if not lo < out[j] < hi:
                raise ValueError(f'{op}: invalid output_size "{output_size}" (dim {j} must be '
                                 f"between {lo} and {hi})")
    if min(out) < 0:
        raise ValueError(f"{op}: output_size must contain non-negative spatial dimensions, "
                         f"but got {out}")
    size = math.prod(out)
    if size * math.prod(input.shape[:-nd]) >= 2 ** 62:
        raise RuntimeError(f"{op}: output size {tuple(out)} is too large")
    idx = indices.data
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= size):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise RuntimeError(f"{op}: found an invalid max index: {bad} (output volumes are of "
                           f"size {'x'.join(map(str, out))})")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    y = MaxUnpool.apply(x, idx[None] if unbatched else idx, tuple(out))
    return y.squeeze(0) if unbatched else y


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: zeros with input written at indices (matches
    torch.nn.functional.max_unpool1d); output length (L - 1) s + k - 2 p or output_size."""
    return _max_unpool(1, "max_unpool1d", input, indices, kernel_size, stride, padding,
                       output_size)


@autocast_op("max_unpool2d")
def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d (matches torch.nn.functional.max_unpool2d)."""
    return _max_unpool(2, "max_unpool2d", input, indices, kernel_size, stride, padding,
                       output_size)


@autocast_op("max_unpool3d")
def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool3d (matches torch.nn.functional.max_unpool3d)."""
    return _max_unpool(3, "max_unpool3d", input, indices, kernel_size, stride, padding,
                       output_size)


# ---- power-average pooling ---------------------------------------------------------------
_AVG = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}
_MAX = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}


def _lp_pool(nd, op, input, norm_type, kernel_size, stride, ceil_mode):
    need_tensor(op, input, "input", 1)
    norm_type = need_number(op, norm_type, "norm_type")
    if nd == 1:
        count = need_int(op, kernel_size, "kernel_size")
    else:
        if isinstance(kernel_size, (list, tuple)) and len(kernel_size) != nd:
            raise ValueError(f"{op}: kernel_size must be an int or a tuple of {nd} ints, got "
                             f"{kernel_size!r}")
        count = math.prod(ntuple(kernel_size, nd, "kernel_size", op))
    if norm_type == math.inf:
        return _MAX[nd](input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -_MAX[nd](-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = _AVG[nd](input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    # torch's formula: (sign(out) * relu(|out|) * k) ** (1 / p). At a window whose sum is 0
    # torch's gradient is 0 (relu's backward masks pow's infinite one); minigrad's masks
    # multiply (inf * 0 = nan), so those windows go through pow with base 1 instead
    zero = out.detach() == 0
    base = (out.detach().sign() * out.abs()).mul(count)    # sign's gradient is 0, as torch's
    root = where(zero, 1.0, base).pow(1.0 / norm_type)
    return where(zero, 0.0 if norm_type > 0 else math.inf, root)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x^p)^(1/p) (matches torch.nn.functional.lp_pool1d, including
    its formula through avg_pool1d: NaN where a window sum is negative, as torch)."""
    return _lp_pool(1, "lp_pool1d", input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each kh x kw window of x^p)^(1/p) (matches torch.nn.functional.lp_pool2d)."""
    return _lp_pool(2, "lp_pool2d", input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(sum over each window of x^p)^(1/p) (matches torch.nn.functional.lp_pool3d)."""
    return _lp_pool(3, "lp_pool3d", input, norm_type, kernel_size, stride, ceil_mode)
