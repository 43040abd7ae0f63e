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

import math

from .. import fastpath
from ..forward_ad import from_backward, outer_tangents
from ..autograd import Function, is_grad_enabled, unwrap, wrap
from ..backend import array_module
from ..engine import grad
from ..grad_mode import enable_grad
from ..cpu import linear_cross_entropy as cpu_lce
from ..cuda import linear_cross_entropy as cuda_lce
from .block_grad import BlockGrad, _zeros, sum_and_grads
from .cross_entropy import cross_entropy
from .shape import cat


class Plan:
    """What every block needs besides the tensors: the class-index targets (probabilities
    are a tensor input instead, for their gradient), cross_entropy's options, the blocks."""

    def __init__(self, target, weight, ignore_index, label_smoothing, reduction, blocks, denom):
        self.target, self.weight, self.ignore_index = target, weight, ignore_index
        self.label_smoothing, self.reduction = label_smoothing, reduction
        self.blocks, self.denom = blocks, denom
        self.keep_buffers = False       # options.allow_retain_graph (set by the caller)
        self.n_rows = 2 if target.dtype.kind == "f" else 1   # x, and probabilities by rows


def block_loss(plan, sl, *tensors):
    """Per-row losses of rows sl: cross_entropy(linear(x_k, W, b), target_k, 'none').
    tensors: x_k[, probabilities_k], W[, b]."""
    x, W, *b = tensors[0], *tensors[plan.n_rows:]
    target = tensors[1] if plan.n_rows == 2 else plan.target[sl]
    rows = math.prod(W.shape[:-1])
    logits = x @ W.reshape(rows, W.shape[-1]).t()
    if b:
        logits = logits + b[0].reshape(rows)
    logits = logits.reshape(x.shape[0], *W.shape[:-1])
    return cross_entropy(logits, target, plan.weight, ignore_index=plan.ignore_index,
                         reduction="none", label_smoothing=plan.label_smoothing)


def _sum_and_grads(x, probs, W, b, plan, need):
    """The reference for the scalar reductions: the row losses summed over every block, and
    the gradients of that sum w.r.t. x, W, b where `need` says (else None), as arrays. Each
    block's gradient comes from autograd on the block alone, whose graph is then dropped."""
    tensors = [wrap(a) for a in (x, probs, W, b) if a is not None]
    wanted = [j for j, (a, nd) in enumerate(zip((x, W, b), need)) if nd]
    wanted = [j + (j > 0 and probs is not None) for j in wanted]    # positions in tensors
    total, out = sum_and_grads(lambda sl, *ts: block_loss(plan, sl, *ts).sum(), plan.blocks,
                               plan.n_rows, tensors, wanted)
    out = [None if o is None else o.data for o in out]
    if probs is not None:
        out.pop(1)
    return total, out + [None] * (3 - len(out))


def _cut(plan, tensors, sl):
    """Block sl's tensors: the row tensors cut to rows sl, the shared ones whole (None
    stays None: a tangent that is not given)."""
    return [t[sl] if j < plan.n_rows and t is not None else t for j, t in enumerate(tensors)]


