"""BlockGrad: the gradient of a sum of per-block scalars, computed one block at a time, with a
backward of the same kind, so that derivatives of every order stay memory-bounded.

The chunked linear cross-entropy (ops/linear_cross_entropy_chunked.py) needs gradients of

    L = sum_k F(rows_k, shared)

where rows are tensors cut into blocks of rows (the hidden states x, a per-row upstream
gradient) and shared tensors enter every block whole (the weight W, the bias). Autograd
over the whole sum would keep every block's logits for the backward: O(N x C) memory. Here:

    forward:  for each block k, rebuild F(rows_k, shared) with a local graph, take its
              gradient, keep it (rows: written at block k's rows; shared: summed), drop the
              graph. Nothing of the block survives but its gradient.
    backward: given upstream u (one per gradient), the derivative of <u, grad F> is again
              the gradient of a sum of per-block scalars,
                  F'(rows_k, u_rows_k, shared, u_shared) = sum <u, grad F(rows_k, shared)>,
              so it is BlockGrad again, with F' built from F by autograd (create_graph=True).

A block's graph lives only while the block is being computed, at any order.
"""
from __future__ import annotations

from ..autograd import Function, wrap
from ..backend import array_module
from ..engine import grad
from ..grad_mode import enable_grad


def _zeros(t):
    return wrap(array_module(t.data).zeros(t.shape, t.dtype))


def _leaf(t, sl=None):
    """A fresh leaf holding t (or its rows sl); float leaves require grad, so that F can be
    differentiated inside a block whatever the caller wants."""
    v = t.detach() if sl is None else t.detach()[sl]
    return v.requires_grad_() if v.dtype.kind == "f" else v


def _grads(f, leaves, which, create_graph):
    """The gradients of the 0-d f w.r.t. leaves[j] for j in which (None elsewhere, and where
    f does not use the leaf)."""
    out = [None] * len(leaves)
    if which and f.requires_grad:
        gs = grad(f, [leaves[j] for j in which], allow_unused=True, create_graph=create_graph)
        for j, g in zip(which, gs):
            out[j] = g
    return out


def sum_and_grads(F, blocks, n_rows, tensors, wanted):
    """(sum over blocks of F's values, the gradient of that sum w.r.t. tensors[j] for j in
    wanted, None for the others), one block at a time: each block's graph is built, used and
    dropped before the next (arguments as BlockGrad's)."""
    out = [_zeros(t) if j in wanted else None for j, t in enumerate(tensors)]
    total = 0.0
    for sl in blocks:
        with enable_grad():
            leaves = [_leaf(t, sl if j < n_rows else None) for j, t in enumerate(tensors)]
            f = F(sl, *leaves)
            gs = _grads(f, leaves, wanted, create_graph=False)
        total += float(f.data)
        for j, g in enumerate(gs):
            if g is None:
                continue
            if j < n_rows:
                out[j].data[sl] = g.data
            else:
                out[j].data += g.data
    return total, out


class BlockGrad(Function):
    """BlockGrad.apply(F, blocks, n_rows, *tensors) -> the gradients of sum_k F(sl_k, ...)
    w.r.t. every tensor (zeros for one that does not require grad, or that F does not use).

    F(sl, *tensors_k) returns a 0-d Tensor; sl is block k's slice of rows (for F to cut its
    own non-tensor data, such as integer targets); tensors_k are the first n_rows tensors cut
    to rows sl, then the rest whole. blocks is a list of row slices covering dim 0.
    """

    @staticmethod
    def forward(ctx, F, blocks, n_rows, *tensors):
        ctx.F, ctx.blocks, ctx.n_rows = F, blocks, n_rows
        ctx.save_for_backward(*tensors)
        wanted = [j for j, t in enumerate(tensors) if t.requires_grad]
        _, grads = sum_and_grads(F, blocks, n_rows, tensors, wanted)
        return tuple(g if g is not None else _zeros(t) for g, t in zip(grads, tensors))

    @staticmethod
    def backward(ctx, *us):
        tensors, F, n = ctx.saved_tensors, ctx.F, ctx.n_rows
        m = len(tensors) - n
        given = [j for j, u in enumerate(us) if u is not None]
        us = [u if u is not None else _zeros(t) for u, t in zip(us, tensors)]

        def F_next(sl, *args):
            """sum over the given upstream u of <u, grad F>, for block sl."""
            leaves = list(args[:n]) + list(args[2 * n:2 * n + m])
            u_k = list(args[n:2 * n]) + list(args[2 * n + m:])
            gs = _grads(F(sl, *leaves), leaves, given, create_graph=True)
            terms = [(g * u_k[j]).sum() for j, g in enumerate(gs) if g is not None]
            total = terms[0] if terms else leaves[0].sum() * 0.0
            for t in terms[1:]:
                total = total + t
            return total

        res = BlockGrad.apply(F_next, ctx.blocks, 2 * n, *tensors[:n], *us[:n], *tensors[n:],
                              *us[n:])
        grads = list(res[:n]) + list(res[2 * n:2 * n + m])
        return (None, None, None, *grads)

    @staticmethod
    def jvp(ctx, _f, _blocks, _n, *ts):     # the outputs are grad S, so J = the Hessian of S,
        tensors = ctx.saved_tensors         # symmetric: J v = J^T v = backward(v); an output
        if all(t is None for t in ts):      # that is a constant zero (its tensor does not
            return None                     # require grad) gets no tangent
        hv = BlockGrad.backward(ctx, *ts)[3:]
        return tuple(h if t.requires_grad else None for h, t in zip(hv, tensors))
