"""Resampling along one axis by fixed taps: the linear map behind every interpolate mode.

Each output position j along `axis` reads T input positions idx[j, t] with weights w[j, t]:

    y[..., j, ...] = sum_t w[j, t] * x[..., idx[j, t], ...]     (w None: y = x[..., idx[j, 0]])

(an optional boolean `valid[j, t]` drops a tap, so a zero-weight tap never turns inf into NaN:
area mode's bins have different lengths). The map is linear in x, so its backward is the
adjoint, a scatter-add of the same weights, and the adjoint's backward is the map again:
double backward at any depth. Separable modes (all of interpolate's) resample one axis at a
time.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from ..backend import array_module
from ..forward_ad import linear


def _along(a, axis, ndim):
    """A (O,) array shaped to broadcast along `axis` of an ndim-array."""
    return a.reshape((-1,) + (1,) * (ndim - axis - 1))


def _gather(x, axis, idx, w, valid):
    xp = array_module(x)
    if w is None:
        return xp.take(x, xp.asarray(idx[:, 0]), axis=axis)
    out = None
    for t in range(idx.shape[1]):           # in tap order, as torch sums them
        term = xp.take(x, xp.asarray(idx[:, t]), axis=axis) * \
            _along(xp.asarray(w[:, t], dtype=x.dtype), axis, x.ndim)
        if valid is not None:
            term = xp.where(_along(xp.asarray(valid[:, t]), axis, x.ndim), term, 0)
        out = term if out is None else out + term
    return out


def _matrix(idx, w, valid, n):
    """The dense (O, n) matrix of the map (for the adjoint: a scatter-add as one GEMM)."""
    o, taps = idx.shape
    m = np.zeros((o, n))
    weights = np.ones(idx.shape) if w is None else w.astype(np.float64)
    if valid is not None:
        weights = np.where(valid, weights, 0.0)
    np.add.at(m, (np.repeat(np.arange(o), taps), idx.ravel()), weights.ravel())
    return m


def _scatter(g, axis, idx, w, valid, n):
    xp = array_module(g)
    m = xp.asarray(_matrix(idx, w, valid, n), dtype=g.dtype)
    gm = xp.moveaxis(g, axis, -1)
    return xp.ascontiguousarray(xp.moveaxis(gm @ m, -1, axis))


class Resample(Op):
    """y = the taps (idx, w, valid) of x along `axis`; n: x's length there."""

    @staticmethod
    def forward(ctx, x, axis, idx, w, valid):
        ctx.args = axis, idx, w, valid, x.shape[axis]
        return _gather(x, axis, idx, w, valid)

    @staticmethod
    def backward(ctx, g):
        # dx = scatter-add of g with the same weights (the adjoint map)
        axis, idx, w, valid, n = ctx.args
        return ResampleAdjoint.apply(g, axis, idx, w, valid, n), None, None, None, None

    jvp = linear                # d resample(x) = resample(dx)


class ResampleAdjoint(Op):
    """dx = the adjoint of Resample applied to g; its backward is Resample itself."""

    @staticmethod
    def forward(ctx, g, axis, idx, w, valid, n):
        ctx.args = axis, idx, w, valid
        return _scatter(g, axis, idx, w, valid, n)

    @staticmethod
    def backward(ctx, gg):
        axis, idx, w, valid = ctx.args
        return Resample.apply(gg, axis, idx, w, valid), None, None, None, None, None

    jvp = linear                # linear in g
