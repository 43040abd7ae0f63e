"""cross_entropy and nll_loss with torch's exact semantics, plus the checks all losses share.

Class-index cross-entropy is one fused op on (rows, C) logits. With lse = logsumexp(x_i),
w_t = weight[t_i] (0 for ignored rows), eps = label_smoothing and K = C:
    nll_i    = w_t (lse - x_it)
    smooth_i = sum_c w_c (lse - x_ic)                     (0 for ignored rows)
    loss_i   = (1 - eps) nll_i + eps / K * smooth_i
    mean     = sum_i loss_i / sum_i w_t                    (torch divides both terms by it)
    dx_ic    = coef_i [a_i p_ic - (1 - eps) w_t [c = t_i] - eps / K w_c],
               a_i = (1 - eps) w_t + eps / K sum_c w_c,   p = softmax(x_i)
where coef_i is the upstream gradient (divided by sum w_t for mean). The forward keeps only
two numbers per row (shift and sum of exps), never log(softmax(x)).
"""
from __future__ import annotations

import functools
import warnings

import numpy as np

from ..autograd import Op, is_default_seed, is_grad_enabled, wrap
from ..backend import array_module
from ..cuda import cross_entropy as cuda_ce
from . import softmax_cpu
from .compare import where
from .index import Gather
from .softmax import log_softmax, softmax

REDUCTIONS = ("none", "mean", "sum")


# ---- checks shared by every loss ----------------------------------------------------------
def get_reduction(reduction, op, size_average=None, reduce=None, extra=()):
    """Validate `reduction`; the legacy size_average/reduce flags override it as in torch.
    `extra` names reductions valid for this loss only (kl_div's 'batchmean')."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else "mean" if size_average else "sum"
        warnings.warn(f"{op}: size_average and reduce are deprecated, use "
                      f"reduction={reduction!r} instead", UserWarning, stacklevel=3)
    if reduction not in REDUCTIONS and reduction not in extra:
        valid = ", ".join(repr(r) for r in ("none", "mean", "sum") + tuple(extra))
        raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction (expected "
                         f"one of {valid})")
    return reduction


def reduce_loss(loss, reduction):
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


def check_float(t, name, op):
    if t.dtype.kind != "f":
        raise ValueError(f"{op}: {name} must be a floating point tensor, got dtype {t.dtype}")


def check_weight_dtype(input, weight, op):
    """torch: a class weight must have the input's dtype ("expected scalar type Float...")."""
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"{op}: expected scalar type {input.dtype} but found {weight.dtype} "
                           "for weight (the class weights must have the input's dtype)")


def _class_weight(weight, n_classes, op):
    if weight is None:
        return None
    check_float(weight, "weight", op)
    if tuple(weight.shape) != (n_classes,):
        raise ValueError(f"{op}: weight must have shape ({n_classes},), one entry per class, "
                         f"got {tuple(weight.shape)}")
    return weight.data


def _class_targets(input, target, ignore_index, op, values=True):
    """Check a class-index target against input (C,), (N, C) or (N, C, d1, ...): its shape,
    and (values=True) that every target is a class or ignore_index."""
    if target.dtype.kind not in "iu":
        raise ValueError(f"{op}: class-index target must have an integer dtype (int64), got "
                         f"{target.dtype} with shape {tuple(target.shape)}; probability "
                         "targets must have the input's shape")
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have at least 1 dim (C,), got a 0-d tensor")
    if input.ndim == 1:
        expected = ()
    else:
        if target.ndim == 0 or target.shape[0] != input.shape[0]:
            got = target.shape[0] if target.ndim else "a 0-d target"
            raise ValueError(f"{op}: expected input batch_size ({input.shape[0]}) to match "
                             f"target batch_size ({got})")
        expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        raise ValueError(f"{op}: expected target of shape {expected} for input of shape "
                         f"{tuple(input.shape)}, got {tuple(target.shape)}")
    n_classes = input.shape[0] if input.ndim == 1 else input.shape[1]
    if values:
        _check_target_values(target.data, n_classes, ignore_index, op)
    return n_classes


