"""The taps of grid_sample: which input pixels each grid point reads, and with what weights,
following torch's coordinate rules (ATen's GridSampler.h and the 2-D CPU kernel).

Along one spatial axis of length n, a grid coordinate g in [-1, 1] maps to the pixel
coordinate u (unnormalize, slope s):

    align_corners:  u = (g + 1) / 2 * (n - 1)        s = (n - 1) / 2
    otherwise:      u = ((g + 1) * n - 1) / 2         s = n / 2

then, for bilinear and nearest, padding moves u into the image (c = pad(u), dc/du = gate):

    zeros       c = u                                  gate 1
    border      c = clip(u, 0, n - 1)                  gate 0 where u <= 0 or u >= n - 1
    reflection  c = clip(reflect(u)), reflected about -0.5 and n - 0.5 (about 0 and n - 1
                with align_corners), gate = +-1 (the reflection's slope) times the clip gate

    bilinear    taps floor(c) + {0, 1}, weights {1 - t, t}, t = c - floor(c)
    nearest     tap rint(c) (round half to even), weight 1: no gradient wrt the grid
    bicubic     taps floor(u) + {-1, 0, 1, 2}, each moved by the padding rule on its own
                (torch pads the integer tap, not the coordinate), cubic convolution weights
                (A = -0.75) of t = u - floor(u): cc2(t + 1), cc1(t), cc1(1 - t), cc2(2 - t)

A tap outside the image reads 0. An output is sum over taps (products over the axes) of
weight * value, so its derivative wrt the grid coordinate is the same sum with the axis'
weights replaced by their t-derivatives times m = s * gate (the order-d derivative: the
d-th t-derivative times m**d). `taps(...)` returns them for any derivative order per axis.

NaN coordinates: torch's 2-D kernel clamps NaN to 0 in clip, its 3-D kernel to n - 1; the
2-D kernel multiplies a weight by a zeroed out-of-bounds value (a NaN weight gives NaN), the
3-D kernel skips out-of-bounds taps. Both are kept (`nd` says which).
"""
from __future__ import annotations

import math

import numpy as np

from ..backend import array_module

A = -0.75                                   # torch's cubic convolution constant
DEGREE = {"bilinear": 1, "nearest": 0, "bicubic": 3}


def _cc1(x, d):
    """cc1(x) = ((A + 2) x - (A + 3)) x^2 + 1 (|x| <= 1) and its d-th derivative."""
    if d == 0:
        return ((A + 2) * x - (A + 3)) * x * x + 1
    if d == 1:
        return (3 * (A + 2) * x - 2 * (A + 3)) * x
    if d == 2:
        return 6 * (A + 2) * x - 2 * (A + 3)
    return array_module(x).full_like(x, 6 * (A + 2))


def _cc2(x, d):
    """cc2(x) = ((A x - 5A) x + 8A) x - 4A (1 < |x| < 2) and its d-th derivative."""
    if d == 0:
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    if d == 1:
        return (3 * A * x - 10 * A) * x + 8 * A
    if d == 2:
        return 6 * A * x - 10 * A
    return array_module(x).full_like(x, 6 * A)


def _weights(mode, t, d, ft):
    """The 1-D weights of each tap (d-th derivative wrt t) at fraction t."""
    if mode == "nearest":
        return [None]                       # weight 1 (d == 0 only)
    one = ft(1)
    if mode == "bilinear":
        xp = array_module(t)             # (constant slopes: a NaN t does not reach them)
        return [one - t, t] if d == 0 else [xp.full_like(t, -1), xp.full_like(t, 1)]
    sign = -1 if d % 2 else 1               # d/dt of f(1 - t) = -f'(1 - t)
    return [_cc2(t + one, d), _cc1(t, d), sign * _cc1(one - t, d), sign * _cc2(2 - t, d)]


def _clip(xp, v, n, nd):
    """clip to [0, n - 1]: NaN goes to 0 (2-D kernel) or to n - 1 (3-D kernel)."""
    if nd == 2:
        return xp.minimum(xp.where(v > 0, v, 0), n - 1).astype(v.dtype, copy=False)
    v = xp.where(v < 0, 0, v)
    return xp.where(v < n - 1, v, n - 1).astype(v.dtype, copy=False)


