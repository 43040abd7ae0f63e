"""The taps of each interpolate mode along one axis, with torch's coordinate conventions
(ATen's UpSample.h and UpSampleKernel.cpp). Each function maps (input length n, output length
o, ...) to (idx (o, T) int64, w (o, T) or None, valid (o, T) bool or None) as NumPy arrays
for ops/resample_axis.Resample. Coordinates are computed in `ft`, torch's opmath type
(float32 for float16/float32 inputs, float64 for float64).

    scale (align_corners)   (n - 1) / (o - 1), or 0 when o == 1
    scale (otherwise)       1 / scale_factor when one is passed (and > 0), else n / o
    source (align_corners)  scale * j
    source (half-pixel)     scale * (j + 0.5) - 0.5, clamped at 0 except for bicubic
    nearest                 min(floor(j * scale), n - 1)   (2-D: o == n copies, o == 2n: j // 2)
    nearest-exact           min(floor(half-pixel source + 0.5), n - 1)
    bicubic                 4 taps floor(src) - 1 .. + 2 clamped to the border, A = -0.75
    area                    bins [floor(j n / o), ceil((j + 1) n / o)), as adaptive_avg_pool
    antialias               PIL's filter taps: support scaled by 1 / scale when downsampling,
                            weights normalised to sum 1 (bicubic filter with a = -0.5); an
                            axis whose length does not change is copied
"""
from __future__ import annotations

import math

import numpy as np


def _scale(n, o, align_corners, sf, ft):
    if align_corners:
        return ft((n - 1) / (o - 1)) if o > 1 else ft(0)
    if sf is not None and sf > 0:
        return ft(1.0 / sf)
    return ft(n) / ft(o)


def _source(scale, j, align_corners, cubic, ft):
    if align_corners:
        return scale * j.astype(ft)
    src = scale * (j.astype(ft) + ft(0.5)) - ft(0.5)
    return src if cubic else np.maximum(src, ft(0))


def nearest(n, o, sf, exact, ft, shortcuts=False):
    """shortcuts: torch's 2-D 'nearest' kernel copies when o == n and takes j // 2 when
    o == 2n, whatever the scale factor (its 1-D and 3-D kernels do not)."""
    if shortcuts and o in (n, 2 * n):
        return (np.arange(o) // (o // n))[:, None], None, None
    scale = _scale(n, o, False, sf, ft)
    j = np.arange(o).astype(ft)
    if exact:                   # floor(source + 0.5) on the half-pixel source, as a float
        src = np.maximum(scale * (j + ft(0.5)) - ft(0.5), ft(0)) + ft(0.5)
    else:
        src = scale * j
    src = np.floor(src.astype(np.float32))
    return np.minimum(src.astype(np.int64), n - 1)[:, None], None, None


def linear(n, o, align_corners, sf, ft):
    j = np.arange(o)
    if o == n:                      # torch copies (weights 1, 0)
        return np.stack([j, j], 1), np.tile(np.array([1, 0], ft), (o, 1)), None
    real = _source(_scale(n, o, align_corners, sf, ft), j, align_corners, False, ft)
    i0 = np.minimum(real.astype(np.int64), n - 1)
    i1 = i0 + (i0 < n - 1)
    lam1 = np.clip(real - i0.astype(ft), ft(0), ft(1)).astype(ft)
    return np.stack([i0, i1], 1), np.stack([ft(1) - lam1, lam1], 1), None


def _cubic1(x, a):
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _cubic2(x, a):
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def cubic(n, o, align_corners, sf, ft):
    j = np.arange(o)
    real = _source(_scale(n, o, align_corners, sf, ft), j, align_corners, True, ft)
    i0 = np.minimum(np.floor(real.astype(np.float32)).astype(np.int64), n - 1)
    t = np.clip(real - i0.astype(ft), ft(0), ft(1)).astype(ft)
    a, one = ft(-0.75), ft(1)
    w = np.stack([_cubic2(t + one, a), _cubic1(t, a), _cubic1(one - t, a),
                  _cubic2(one - t + one, a)], 1).astype(ft)
    idx = np.clip(i0[:, None] + np.arange(-1, 3), 0, n - 1)
    return idx, w, None


def _filter_linear(x):
    x = np.abs(x)
    return np.where(x < 1, 1 - x, 0)


def _filter_cubic(x):
    a, x = -0.5, np.abs(x)
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0))


def antialias(n, o, align_corners, sf, ft, bicubic):
    interp = 4 if bicubic else 2
    scale = _scale(n, o, align_corners, sf, ft)
    support = ft(interp * 0.5) * scale if scale >= 1 else ft(interp * 0.5)
    size = int(math.ceil(support)) * 2 + 1
    invscale = ft(1) / scale if scale >= 1 else ft(1)
    filt = _filter_cubic if bicubic else _filter_linear
    idx = np.zeros((o, size), np.int64)
    w = np.zeros((o, size), ft)
    valid = np.zeros((o, size), bool)
    for i in range(o):
        center = scale * ft(i + 0.5)
        xmin = max(int(center - support + ft(0.5)), 0)
        xsize = min(max(min(int(center + support + ft(0.5)), n) - xmin, 0), size)
        k = np.arange(xsize)
        wi = filt((k + xmin - center + ft(0.5)) * invscale).astype(ft)
        total = wi.sum(dtype=ft)
        if total != 0:
            wi = wi / total
        idx[i, :xsize], w[i, :xsize], valid[i, :xsize] = xmin + k, wi, True
    return idx, w, valid


def area(n, o):
    """Bins of adaptive average pooling; the weights are 1 (the caller divides by lengths)."""
    j = np.arange(o)
    start, end = (j * n) // o, -((-(j + 1) * n) // o)
    taps = int((end - start).max()) if o else 1
    idx = np.minimum(start[:, None] + np.arange(taps), n - 1)
    valid = np.arange(taps) < (end - start)[:, None]
    return idx, np.ones((o, taps)), valid, end - start
