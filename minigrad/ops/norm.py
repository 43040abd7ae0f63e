"""Normalize: the fused core of batch_norm (training) and layer_norm.

    xhat = (x - mean) / sqrt(var + eps)     (mean, biased var over `dims`)
    y    = xhat * w + b                     (w, b broadcast through `pshape`)
    dx   = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),  dxhat = dy * w
    dw   = sum(dy * xhat),  db = sum(dy)    (over the dims w is broadcast along)

One node instead of a dozen. backward runs on the arrays kept from forward when no graph is
being built, and otherwise recomputes xhat from the graph-linked x with ordinary ops, so
second derivatives stay exact.
"""
from __future__ import annotations

from ..autograd import Op, is_grad_enabled, wrap
from ..backend import array_module
from ..forward_ad import outer_tangents, tangent_sum


def _axes_to(shape, pshape):
    """Axes along which an array of `shape` is summed to the broadcast shape `pshape`."""
    lead = len(shape) - len(pshape)
    return tuple(range(lead)) + tuple(i + lead for i, s in enumerate(pshape)
                                      if s == 1 and shape[i + lead] != 1)


def _sum(xp, dims, a, b=None):
    """sum of a (or of a * b, without the temporary) over dims, keepdims. In the batch-norm
    case (every dim but 1 of a contiguous float NumPy array) one einsum over (N, C, rest)
    runs ~4x faster than a ufunc reduce over the non-adjacent axes 0, 2, 3."""
    if (xp.__name__ == "numpy" and a.dtype.char in "fd" and a.ndim > 2
            and tuple(dims) == (0,) + tuple(range(2, a.ndim))
            and a.flags.c_contiguous and (b is None or b.flags.c_contiguous)):
        n, c = a.shape[:2]
        ops = (a.reshape(n, c, -1),) if b is None else (a.reshape(n, c, -1), b.reshape(n, c, -1))
        s = xp.einsum("nck->c" if b is None else "nck,nck->c", *ops)
        return s.reshape((1, c) + (1,) * (a.ndim - 2))
    return (a if b is None else a * b).sum(tuple(dims), keepdims=True)


def _mean(xp, dims, a, b=None):
    s = _sum(xp, dims, a, b)
    n = 1
    for d in dims:
        n *= a.shape[d]
    return s / n if n else xp.full_like(s, xp.nan)     # mean over nothing: NaN, as torch


class Normalize(Op):
    @staticmethod
    def forward(ctx, x, w, b, dims, eps, pshape):
        xp = array_module(x)
        mean = _mean(xp, dims, x).astype(x.dtype, copy=False)
        xc = x - mean
        var = _mean(xp, dims, xc, xc).astype(x.dtype, copy=False)
        rstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype, copy=False)
        xhat = xc * rstd
        ctx.args, ctx.xhat, ctx.rstd = (dims, eps, pshape), xhat, rstd
        ctx.b_shape = None if b is None else b.shape
        ctx.save_for_backward(x, w)
        y = xhat if w is None else xhat * w.reshape(pshape)
        if b is not None:
            y = y + b.reshape(pshape)
        ctx.mark_non_differentiable(mean, var)
        return y, mean, var                  # mean and var feed BatchNorm's running stats

    @staticmethod
    def backward(ctx, g, _gmean, _gvar):
        x, w = ctx.saved_tensors
        dims, eps, pshape = ctx.args
        if is_grad_enabled():                # create_graph: differentiable recomputation
            xc = x - x.mean(dims, keepdim=True)
            rstd = 1.0 / ((xc * xc).mean(dims, keepdim=True) + eps).sqrt()
            xhat = xc * rstd
            gxhat = g if w is None else g * w.reshape(pshape)
            gx = rstd * (gxhat - gxhat.mean(dims, keepdim=True)
                         - xhat * (gxhat * xhat).mean(dims, keepdim=True))
            axes = _axes_to(x.shape, pshape)
            gw = None if w is None else (g * xhat).sum(axes).reshape(w.shape)
            gb = None if ctx.b_shape is None else g.sum(axes).reshape(ctx.b_shape)
        else:                                # plain arrays: no graph is needed
            g_, xhat, rstd = g.data, ctx.xhat, ctx.rstd
            xp = array_module(g_)
            gxhat = g_ if w is None else g_ * w.data.reshape(pshape)
            gx = wrap(rstd * (gxhat - _mean(xp, dims, gxhat)
                              - xhat * _mean(xp, dims, gxhat, xhat)))
            axes = _axes_to(g_.shape, pshape)
            gw = None if w is None else wrap(_sum(xp, axes, g_, xhat).reshape(w.shape))
            gb = None if ctx.b_shape is None else wrap(_sum(xp, axes, g_).reshape(ctx.b_shape))
        return gx, gw, gb, None, None, None

    @staticmethod
    def jvp(ctx, tx, tw, tb, *_):           # dy = w dxhat + xhat dw + db,
        x, w = ctx.saved_tensors            # dxhat = rstd (dx - mean(dx) - xhat mean(dx xhat))
        dims, eps, pshape = ctx.args
        if any(t is not None and t.requires_grad for t in (x, w, tx, tw, tb)) \
                and is_grad_enabled() or outer_tangents(x, w, tx, tw, tb):
            # a graph or an outer level's tangent is wanted: recompute xhat with ops
            xc = x - x.mean(dims, keepdim=True)
            rstd = 1.0 / ((xc * xc).mean(dims, keepdim=True) + eps).sqrt()
            xhat = xc * rstd
        else:
            xhat, rstd = wrap(ctx.xhat), wrap(ctx.rstd)
        dy = db = None
        if tx is not None:
            dy = rstd * (tx - tx.mean(dims, keepdim=True)
                         - xhat * (tx * xhat).mean(dims, keepdim=True))
            if w is not None:
                dy = dy * w.reshape(pshape)
        if tw is not None:
            term = xhat * tw.reshape(pshape)
            dy = term if dy is None else dy + term
        if tb is not None:
            db = tb.reshape(pshape)
        return tangent_sum(ctx, dy, db), None, None     # mean and var: no tangent


def normalize(x, weight, bias, dims, eps, pshape):
    """(y, mean, var): x normalised over dims, scaled by weight and shifted by bias."""
    if x.dtype.kind != "f":     # torch: "LayerNormKernelImpl" not implemented for 'Long'
        raise NotImplementedError(f"normalization (layer_norm/batch_norm): input must be a "
                                  f"floating point tensor, got {x.dtype}")
    return Normalize.apply(x, weight, bias, dims, eps, pshape)