def _check_target_values(t, n_classes, ignore_index, op):
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        value = int(t[bad].reshape(-1)[0])
        raise IndexError(f"{op}: target {value} is out of bounds for {n_classes} classes "
                         f"(valid: 0..{n_classes - 1}, or ignore_index={ignore_index})")


def _rows(input, n_classes):
    """input as (rows, C) with the class dim last (a differentiable view/copy)."""
    if input.ndim == 1:
        return input.reshape(1, n_classes)
    if input.ndim > 2:
        order = (0,) + tuple(range(2, input.ndim)) + (1,)
        input = input.permute(*order)
    rows = 1
    for n in input.shape[:-1]:          # not reshape(-1, C): C may be 0
        rows *= n
    return input.reshape(rows, n_classes)


# ---- the fused class-index cross-entropy -------------------------------------------------
class _Plan:
    """Per-row constants of one cross-entropy call, shared by its forward and backwards.
    The per-row arrays are built on first use: the CUDA kernels never need them."""

    def __init__(self, t, weight, ignore_index, eps, reduction, dtype, n_classes,
                 grad_expected=False):
        self.t, self.ignore_index, self.dtype, self.n_classes = t, ignore_index, dtype, n_classes
        self.weight, self.eps, self.reduction = weight, eps, reduction
        self.shift = self.sumexp = None         # filled by the NumPy forward
        self.exps = None                        # its exp(x - shift), for one backward (CPU)
        self.grad_expected = grad_expected      # the input needs a gradient (CUDA: fwd_grad)

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


def _lse_parts(x, plan=None):
    """(shift, sumexp) per row, logsumexp = shift + log(sumexp); fast path on CPU, which
    keeps exp(x - shift) in plan.exps when a backward will follow (torch keeps its
    log_softmax too): the backward then skips two passes."""
    if softmax_cpu.usable(x, 1):
        if plan is not None and plan.grad_expected:
            plan.exps = np.empty_like(x)
        return softmax_cpu.row_logsumexp(x, None if plan is None else plan.exps)
    xp = array_module(x)
    shift = x.max(axis=1)
    return shift, xp.exp(x - shift[:, None]).sum(axis=1)


class CrossEntropy(Op):
    @staticmethod
    def forward(ctx, x, plan):
        plan.check_values()
        xp = array_module(x)
        n_classes = x.shape[1]
        plan.shift, plan.sumexp = _lse_parts(x, plan)
        with np.errstate(divide="ignore", invalid="ignore"):
            # lse - x_t as (shift - x_t) + log(sumexp): no rounding of a large lse
            log_s = xp.log(plan.sumexp)
            loss = plan.w_t * ((plan.shift - x[plan.rows, plan.tc]) + log_s)
            if plan.eps > 0:
                w = plan.weight
                xs = x - plan.shift[:, None]
                wx = xs.sum(axis=1) if w is None else xs @ w
                w_sum = n_classes if w is None else w.sum()
                smooth = plan.valid * (w_sum * log_s - wx)   # sum_c w_c (lse - x_c)
                loss = (1 - plan.eps) * loss + plan.eps / n_classes * smooth
            if plan.reduction == "none":
                out = loss
            else:
                out = loss.sum()
                if plan.reduction == "mean":
                    out = out / plan.total
        ctx.plan = plan
        ctx.save_for_backward(x)
        return xp.asarray(out, dtype=x.dtype)

    @staticmethod
    def forward_cuda(ctx, x, plan):  # kernels/cross_entropy.cu; None: no kernel for this case
        out = cuda_ce.forward_from_plan(x, plan, with_grad=plan.grad_expected)
        if out is None:
            return CrossEntropy.forward(ctx, x, plan)
        ctx.plan = plan
        ctx.save_for_backward(x)
        return out

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return CrossEntropyBackward.apply(x, g, ctx.plan), None


