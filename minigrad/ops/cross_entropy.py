"""cross_entropy with torch's exact semantics: class-index targets as one fused op, class
probabilities as a composition.

Class-index cross-entropy is one fused op on (rows, C) logits. With lse = logsumexp(x_i),
w_t = weight[t_i] (0 for ignored rows), eps = label_smoothing and K = C:
    nll_i    = w_t (lse - x_it)
    smooth_i = sum_c w_c (lse - x_ic)                     (0 for ignored rows)
    loss_i   = (1 - eps) nll_i + eps / K * smooth_i
    mean     = sum_i loss_i / sum_i w_t                    (torch divides both terms by it)
    dx_ic    = coef_i [a_i p_ic - (1 - eps) w_t [c = t_i] - eps / K w_c],
               a_i = (1 - eps) w_t + eps / K sum_c w_c,   p = softmax(x_i)
where coef_i is the upstream gradient (divided by sum w_t for mean). The forward keeps two
numbers per row (shift and sum of exps), never log(softmax(x)), and exp(x - shift) for one
backward when a gradient will be asked for. The reference math (_cross_entropy and
_cross_entropy_backward, NumPy or CuPy) hands its row log-sum-exp and scaled exponentials to
minigrad/cpu/softmax.py on the CPU. On CUDA the op hands the whole forward and backward to
minigrad/cuda/cross_entropy.py (kernels/cross_entropy.cu), whose training forward also writes
the gradient for g = 1 (plan.cuda_grad): the backward of loss.backward() then reads nothing.
"""
from __future__ import annotations

import functools

import numpy as np

from ..autocast_state import autocast_op
from .. import fastpath
from ..autograd import Op, is_grad_enabled, wrap
from ..backend import array_module
from ..cpu import softmax as cpu_softmax
from ..cuda import cross_entropy as cuda_ce
from .checks import need_float, not_differentiable
from .compare import where
from .index import Gather
from .loss import (_check_target_values, _class_targets, _class_weight, _rows, check_class_args,
                   check_float, check_weight_dtype, get_reduction, nll_kernel)
from .softmax import log_softmax, softmax


# ---- the fused class-index cross-entropy -------------------------------------------------
class _Plan:
    """Per-row constants of one cross-entropy call, shared by its forward and backwards.
    The per-row arrays are built on first use: the CUDA kernels never need them."""

    def __init__(self, t, weight, ignore_index, eps, reduction, dtype, n_classes,
                 grad_expected=False):
        self.t, self.ignore_index, self.dtype, self.n_classes = t, ignore_index, dtype, n_classes
        self.weight, self.eps, self.reduction = weight, eps, reduction
        self.shift = self.sumexp = None         # filled by the reference forward
        self.exps = None                        # its exp(x - shift), for one backward
        self.cuda = None                        # (stats, total) of the CUDA forward
        self.cuda_grad = None                   # the CUDA forward's gradient for g = 1
        self.grad_expected = grad_expected      # the input needs a gradient (keep exps; CUDA:
                                                # the forward writes the gradient)

    def check_values(self):
        """The target range check of the array path (the CUDA kernels check in ce_targets)."""
        _check_target_values(self.t, self.n_classes, self.ignore_index, "cross_entropy")

    @functools.cached_property
    def valid(self):
        return self.t != self.ignore_index

    @functools.cached_property
    def tc(self):                               # safe index: 0 on ignored rows
        return array_module(self.t).where(self.valid, self.t, 0).astype("int64")

    @functools.cached_property
    def rows(self):
        return array_module(self.t).arange(self.t.shape[0])

    @functools.cached_property
    def w_t(self):
        w_t = self.valid.astype(self.dtype)
        if self.weight is not None:
            w_t *= self.weight[self.tc]
        return w_t

    @functools.cached_property
    def total(self):                            # mean's divisor: sum of target weights
        return self.w_t.sum()

    @functools.cached_property
    def a(self):
        """a_i = (1 - eps) w_t + eps W / C, the softmax coefficient of dx (see the top)."""
        w = self.weight
        w_sum = self.n_classes if w is None else w.sum()
        return (1 - self.eps) * self.w_t + self.eps / self.n_classes * w_sum

    def coef(self, g):
        """Upstream gradient per row, times the mean's 1/total; 0 on ignored rows (arrays).
        An all-ignored batch has total 0: its loss is NaN but its gradient 0, as in torch."""
        xp = array_module(self.valid)
        if self.reduction == "mean":
            with np.errstate(divide="ignore", invalid="ignore"):
                g = g / self.total
        return xp.where(self.valid, g, 0).astype(g.dtype)


def _row_logsumexp(x, keep_exps):
    """(shift, sumexp, exps): logsumexp = shift + log(sumexp) per row, shift the row max;
    exps = exp(x - shift) when keep_exps (the backward then skips two passes), else None."""
    xp = array_module(x)
    shift = x.max(axis=1)
    e = xp.exp(x - shift[:, None])
    return shift, e.sum(axis=1), (e if keep_exps else None)


