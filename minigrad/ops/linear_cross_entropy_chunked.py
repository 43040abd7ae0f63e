"""The chunked path of linear_cross_entropy: cross_entropy(linear(x, W, b), target) without
ever holding the (N, C) logits.

Rows of x are taken a block at a time (block = batch_chunk_size rows):

    logits_k = x_k @ W^T + b                       (block_rows, C): the only large buffer
    loss_k   = cross_entropy(logits_k, target_k, reduction='none', ...)     every option

    forward (mean/sum): loss = sum_k sum(loss_k) [/ denominator]; when a gradient will be
        wanted, each block's gradients (x_k's rows, and W's, b's summed) are taken right
        there from the block's local graph, as torch's chunked path does, and the block's
        graph is dropped. Backward then only scales them by the upstream gradient.
    backward that must itself be differentiable (create_graph=True), and reduction='none'
        (whose upstream gradient is per row): ops/block_grad.py recomputes each block and
        differentiates it there, at every order, so the logits never exist whole.

Extra memory: one block's logits and their softmax (O(block_rows x C)), the gradients of x
and W (O(N x d + C x d)); never O(N x C).
"""
from __future__ import annotations

from ..autograd import Function, is_grad_enabled, wrap
from ..backend import array_module
from ..grad_mode import enable_grad
from .block_grad import BlockGrad, _grads, _leaf, _zeros
from .cross_entropy import cross_entropy


class Plan:
    """What every block needs besides x, W and b: the targets and cross_entropy's options."""

    def __init__(self, target, weight, ignore_index, label_smoothing, reduction, blocks, denom):
        self.target, self.weight, self.ignore_index = target, weight, ignore_index
        self.label_smoothing, self.reduction = label_smoothing, reduction
        self.blocks, self.denom = blocks, denom


def block_loss(plan, sl, x, W, b=None):
    """Per-row losses of rows sl: cross_entropy(linear(x_k, W, b), target_k, 'none')."""
    d = W.shape[-1]
    logits = x @ W.reshape(-1, d).t()
    if b is not None:
        logits = logits + b.reshape(-1)
    logits = logits.reshape(x.shape[0], *W.shape[:-1])
    return cross_entropy(logits, plan.target[sl], plan.weight, ignore_index=plan.ignore_index,
                         reduction="none", label_smoothing=plan.label_smoothing)


class ChunkedLinearCrossEntropy(Function):
    """apply(plan, x, W[, b]): the loss, by blocks of rows of x (x is 2-D here)."""

    @staticmethod
    def forward(ctx, plan, x, W, *b):
        ctx.plan = plan
        ctx.save_for_backward(x, W, *b)
        tensors = (x, W, *b)
        if plan.reduction == "none":
            ctx.pre = None
            xp = array_module(x.data)
            rows = [block_loss(plan, sl, x[sl], W, *b).data for sl in plan.blocks]
            return wrap(xp.concatenate(rows) if rows else
                        xp.zeros((0,) + tuple(plan.target.shape[1:]), x.dtype))
        wanted = [j for j, t in enumerate(tensors) if t.requires_grad]
        ctx.pre = [_zeros(t) for t in tensors] if wanted else None
        total = x.data.dtype.type(0)
        for sl in plan.blocks:
            with enable_grad():
                leaves = [_leaf(x, sl), *(_leaf(t) for t in tensors[1:])] if wanted else \
                    [x[sl], *tensors[1:]]
                loss = block_loss(plan, sl, *leaves).sum()
                gs = _grads(loss, leaves, wanted, create_graph=False) if wanted else ()
            total = total + loss.data
            for j, g in enumerate(gs):
                if g is None:
                    continue
                if j == 0:
                    ctx.pre[0].data[sl] = g.data
                else:
                    ctx.pre[j].data += g.data
        if plan.reduction == "mean":
            total = total / plan.denom
            if ctx.pre is not None:
                for p in ctx.pre:
                    p.data /= plan.denom
        return wrap(array_module(x.data).asarray(total, dtype=x.dtype))

    @staticmethod
    def backward(ctx, g):
        tensors, plan = ctx.saved_tensors, ctx.plan
        if ctx.pre is not None and not is_grad_enabled():
            return (None, *[p * g for p in ctx.pre])
        if plan.reduction == "none":
            def F(sl, x_k, g_k, W, *b):
                return (block_loss(plan, sl, x_k, W, *b) * g_k).sum()
            res = BlockGrad.apply(F, plan.blocks, 2, tensors[0], g, *tensors[1:])
            return (None, res[0], *res[2:])
        scale = 1.0 / plan.denom if plan.reduction == "mean" else 1.0

        def F(sl, x_k, W, *rest):
            *b, g0 = rest
            return block_loss(plan, sl, x_k, W, *b).sum() * (g0 * scale)
        res = BlockGrad.apply(F, plan.blocks, 1, *tensors, g)
        return (None, *res[:-1])
