"""interpolate (torch.nn.functional.interpolate): nearest, nearest-exact, (bi/tri)linear,
bicubic and area resampling of (N, C, *spatial) inputs, with antialias for bilinear/bicubic.

Every mode is separable: the result resamples the last spatial axis, then the one before,
each by a fixed set of taps (ops/interpolate_taps.py: torch's coordinate rules) applied by
ops/resample_axis.Resample, whose backward is the scatter-add of the same weights.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..autograd import wrap
from ..backend import array_module
from . import interpolate_taps as taps
from .arith import torch_name
from .checks import need_bool, need_tensor, type_name
from .resample_axis import Resample

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}
_NAMES = {3: "linear", 4: "bilinear", 5: "trilinear"}


def _is_int(v):
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool)


def _int64(v):
    if not -2**63 <= v < 2**63:
        raise TypeError(f"interpolate(): argument 'size' failed to unpack: value {v} overflows "
                        "int64")
    return int(v)


def _sizes(input, size, scale_factor, dim):
    """torch's rules: exactly one of size / scale_factor, one value or one per spatial dim."""
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate(): only one of size or scale_factor should be defined")
    spatial = list(input.shape[2:])
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    f"interpolate(): Input and output must have the same number of spatial "
                    f"dimensions, but got input with spatial dimensions of {spatial} and output "
                    f"size of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    f"format and output size in (o1, o2, ...,oK) format.")
            if not all(_is_int(v) for v in size):
                raise TypeError(f"interpolate(): expected size to be one of int or Tuple[int] "
                                f"or Tuple[int, int] or Tuple[int, int, int], but got size with "
                                f"types {[type(v) for v in size]}")
            return [_int64(v) for v in size], None
        if not _is_int(size):
            raise TypeError(f"interpolate(): argument 'size' must be int or tuple of ints, not "
                            f"{type_name(size)}")
        return [_int64(size)] * dim, None
    if scale_factor is None:
        raise ValueError("interpolate(): either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            raise ValueError(
                f"interpolate(): Input and scale_factor must have the same number of spatial "
                f"dimensions, but got input with spatial dimensions of {spatial} and "
                f"scale_factor of shape {scale_factor}. Please provide input tensor in (N, C, "
                f"d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
        factors = list(scale_factor)
    else:
        factors = [scale_factor] * dim
    for v in factors:
        if not isinstance(v, (numbers.Real, np.floating, np.integer)) or isinstance(v, bool):
            raise TypeError(f"interpolate(): argument 'scale_factor' must be float or tuple of "
                            f"floats, not {type_name(v)}")
    factors = [float(v) for v in factors]
    out = []
    for n, s in zip(spatial, factors):
        v = n * s
        if not np.isfinite(v) or abs(v) >= 2**63:
            raise RuntimeError(f"interpolate(): output size {n} * scale_factor {s} cannot be "
                               "converted to type int64_t without overflow")
        out.append(int(v))
    return out, factors


def _check_shape(input, out, mode):
    shape = tuple(input.shape)
    if mode == "area":
        if 0 in shape[2:]:
            raise RuntimeError(f"interpolate(): adaptive_avg_pool (mode='area') expected input "
                               f"to have non-zero size for non-batch dimensions, but input has "
                               f"sizes {list(shape)}")
        if min(out) < 0:
            raise RuntimeError(f"interpolate(): elements of output_size must be greater than or "
                               f"equal to 0 but received {out}")
        return
    if min(shape[2:]) <= 0 or min(out) <= 0:
        raise RuntimeError(f"interpolate(): Input and output sizes should be greater than 0, "
                           f"but got input {list(shape[2:])} and output {out}")
    if input.numel() == 0 and shape[1] == 0:
        raise RuntimeError(f"interpolate(): Non-empty {input.ndim}D data tensor expected but "
                           f"got a tensor with sizes {list(shape)}")


def _check_dtype(input, mode, antialias):
    kind = input.dtype.kind
    if kind == "f" or (kind == "u" and input.dtype.itemsize == 1 and
                       mode in ("nearest", "nearest-exact")):
        return
    extra = ""
    if kind == "u" and input.dtype.itemsize == 1 and mode in ("bilinear", "bicubic"):
        extra = " in minigrad (torch rounds and saturates uint8 results; not implemented here)"
    raise NotImplementedError(f"interpolate(): mode '{mode}' is not implemented for "
                              f"'{torch_name(input.dtype)}'{extra}")


def _axis_taps(mode, n, o, align_corners, sf, antialias, ft, dim):
    if mode in ("nearest", "nearest-exact"):
        return taps.nearest(n, o, sf, mode == "nearest-exact", ft, mode == "nearest" and dim == 2)
    if antialias:
        return taps.antialias(n, o, align_corners, sf, ft, mode == "bicubic")
    if mode == "bicubic":
        return taps.cubic(n, o, align_corners, sf, ft)
    return taps.linear(n, o, align_corners, sf, ft)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample the spatial dims of input (N, C, d1[, d2[, d3]]) to `size` or by
    `scale_factor`; matches torch.nn.functional.interpolate (all modes but 'lanczos';
    antialias for bilinear/bicubic). Differentiable, with double backward."""
    need_tensor("interpolate", input, "input", 1)
    if not isinstance(mode, str):
        raise TypeError(f"interpolate(): argument 'mode' must be str, not {type_name(mode)}")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("interpolate(): align_corners option can only be set with the "
                             "interpolating modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.ndim - 2
    out, factors = _sizes(input, size, scale_factor, dim)
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("interpolate(): recompute_scale_factor is not meaningful with an "
                         "explicit size.")
    if mode == "area" or (recompute_scale_factor is not None and recompute_scale_factor):
        factors = None
    if mode == "lanczos":
        raise NotImplementedError("interpolate(): mode 'lanczos' is not implemented in "
                                  "minigrad")
    if antialias and not (mode in ("bilinear", "bicubic") and input.ndim == 4):
        raise ValueError("interpolate(): Anti-alias option is restricted to bilinear and "
                         "bicubic modes and requires a 4-D tensor as input")
    if mode not in _MODES or input.ndim not in (3, 4, 5):
        raise NotImplementedError(
            f"interpolate(): Input Error: Only 3D, 4D and 5D input Tensors supported (got "
            f"{input.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | "
            f"area | nearest-exact (got {mode})")
    if mode in _LINEAR and _LINEAR[mode] != input.ndim:
        need = _LINEAR[mode]
        raise NotImplementedError(f"interpolate(): Got {input.ndim}D input, but {mode} mode "
                                  f"needs {need}D input")
    if mode in _LINEAR:
        need_bool("interpolate", align_corners, "align_corners")
    _check_dtype(input, mode, antialias)
    _check_shape(input, out, mode)
    if antialias and out[1] == 1 and out[0] not in (1, input.shape[2]):
        raise NotImplementedError(
            f"interpolate(): antialias=True with an output width of 1 and a resized height "
            f"(input {list(input.shape[2:])}, output {out}) is not supported: torch's CPU "
            f"kernel gives every output row the first row's value there; minigrad refuses "
            f"rather than differ")
    x = input.float() if input.dtype == np.float16 else input
    ft = np.float64 if x.dtype == np.float64 else np.float32
    for k in reversed(range(dim)):              # the last axis first, as torch's sums nest
        axis, n, o = k + 2, x.shape[k + 2], out[k]
        sf = None if factors is None else factors[k]
        if mode == "area":
            idx, w, valid, lengths = taps.area(n, o)
            x = Resample.apply(x, axis, idx, w, valid)
            xp = array_module(x.data)
            x = x / wrap(xp.asarray(lengths, dtype=x.dtype).reshape((-1,) + (1,) * (dim - k - 1)))
        elif not (antialias and n == o):        # (torch's antialias copies such an axis)
            idx, w, valid = _axis_taps(mode, n, o, align_corners, sf, antialias, ft, dim)
            x = Resample.apply(x, axis, idx, w, valid)
    if x is input:                  # (antialias with every size unchanged: a copy, as torch)
        return input.clone()
    return x.half() if input.dtype == np.float16 else x


# ---- torch's deprecated spellings: a warning, then interpolate --------------------------------
def _deprecated(name):
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """interpolate(input, size, scale_factor, mode, align_corners) after torch's deprecation
    warning; matches torch.nn.functional.upsample."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """interpolate(..., mode='nearest') after torch's deprecation warning; matches
    torch.nn.functional.upsample_nearest."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """interpolate(..., mode='bilinear', align_corners=True) after torch's deprecation
    warning; matches torch.nn.functional.upsample_bilinear."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