def _scaled_exp_rows(x, shift, scale, exps):
    """exp(x - shift) * scale per row; `exps` (those exponentials, or None) is scaled in place."""
    e = array_module(x).exp(x - shift[:, None]) if exps is None else exps
    e *= scale[:, None]
    return e


def _cross_entropy(x, plan):
    """The loss (see the top), with the per-row statistics kept in the plan for backward."""
    plan.check_values()
    xp = array_module(x)
    n_classes = x.shape[1]
    plan.shift, plan.sumexp, plan.exps = fastpath.run(
        cpu_softmax.row_logsumexp, None, _row_logsumexp, x, plan.grad_expected)
    with np.errstate(divide="ignore", invalid="ignore"):
        # lse - x_t as (shift - x_t) + log(sumexp): no rounding of a large lse
        log_s = xp.log(plan.sumexp)
        loss = plan.w_t * ((plan.shift - x[plan.rows, plan.tc]) + log_s)
        if plan.eps > 0:
            w = plan.weight
            xs = x - plan.shift[:, None]
            wx = xs.sum(axis=1) if w is None else xs @ w
            w_sum = n_classes if w is None else w.sum()
            smooth = w_sum * log_s - wx                  # sum_c w_c (lse - x_c)
            loss = (1 - plan.eps) * loss + plan.eps / n_classes * smooth
        # an ignored row is left out (0), as in torch, even when its logits hold inf or
        # NaN: a multiplication by its zero weight would give NaN there
        loss = xp.where(plan.valid, loss, 0)
        if plan.reduction == "none":
            out = loss
        else:
            out = loss.sum()
            if plan.reduction == "mean":
                out = out / plan.total
    return xp.asarray(out, dtype=x.dtype)


def _cross_entropy_backward(x, g, plan):
    """dx = coef * (a * softmax(x) - B) (see the top)."""
    n_classes = x.shape[1]
    eps, w = plan.eps, plan.weight
    coef = plan.coef(g)
    if plan.shift is None:                   # the forward ran on the CUDA kernels
        plan.shift, plan.sumexp, _ = _row_logsumexp(x, False)
    scale = (coef * plan.a / plan.sumexp).astype(x.dtype)
    exps, plan.exps = plan.exps, None        # used once (a second backward recomputes)
    dx = fastpath.run(cpu_softmax.scaled_exp_rows, None, _scaled_exp_rows, x, plan.shift, scale,
                      exps)
    dx[plan.rows, plan.tc] -= (coef * (1 - eps) * plan.w_t).astype(x.dtype)
    if eps > 0:
        dx -= (coef * (eps / n_classes))[:, None] * (1 if w is None else w)
    return dx       # (an ignored row of inf/NaN logits gets NaN here, as torch gives it)


class CrossEntropy(Op):
    @staticmethod
    def forward(ctx, x, plan):
        ctx.plan = plan
        ctx.save_for_backward(x)
        return fastpath.run(None, cuda_ce.cross_entropy, _cross_entropy, x, plan)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return CrossEntropyBackward.apply(x, g, ctx.plan), None

    @staticmethod
    def jvp(ctx, tx, _):                    # d loss_i = sum_c G_ic dx_ic, G = dloss/dx for
        x, = ctx.saved_tensors              # an upstream gradient of ones (row i of G is the
        out = ctx.outputs[0]                # gradient of loss_i: rows are independent)
        ones = wrap(array_module(out.data).ones_like(out.data))
        prod = CrossEntropyBackward.apply(x, ones, ctx.plan) * tx
        if ctx.plan.reduction == "none":
            return prod.sum(1)
        if ctx.plan.reduction == "mean" and not ctx.plan.total:
            return prod.sum() * float("nan")    # mean over no weight: NaN, as torch's tangent
        return prod.sum()                       # (its gradient is 0 there)