class CrossEntropyBackward(Op):
    """dx = coef * (a * softmax(x) - B), B the one-hot and smoothing terms (see the top)."""

    @staticmethod
    def forward(ctx, x, g, plan):
        xp = array_module(x)
        n_classes = x.shape[1]
        eps, w = plan.eps, plan.weight
        coef = plan.coef(g)
        if plan.shift is None:                   # the forward ran on the CUDA kernels
            plan.shift, plan.sumexp = _lse_parts(x)
        a = plan.a
        ctx.plan = plan
        ctx.save_for_backward(x, g)
        scale = (coef * a / plan.sumexp).astype(x.dtype)
        if softmax_cpu.usable(x, 1):
            exps, plan.exps = plan.exps, None    # used once (a second backward recomputes)
            dx = softmax_cpu.scaled_exp_rows(x, plan.shift, scale, exps)
        else:
            dx = xp.exp(x - plan.shift[:, None]) * scale[:, None]
        dx[plan.rows, plan.tc] -= (coef * (1 - eps) * plan.w_t).astype(x.dtype)
        if eps > 0:
            dx -= (coef * (eps / n_classes))[:, None] * (1 if w is None else w)
        return dx

    @staticmethod
    def forward_cuda(ctx, x, g, plan):  # kernels/cross_entropy.cu; None: no kernel for this case
        dx = cuda_ce.backward_from_plan(x, g, plan, g_is_one=is_default_seed(g))
        if dx is None:
            return CrossEntropyBackward.forward(ctx, x, g, plan)
        ctx.plan = plan
        ctx.save_for_backward(x, g)
        return dx

    @staticmethod
    def backward(ctx, gg):
        x, g = ctx.saved_tensors                 # uses x, g; gg is the gradient w.r.t. dx
        plan, n_classes = ctx.plan, x.shape[1]
        eps, w = plan.eps, plan.weight
        a = wrap(plan.a.astype(x.dtype))
        coef = _coef_tensor(g, plan)             # (rows,), linear in g
        p = softmax(x, 1)
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
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits `input` (C,), (N, C) or (N, C, d1, ...) and class-index
    targets (shape without C) or class probabilities (input's shape); weight, ignore_index,
    label_smoothing and reductions as torch.nn.functional.cross_entropy."""
    op = "cross_entropy"
    reduction = get_reduction(reduction, op, size_average, reduce)
    check_float(input, "input", op)
    check_weight_dtype(input, weight, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be between 0.0 and 1.0, got "
                         f"{label_smoothing}")
    if target.dtype.kind == "f" and tuple(target.shape) == tuple(input.shape):
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction,
                                    label_smoothing)
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
        shape[class_dim] = n_classes
        prod = prod * wrap(w.astype(input.dtype).reshape(shape))
    if reduction == "none":
        return -prod.sum(class_dim)
    total = -prod.sum()
    return total if reduction == "sum" else total / (input.numel() // max(n_classes, 1))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities `input` (C,), (N, C) or (N, C, d1, ...)
    at class indices `target`; mean divides by the summed weights of non-ignored targets.
    Matches torch.nn.functional.nll_loss."""
    op = "nll_loss"
    reduction = get_reduction(reduction, op, size_average, reduce)
    check_float(input, "input", op)
    check_weight_dtype(input, weight, op)
    n_classes = _class_targets(input, target, ignore_index, op)
    w = _class_weight(weight, n_classes, op)
    t = target.data
    xp = array_module(t)
    valid = t != ignore_index
    tc = xp.where(valid, t, 0).astype("int64")
    w_t = valid.astype(input.dtype)
    if w is not None:
        w_t = w_t * w.astype(input.dtype)[tc]
    class_dim = 0 if input.ndim == 1 else 1
    picked = Gather.apply(input, class_dim, xp.expand_dims(tc, class_dim)).squeeze(class_dim)
    loss = -picked * wrap(w_t)
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    # mean over the target weights; when they sum to 0 (all ignored) torch gives a NaN loss
    # with a zero gradient: divide by a safe 1 and select NaN, so no inf * 0 reaches backward
    w_sum = w_t.sum()
    some = w_sum != 0
    nan = wrap(xp.full((), xp.nan, input.dtype))
    return where(wrap(some), total / wrap(xp.where(some, w_sum, 1)), nan)
