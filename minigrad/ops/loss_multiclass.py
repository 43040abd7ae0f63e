"""Multi-class hinge losses with torch's exact semantics: multi_margin_loss (one class index
per sample) and multilabel_margin_loss (several class indices per sample, padded with -1).

    multi_margin:    sum_{i != y} w[y] max(0, margin - x[y] + x[i])^p / C       (p = 1 or 2)
    multilabel:      sum_{j in T} sum_{i not in T} max(0, 1 - x[j] + x[i]) / C
                     (T: the targets before the first -1; a repeated target counts twice)
Both take input (C,), (N, C) or 0-d (one class). Each is one op that computes its derivative
alongside the loss (multilabel_margin_loss in row blocks, so that the (rows, C, C) pairs never
all live in memory at once); the backward multiplies it by the incoming gradient and, as in
torch, has no derivative of its own (a second derivative raises).
"""
from __future__ import annotations

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from .arith import torch_name
from .checks import need_float, need_optional_tensor, need_tensor
from .loss import reduce_loss
from .loss_margin import enum_reduction, not_differentiable

_BLOCK = 1 << 22            # (rows, C, C) pair elements held at once


def _frames(input, op):
    """(nframe, dim) of a 0-d, (C,) or (N, C) input, with torch's check."""
    n = input.ndim
    if not ((n == 2 and input.shape[1] != 0) or (n == 1 and input.shape[0] != 0) or n == 0):
        raise RuntimeError(f"{op}: Expected non-empty vector or matrix with optional 0-dim "
                           f"batch size, but got: {list(input.shape)}")
    if n <= 1:
        return 1, 1 if n == 0 else input.shape[0]
    return input.shape[0], input.shape[1]


def _float_input(input, op, kernel):
    if input.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f'{op}: "{kernel}" not implemented for '
                                  f"'{torch_name(input.dtype)}' (input must be float32 or "
                                  "float64)")


def _long_target(target, op):
    if target.dtype != np.int64:
        raise RuntimeError(f"{op}: expected scalar type Long but found "
                           f"{torch_name(target.dtype)} (target must hold int64 class "
                           "indices)")


@autocast_op("multi_margin_loss")
def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean"):
    """Multi-class hinge loss of scores (N, C) (or (C,), 0-d) at class indices target (N,);
    weight (C,) scales each sample by its target class's weight. Matches
    torch.nn.functional.multi_margin_loss."""
    op = "multi_margin_loss"
    reduction = enum_reduction(reduction, op, size_average, reduce)
    if p != 1 and p != 2:
        raise ValueError(f"{op}: only p == 1 and p == 2 supported, got p={p!r}")
    need_optional_tensor(op, weight, "weight", 5)
    if weight is not None and weight.ndim != 1:
        raise ValueError(f"{op}: weight must be one-dimensional, got shape "
                         f"{tuple(weight.shape)}")
    need_tensor(op, input, "input", 1)
    need_tensor(op, target, "target", 2)
    margin = need_float(op, margin, "margin", 4)
    nframe, dim = _frames(input, op)
    if target.ndim > 1 or target.numel() != nframe:
        raise RuntimeError(f"{op}: target tensor should be 1-D with size equal to the number "
                           f"of input samples (batch size). Expected target size [{nframe}], "
                           f"but got {list(target.shape)}. Input has shape "
                           f"{list(input.shape)}.")
    if weight is not None and weight.numel() != dim:
        raise RuntimeError(f"{op}: inconsistent weight size, expected {dim} but got "
                           f"{list(weight.shape)}")
    not_differentiable(weight, "weight", op)
    _float_input(input, op, "multi_margin_loss_cpu_kernel")
    _long_target(target, op)
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"{op}: expected scalar type {torch_name(input.dtype)} but found "
                           f"{torch_name(weight.dtype)} (weight must have the input's dtype)")
    t = target.data.reshape(nframe)
    if t.size and bool(((t < 0) | (t >= dim)).any()):
        raise RuntimeError(f"{op}: target out of range (class indices must lie in "
                           f"[0, {dim - 1}])")
    w_t = None if weight is None else weight.data[t]
    per = MultiMargin.apply(input.reshape(nframe, dim), t, margin, int(p), w_t)
    if reduction == "none":
        return per if target.ndim > 0 else per.reshape(())
    return reduce_loss(per, reduction)


class FirstOrderOnly(Op):
    """g[:, None] * coef, the backward of a per-row loss of x whose derivative `coef` (N, C)
    was computed in its forward. x is an input only so that the result stays in the graph (as
    torch's does): as in torch, it has no derivative of its own."""

    @staticmethod
    def forward(ctx, g, x, coef, name):
        ctx.name = name
        return g[:, None] * coef

    @staticmethod
    def backward(ctx, gg):
        raise RuntimeError(f"the derivative for '{ctx.name}_backward' is not implemented (as "
                           f"in torch): {ctx.name} has first derivatives only")

    @staticmethod
    def jvp(ctx, tg, tx, *_):               # linear in g: d out = dg[:, None] coef; x has no
        if tx is not None:                  # derivative of its own (torch has none either)
            raise NotImplementedError(f"the derivative for '{ctx.name}_backward' is not "
                                      f"implemented (as in torch): {ctx.name} has first "
                                      "derivatives only")
        return None if tg is None else FirstOrderOnly.apply(tg, ctx.inputs[1], ctx.coef,
                                                            ctx.name)