class CrossEntropyBackward(Op):
    """dx = coef * (a * softmax(x) - B), B the one-hot and smoothing terms (see the top)."""

    @staticmethod
    def forward(ctx, x, g, plan):
        ctx.plan = plan
        ctx.save_for_backward(x, g)
        return fastpath.run(None, cuda_ce.cross_entropy_backward, _cross_entropy_backward, x, g,
                            plan)

    @staticmethod
    def backward(ctx, gg):
        x, g = ctx.saved_tensors                 # uses x, g; gg is the gradient w.r.t. dx
        plan, n_classes = ctx.plan, x.shape[1]
        eps, w = plan.eps, plan.weight
        a = wrap(plan.a.astype(x.dtype))
        coef = _coef_tensor(g, plan)             # (rows,), linear in g
        p = softmax(x, 1)           # (an ignored row of inf/NaN logits gives NaN here, as torch)
        gx = gg_g = None
        if ctx.needs_input_grad[0]:
            # d/dx of coef * a * p: the softmax backward of u = gg * coef * a
            u = gg * (coef * a).reshape(-1, 1)
            gx = p * (u - (u * p).sum(1, keepdim=True))
        if ctx.needs_input_grad[1]:
            # d/dcoef_i = sum_c gg_ic (a_i p_ic - B_ic)
            tc = plan.tc.reshape(-1, 1)
            r = a * (gg * p).sum(1) - Gather.apply(gg, 1, tc).reshape(-1) * wrap(
                ((1 - eps) * plan.w_t).astype(x.dtype))
            if eps > 0:
                gw = gg.sum(1) if w is None else (gg * wrap(w)).sum(1)
                r = r - gw * wrap((eps / n_classes * plan.valid).astype(x.dtype))
            gg_g = _coef_transpose(r, plan, g)
        return gx, gg_g, None

    @staticmethod
    def jvp(ctx, tx, tg, _):                # out = coef(g) (a p - B), p = softmax(x): linear
        x, g = ctx.saved_tensors            # in g; d/dx through p only (softmax's symmetric J):
        out = None                          # d out = coef(dg) (a p - B) + coef a J_p dx
        if tg is not None:
            out = CrossEntropyBackward.apply(x, tg, ctx.plan)
        if tx is not None:
            p = softmax(x, 1)
            ca = (_coef_tensor(g, ctx.plan) * wrap(ctx.plan.a.astype(x.dtype))).reshape(-1, 1)
            term = ca * (p * (tx - (tx * p).sum(1, keepdim=True)))
            out = term if out is None else out + term
        return out


def _coef_tensor(g, plan):
    """Plan.coef written with ops (for double backward): g / total on valid rows, else 0."""
    if plan.reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            g = g / wrap(plan.total)
    zero = wrap(array_module(plan.valid).zeros((), g.dtype))
    return where(wrap(plan.valid), g, zero)


def _coef_transpose(r, plan, g):
    """Gradient w.r.t. g of sum_i r_i coef_i(g)."""
    r = r * wrap(plan.valid.astype(r.dtype))
    if plan.reduction == "none":
        return r
    r = r.sum()
    return (r / wrap(plan.total) if plan.reduction == "mean" else r).reshape(g.shape)


# ---- public functions ----------------------------------------------------------------------
@autocast_op("cross_entropy")
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits `input` (C,), (N, C) or (N, C, d1, ...) and class-index
    targets (shape without C) or class probabilities (input's shape); weight, ignore_index,
    label_smoothing and reductions as torch.nn.functional.cross_entropy."""
    op = "cross_entropy"
    check_class_args(input, target, ignore_index, op)
    reduction = get_reduction(reduction, op, size_average, reduce)
    check_float(input, "input", op)
    check_weight_dtype(input, weight, op)
    label_smoothing = need_float(op, label_smoothing, "label_smoothing")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    if input._batched or target._batched or weight is not None and weight._batched:  # in vmap
        from ..func import batching_fns
        return batching_fns.class_loss(cross_entropy, input, target, weight, ignore_index,
                                       reduction, {"label_smoothing": label_smoothing})
    if target.dtype.kind == "f" and tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction,
                                    label_smoothing)
    not_differentiable(weight, "weight", nll_kernel(input))
    n_classes = _class_targets(input, target, ignore_index, op, values=False)  # CrossEntropy
    w = _class_weight(weight, n_classes, op)                                   # checks them
    if w is not None and w.dtype != input.dtype:
        w = w.astype(input.dtype)
    # grad_expected: the CUDA kernel then writes the gradient in the forward pass
    plan = _Plan(target.data.reshape(-1), w, ignore_index, float(label_smoothing), reduction,
                 input.dtype, n_classes, input.requires_grad and is_grad_enabled())
    out = CrossEntropy.apply(_rows(input, n_classes), plan)
    return out.reshape(tuple(target.shape)) if reduction == "none" else out


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, eps):
    """Soft targets: -sum_c w_c t_c log_softmax(x)_c; mean divides by the number of rows."""
    op = "cross_entropy"
    if ignore_index >= 0:
        raise ValueError(f"{op}: ignore_index={ignore_index} is not supported for class "
                         "probability (floating point) targets")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    if eps > 0:
        target = target * (1 - eps) + eps / n_classes
    prod = log_softmax(input, class_dim) * target
    w = _class_weight(weight, n_classes, op)
    if w is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes        # (a weight that requires grad gets one, as torch)
        prod = prod * (weight.to(input.dtype).reshape(shape) if weight.requires_grad
                       else wrap(w.astype(input.dtype).reshape(shape)))
    if reduction == "none":
        return -prod.sum(class_dim)
    total = -prod.sum()
    return total if reduction == "sum" else total / (input.numel() // max(n_classes, 1))
