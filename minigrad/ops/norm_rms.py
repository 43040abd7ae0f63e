"""rms_norm, local_response_norm and normalize (torch.nn.functional's semantics), written as
compositions of differentiable ops, so gradients and second derivatives come for free.

    rms_norm:            y = x / sqrt(mean(x^2 over normalized_shape) + eps) * weight
    local_response_norm: y = x / (k + alpha / size * sum of x^2 over a window of `size`
                             channels around each channel, zero-padded) ** beta
    normalize:           y = x / max(||x||_p over dim, eps)
"""
from __future__ import annotations

import numpy as np

from ..autograd import wrap
from ..backend import array_module
from .checks import (need_float, need_int, need_ints, need_optional_float,
                     need_optional_tensor, need_tensor, type_name)


def rms_norm(input, normalized_shape, weight=None, eps: float | None = None):
    """Root-mean-square normalisation over the trailing dims normalized_shape (matches
    torch.nn.functional.rms_norm); weight has shape normalized_shape. float16 input is
    computed in float32 and eps=None means that type's machine epsilon, as in torch's kernel
    (torch.finfo(input.dtype).eps for float32/float64)."""
    fn = "rms_norm"
    need_tensor(fn, input, "input", 1)
    if not isinstance(normalized_shape, (tuple, list)):     # torch: an int is refused here
        raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type_name(normalized_shape)}")
    shape = need_ints(fn, tuple(normalized_shape), "normalized_shape", 2)
    need_optional_tensor(fn, weight, "weight", 3)
    eps = need_optional_float(fn, eps, "eps", 4)
    k = len(shape)
    if k == 0:
        raise RuntimeError(f"{fn}: expected normalized_shape to be at least 1-dimensional, "
                           f"i.e., containing at least one element, but got "
                           f"normalized_shape = []")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"{fn}: expected weight to be of same shape as normalized_shape, "
                           f"but got weight of shape {list(weight.shape)} and "
                           f"normalized_shape = {list(shape)}")
    if input.ndim == 0:
        raise ValueError(f"{fn}: input tensor must have at least 1 dimensions, but got 0")
    if input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f"{fn}: given normalized_shape={list(shape)}, expected input with "
                           f"shape [*, {', '.join(map(str, shape))}], but got input of size "
                           f"{list(input.shape)}")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"{fn}: input must be a floating point tensor, got "
                                  f"{input.dtype}")
    dtype = input.dtype
    x = input if dtype != np.float16 else input.to(np.float32)      # torch's opmath type
    if eps is None:             # as torch's kernel: the epsilon of the type it computes in
        eps = float(np.finfo(x.dtype).eps)
    dims = tuple(range(input.ndim - k, input.ndim))
    out = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out if out.dtype == dtype else out.to(dtype)


def _window_sum(sq, size):
    """sum of sq (N, C, *) over the channels c - size // 2 ... c + (size - 1) // 2 of each
    channel c, zeros beyond the edges: sq zero-padded along dim 1, then `size` shifted slices
    added in channel order (as torch's average pool does; shifts of C or more add only zeros,
    so the padding is clipped to C - 1)."""
    c = sq.shape[1]
    lo, hi = min(size // 2, c - 1), min((size - 1) // 2, c - 1)
    pad = [(0, 0)] * sq.ndim
    if sq.dtype.kind != "f":            # integers carry no gradient: plain arrays
        xp = array_module(sq.data)
        pad[1] = (lo, hi)
        p = xp.pad(sq.data, pad)
        return wrap(sum(p[:, j:j + c] for j in range(lo + hi + 1)))
    from ..creation import zeros
    from .shape import cat
    parts = [zeros(sq.shape[:1] + (n,) + sq.shape[2:], dtype=sq.dtype, device=sq.device)
             for n in (lo, hi)]
    p = cat([parts[0], sq, parts[1]], 1)
    out = p[:, :c]
    for j in range(1, lo + hi + 1):
        out = out + p[:, j:j + c]
    return out


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0):
    """Local response normalisation across channels (matches
    torch.nn.functional.local_response_norm): input (N, C, *) divided by
    (k + alpha * mean of x^2 over `size` neighbouring channels, zeros beyond the edges)^beta."""
    fn = "local_response_norm"
    need_tensor(fn, input, "input", 1)
    size = need_int(fn, size, "size", 2)
    alpha = need_float(fn, alpha, "alpha", 3)
    beta = need_float(fn, beta, "beta", 4)
    k = need_float(fn, k, "k", 5)
    if input.ndim < 3:
        raise ValueError(f"{fn}: expected 3D or higher dimensionality input (got "
                         f"{input.ndim} dimensions)")
    if input.numel() == 0:
        return input                    # torch returns the input itself
    if size <= 0:
        raise RuntimeError(f"{fn}: size (the pooling kernel size) should be greater than "
                           f"zero, but got {size}")
    if input.dtype.kind != "f" and input.dtype != np.int64:
        # torch pools int64 (truncating) but has no pooling kernel for other int types
        raise NotImplementedError(f"{fn}: not implemented for input of dtype {input.dtype}")
    sq = input * input
    if sq.dtype.kind == "f":
        avg = _window_sum(sq, size) / size
    else:                               # torch's int64 average pool truncates
        avg = _window_sum(sq, size) // size
    div = (avg * alpha + k) ** beta
    return input / div


def normalize(input, p: float = 2.0, dim=1, eps: float = 1e-12, out=None):
    """input divided by its p-norm over dim, clamped below at eps (matches
    torch.nn.functional.normalize): input / max(||input||_p, eps)."""
    fn = "normalize"
    need_tensor(fn, input, "input", 1)
    p = 2.0 if p is None else need_float(fn, p, "p", 2)      # torch's norm: None is 2
    dim = tuple(range(input.ndim)) if dim is None else need_ints(fn, dim, "dim", 3)
    eps = need_float(fn, eps, "eps", 4)
    if out is not None:
        raise RuntimeError(f"{fn}: out= is not supported by minigrad")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{fn}: expected a floating point tensor as input, got "
                           f"{input.dtype}")
    dim = dim[0] if len(dim) == 1 else dim
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps)
    return input / denom