class ChunkedLinearCrossEntropy(Function):
    """apply(plan, x[, probabilities], W[, b]): the loss, by blocks of rows of the 2-D x."""

    @staticmethod
    def forward(ctx, plan, *tensors):
        ctx.plan = plan
        ctx.save_for_backward(*tensors)
        if plan.reduction == "none":
            ctx.pre = None
            rows = [block_loss(plan, sl, *_cut(plan, tensors, sl)).data for sl in plan.blocks]
            return wrap(array_module(rows[0]).concatenate(rows))     # (N > 0: see the caller)
        n = plan.n_rows
        x, probs, W, b = tensors[0], tensors[1] if n == 2 else None, tensors[n], \
            tensors[n + 1] if len(tensors) > n + 1 else None
        need = [t is not None and t.requires_grad for t in (x, W, b)]
        total, grads = fastpath.run(cpu_lce.forward_backward, cuda_lce.forward_backward,
                                    _sum_and_grads, x.data, unwrap(probs), W.data, unwrap(b),
                                    plan, need)
        if plan.reduction == "mean":        # (all rows ignored: 0 / 0, nan as torch)
            scale = 1.0 / plan.denom if plan.denom else float("nan")
            total = total * scale
            for g in grads:                 # in place: they are ours, and (C, d)-sized
                if g is not None:
                    g *= scale
        ctx.pre = None
        if any(need):       # the gradients of (x, [probs,] W, b), zeros where not wanted
            dx, dW, db = grads
            by_tensor = [dx] + ([None] if n == 2 else []) + [dW] + ([db] if b is not None else [])
            ctx.pre = [wrap(g) if g is not None else _zeros(t) for g, t in zip(by_tensor,
                                                                                tensors)]
            if n == 2 and probs.requires_grad:
                ctx.pre[1] = None                       # (see backward: recomputed)
        return wrap(array_module(x.data).asarray(total, dtype=x.dtype))

    @staticmethod
    def backward(ctx, g):
        tensors, plan = ctx.saved_tensors, ctx.plan
        n = plan.n_rows
        if ctx.pre is not None and None not in ctx.pre and not is_grad_enabled():
            if plan.keep_buffers:           # options.allow_retain_graph: copies, kept
                return (None, *[p * g for p in ctx.pre])
            pre, ctx.pre = ctx.pre, None    # else handed over, scaled in place (no second
            for p in pre:                   # (C, d) buffer at the peak); a later backward
                p.data *= g.data            # of this graph recomputes instead
            return (None, *pre)
        if plan.reduction == "none":        # g has a value per row: one more row tensor
            def F(sl, *args):
                return (block_loss(plan, sl, *args[:n], *args[n + 1:]) * args[n]).sum()
            res = BlockGrad.apply(F, plan.blocks, n + 1, *tensors[:n], g, *tensors[n:])
            return (None, *res[:n], *res[n + 1:])
        scale = 1.0 / plan.denom if plan.reduction == "mean" else 1.0

        def F(sl, *args):
            return block_loss(plan, sl, *args[:-1]).sum() * (args[-1] * scale)
        res = BlockGrad.apply(F, plan.blocks, n, *tensors, g)
        return (None, *res[:-1])

    @staticmethod
    def jvp(ctx, _plan, *ts):               # d loss = sum over blocks k and their rows of
        tensors, plan = ctx.saved_tensors, ctx.plan     # <G_k, d logits_k> (+ the targets'
        if outer_tangents(*tensors, *ts):       # term), G_k = d loss_k / d logits_k and
            return from_backward(ctx, _plan, *ts)   # (nested levels: the backward's way)
        graph = is_grad_enabled() and any(
            t is not None and t.requires_grad for t in (*tensors, *ts))   # d logits_k =
        rows = [_block_tangent(plan, sl, _cut(plan, tensors, sl), _cut(plan, ts, sl), graph)
                for sl in plan.blocks]          # dx_k W^T + x_k dW^T + db: one block at a time
        if plan.reduction == "none":
            return rows[0] if len(rows) == 1 else cat(rows)
        total = rows[0].sum()
        for r in rows[1:]:
            total = total + r.sum()
        if plan.reduction == "mean":
            total = total * (1.0 / plan.denom if plan.denom else float("nan"))
        return total


def _block_tangent(plan, sl, tensors, tangents, graph):
    """The tangents of block sl's row losses: the gradient of the block's losses w.r.t. its
    logits (rows are independent, so one gradient of their sum gives every row's) against
    the logits' tangent, summed per row. Without a graph to keep, the block's graph is
    dropped at once (memory of one block); with one (a derivative of the tangent will be
    taken), the gradient is built with create_graph=True and lives as long as the tangent."""
    n = plan.n_rows
    x, W, *b = tensors[0], *tensors[n:]
    dx, dW, db = tangents[0], tangents[n], (tangents[n + 1] if b else None)
    target, dtarget = (tensors[1], tangents[1]) if n == 2 else (plan.target[sl], None)
    classes, d = math.prod(W.shape[:-1]), W.shape[-1]
    shape = (x.shape[0], *W.shape[:-1])
    with enable_grad():
        if not graph:
            x, W, b = x.detach(), W.detach(), [t.detach() for t in b]
        logits = x @ W.reshape(classes, d).t()
        if b:
            logits = logits + b[0].reshape(classes)
        logits = logits.reshape(shape)
        if not logits.requires_grad:
            logits = logits.detach().requires_grad_()
        if dtarget is not None and not (graph and target.requires_grad):
            target = target.detach().requires_grad_()
        loss = cross_entropy(logits, target, plan.weight, ignore_index=plan.ignore_index,
                             reduction="none", label_smoothing=plan.label_smoothing)
        wrt = [logits] + ([target] if dtarget is not None else [])
        gs = grad(loss.sum(), wrt, create_graph=graph, allow_unused=True)
    terms = [None if dx is None else dx @ W.reshape(classes, d).t(),
             None if dW is None else x @ dW.reshape(classes, d).t(),
             None if db is None else db.reshape(classes).expand(x.shape[0], classes)]
    dlogits = None
    for t in terms:
        if t is not None:
            dlogits = t if dlogits is None else dlogits + t
    out = None
    if dlogits is not None:
        out = (gs[0] * dlogits.reshape(shape)).reshape(x.shape[0], -1).sum(1)
    if dtarget is not None and gs[1] is not None:
        term = (gs[1] * dtarget).reshape(x.shape[0], -1).sum(1)
        out = term if out is None else out + term
    if out is None:
        out = wrap(array_module(x.data).zeros(x.shape[0], x.dtype))
    return out