def _reflect(xp, u, n, align_corners, nd, ft):
    """(reflected coordinate, slope +-1) about the image's edges: torch's 2-D CPU kernel
    counts whole double flips with trunc, its 3-D kernel uses fmod and an int flip count
    (which, past the int range or for NaN, reads as even)."""
    span2 = 2 * (n - 1) if align_corners else 2 * n
    if span2 == 0:
        return xp.zeros_like(u), xp.zeros_like(u)
    base = u if align_corners else u + ft(0.5)
    a = xp.abs(base)
    if nd == 3:
        span = ft(span2 / 2)
        extra = xp.fmod(a, span)
        q = xp.floor(a / span)
        odd = (q < 2 ** 31) & (xp.fmod(q, 2) == 1)
        r = xp.where(odd, span - extra, extra)
        flip = odd
    else:
        extra = a - xp.trunc(a / ft(span2)) * ft(span2)
        other = ft(span2) - extra
        flip = extra > other
        r = xp.where(flip, other, extra)
    if not align_corners:
        r = r - ft(0.5)
    return r.astype(ft, copy=False), xp.where(flip ^ (base < 0), ft(-1), ft(1))


def _pad(xp, u, n, padding, align_corners, nd, ft):
    """(padded coordinate, its slope wrt u) for one padding mode."""
    if padding == "zeros":
        return u, None
    if padding == "border":
        gate = ((u > 0) & (u < n - 1)).astype(ft)
        return _clip(xp, u, n, nd), gate
    r, sign = _reflect(xp, u, n, align_corners, nd, ft)
    return _clip(xp, r, n, nd), sign * ((r > 0) & (r < n - 1)).astype(ft)


def _index(xp, f, n):
    """(int64 index, in-bounds mask) of float tap positions f (NaN and +-inf: out of bounds)."""
    valid = (f >= 0) & (f <= n - 1)
    return xp.where(valid, f, 0).astype(np.int64), valid


def axis_taps(g, n, mode, padding, align_corners, d, nd, ft):
    """One axis: [(index, valid, weight or None)] per tap for grid coordinates g (float ft),
    with weights differentiated d times wrt g; None when that derivative is zero."""
    if d > DEGREE[mode]:
        return None
    xp = array_module(g)
    if align_corners:
        s, u = ft((n - 1) / 2), (g + 1) / 2 * (n - 1)
    else:
        s, u = ft(n / 2), ((g + 1) * n - 1) / 2
    u = u.astype(ft, copy=False)
    if mode == "bicubic":
        f0 = xp.floor(u)
        m = s
        pos = [_pad(xp, f0 + o, n, padding, align_corners, nd, ft)[0] for o in (-1, 0, 1, 2)]
    else:
        c, gate = _pad(xp, u, n, padding, align_corners, nd, ft)
        m = s if gate is None else s * gate
        if mode == "nearest":
            f0 = xp.rint(c)
            pos = [f0]
        else:
            f0 = xp.floor(c)
            pos = [f0, f0 + 1]
        u = c
    ws = _weights(mode, (u - f0).astype(ft, copy=False), d, ft)
    if d:
        ws = [w * m ** d for w in ws]
    return [_index(xp, p, n) + (w,) for p, w in zip(pos, ws)]


def taps(grid, sizes, mode, padding, align_corners, orders, ft):
    """All taps of a grid (N, P, D) over input spatial sizes (D of them, outermost first):
    [(flat index (N, P), valid (N, P), weight (N, P) or None)], or None when the derivative
    of the given orders (one per grid coordinate: x, y[, z]) is zero."""
    nd = len(sizes)
    axes = []
    for a, n in enumerate(sizes):           # grid coordinate j = nd - 1 - a reads axis a
        j = nd - 1 - a
        with np.errstate(all="ignore"):     # NaN/inf coordinates: NaN weights, as torch's
            t = axis_taps(grid[..., j], n, mode, padding, align_corners, orders[j], nd, ft)
        if t is None:
            return None
        axes.append(t)
    out = [(None, None, None)]
    for a, n in enumerate(sizes):
        stride = math.prod(sizes[a + 1:])
        nxt = []
        for lin, valid, w in out:
            for idx, ok, wa in axes[a]:
                lin2 = idx * stride if lin is None else lin + idx * stride
                ok2 = ok if valid is None else valid & ok
                w2 = wa if w is None else (w if wa is None else w * wa)
                nxt.append((lin2, ok2, w2))
        out = nxt
    return out