class MultiMargin(Op):
    """Per-row loss of x (N, C) at class indices t (N,); saves the derivative for backward:
    d/dx[i] = w h'(z_i) / C for i != y (h' = 1, or 2 z for p = 2), d/dx[y] = -sum of those."""

    @staticmethod
    def forward(ctx, x, t, margin, p, w_t):
        xp = array_module(x)
        n, c = x.shape
        xd = x.astype(np.float64)
        rows = xp.arange(n)
        with np.errstate(invalid="ignore", over="ignore"):
            z = margin - xd[rows, t][:, None] + xd
            # torch sums only i != y with z > 0 (a NaN margin or input counts as 0, as there)
            on = (z > 0) & (xp.arange(c)[None, :] != t[:, None])
            h = xp.where(on, z, 0)
            dh = on.astype(np.float64) if p == 1 else 2 * h
            if p == 2:
                h = h * h
            if w_t is not None:
                h = h * w_t[:, None]
                dh = dh * w_t[:, None]
            dh /= c
            dh[rows, t] -= dh.sum(axis=1)
        ctx.coef = dh.astype(x.dtype)
        ctx.save_for_backward(x)
        return (h.sum(axis=1) / c).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors                  # uses x (for the graph) and ctx.coef
        return FirstOrderOnly.apply(g, x, ctx.coef, "multi_margin_loss"), None, None, None, None

    @staticmethod
    def jvp(ctx, tx, *_):                   # d loss_i = sum_c coef_ic dx_ic
        return (tx * wrap(ctx.coef)).sum(1)


class MultilabelMargin(Op):
    """Per-row loss of x (N, C) at padded targets t (N, C); the derivative (piecewise
    constant) is computed alongside and saved as a constant for backward."""

    @staticmethod
    def forward(ctx, x, t):
        xp = array_module(x)
        n, c = x.shape
        valid = xp.cumprod(t != -1, axis=1).astype(bool)       # the targets before a -1
        tc = xp.where(valid, t, 0)
        onehot = (tc[:, :, None] == xp.arange(c)) & valid[:, :, None]    # (N, K, C)
        is_target = onehot.any(axis=1)
        loss = xp.zeros(n, np.float64)
        coef = xp.zeros((n, c), np.float64)
        rows = max(1, _BLOCK // max(1, c * c))
        with np.errstate(invalid="ignore"):
            for s in range(0, n, rows):
                e = min(s + rows, n)
                xs = x[s:e].astype(np.float64)
                xt = xp.take_along_axis(xs, tc[s:e], axis=1)
                z = 1 - xt[:, :, None] + xs[:, None, :]          # (rows, K, C): j, i
                m = valid[s:e, :, None] & ~is_target[s:e, None, :] & (z > 0)
                loss[s:e] = xp.where(m, z, 0).sum(axis=(1, 2)) / c
                coef[s:e] = (m.sum(axis=1) - (m.sum(axis=2)[:, :, None]
                                              * onehot[s:e]).sum(axis=1)) / c
        ctx.coef = coef.astype(x.dtype)
        ctx.save_for_backward(x)
        return loss.astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors                  # uses x (for the graph) and ctx.coef
        # dx[i] = g (#{j: z_ji > 0} for a non-target i, -#{i: z_ji > 0} for a target j) / C
        return FirstOrderOnly.apply(g, x, ctx.coef, "multilabel_margin_loss"), None

    @staticmethod
    def jvp(ctx, tx, _):                    # d loss_i = sum_c coef_ic dx_ic
        return (tx * wrap(ctx.coef)).sum(1)


@autocast_op("multilabel_margin_loss")
def multilabel_margin_loss(input, target, size_average=None, reduce=None,
                           reduction: str = "mean"):
    """Multi-label hinge loss of scores (N, C) (or (C,), 0-d) at the class indices in target
    (same shape, int64, padded with -1 after the last one). Matches
    torch.nn.functional.multilabel_margin_loss."""
    op = "multilabel_margin_loss"
    reduction = enum_reduction(reduction, op, size_average, reduce)
    need_tensor(op, input, "input", 1)
    need_tensor(op, target, "target", 2)
    nframe, dim = _frames(input, op)
    if input.ndim <= 1:
        ok = target.ndim <= 1 and target.numel() == dim
    else:
        ok = tuple(target.shape) == tuple(input.shape)
    if not ok:
        raise RuntimeError(f"{op}: inconsistent target size: {list(target.shape)} for input "
                           f"of size: {list(input.shape)}")
    _float_input(input, op, "multilabel_margin_loss_forward_out_frame")
    _long_target(target, op)
    t = target.data.reshape(nframe, dim)
    if t.size and bool(((t < -1) | (t >= dim)).any()):
        raise RuntimeError(f"{op}: argument #2 'target' is out of range (class indices in "
                           f"[0, {dim - 1}], or -1 after the last one)")
    per = MultilabelMargin.apply(input.reshape(nframe, dim), t)
    if reduction == "none":
        return per if target.ndim > 1 else per.reshape(())
    return reduce_loss(per, reduction)
