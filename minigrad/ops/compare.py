"""Selection and comparison: where, clamp, maximum, minimum, and == != < <= > >=.

All promote their operands as torch does (arith.promote). Gradients follow torch: where sends
g to the branch it picked, clamp to x inside [min, max] and to the bound it hit, maximum and
minimum split ties evenly. Comparisons give bool tensors and are never differentiable.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Op, unwrap, wrap
from ..backend import array_module
from ..dtypes import result_type
from ..forward_ad import tangent_sum
from .arith import _binary, _cast, _grad, _operand, _shape, promote, torch_name
from .checks import need_operand, need_tensor
from .shape import grad_zeros


class Clamp(Op):
    """min(max(x, lo), hi); lo/hi are scalars, None or tensors (broadcast, promoted)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.shapes = _shape(x), _shape(lo), _shape(hi)
        dt = result_type(x, lo, hi)
        x = _cast(x, dt)
        lo = None if lo is None else _cast(lo, dt)
        hi = None if hi is None else _cast(hi, dt)
        xp = array_module(x)
        out = x if lo is None else _binary(xp.maximum, x, lo, "clamp")
        out = out if hi is None else _binary(xp.minimum, out, hi, "clamp")
        if dt.kind != "f":
            return out
        # torch's clamp_backward_min_max: which of x, lo, hi the output follows
        if lo is not None and hi is not None:
            ctx.masks = ((x >= lo) & (x <= hi), (x < lo) & (lo < hi), (x > hi) | (hi < lo))
        elif lo is not None:
            ctx.masks = (x >= lo, x < lo, None)
        else:
            ctx.masks = (x <= hi, None, x > hi)
        return out

    @staticmethod
    def backward(ctx, g):
        grads = []
        for k, (mask, shape) in enumerate(zip(ctx.masks, ctx.shapes)):
            if mask is None or not ctx.needs_input_grad[k]:
                grads.append(None)
            else:
                grads.append(_grad(where(wrap(mask), g, 0.0), shape))   # (torch: NaN stays out)
        return tuple(grads)

    @staticmethod
    def jvp(ctx, tx, tlo, thi):             # d clamp = dx inside, d lo below, d hi above
        terms = [where(wrap(m), t, 0.0) for m, t in zip(ctx.masks, (tx, tlo, thi))
                 if m is not None and t is not None]
        return tangent_sum(ctx, *terms)


class Where(Op):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.cond, ctx.shapes = cond, (_shape(a), _shape(b))
        a, b, _ = promote(a, b)
        xp = array_module(cond)
        return _binary(lambda x, y: xp.where(cond, x, y), a, b, "where")

    @staticmethod
    def backward(ctx, g):
        keep = wrap(ctx.cond)
        zero = grad_zeros(g)                                    # (not g * 0: inf * 0 is nan)
        sa, sb = ctx.shapes
        ga = _grad(where(keep, g, zero), sa) if ctx.needs_input_grad[1] else None
        gb = _grad(where(keep, zero, g), sb) if ctx.needs_input_grad[2] else None
        return None, ga, gb

    @staticmethod
    def jvp(ctx, _, ta, tb):                # d where(c, a, b) = where(c, da, db)
        return tangent_sum(ctx, Where.apply(ctx.cond, 0.0 if ta is None else ta,
                                            0.0 if tb is None else tb))


class Maximum(Op):
    """Elementwise max; ties split the gradient evenly, as torch does."""
    largest = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = _shape(a), _shape(b)
        a, b, dt = promote(a, b)
        xp = array_module(a)
        pick = xp.maximum if ctx.largest else xp.minimum
        out = _binary(pick, a, b, pick.__name__)
        if dt.kind == "f":
            wins = (a > b) if ctx.largest else (a < b)
            ctx.share = (wins + 0.5 * (a == b)).astype(dt)
        return out

    @staticmethod
    def backward(ctx, g):
        share = wrap(ctx.share)             # d max = [a > b] + [a == b] / 2 for a
        sa, sb = ctx.shapes                 # (selected, as torch: NaN from above stays out)
        ga = where(wrap(ctx.share == 0), 0.0, g * share) if sa is not None else None
        gb = where(wrap(ctx.share == 1), 0.0, g * (1 - share)) if sb is not None else None
        return _grad(ga, sa), _grad(gb, sb)

    @staticmethod
    def jvp(ctx, ta, tb):                   # d max = s da + (1 - s) db, s = [a > b] + [a == b]/2
        share = wrap(ctx.share)
        return tangent_sum(ctx, None if ta is None else ta * share,
                           None if tb is None else tb * (1 - share))


class Minimum(Maximum):
    """Elementwise min: Maximum's forward and backward with min in place of max."""
    largest = False


def where(condition, input, other):
    """Pick `input` where `condition` is True, else `other` (torch.where); the branches may
    be tensors of any dtypes or scalars, promoted as torch does."""
    need_tensor("where", condition, "condition", 1)
    need_operand("where", input, "input", 2)
    need_operand("where", other, "other", 3)
    if condition._batched or getattr(input, "_batched", False) or getattr(other, "_batched",
                                                                          False):  # inside vmap
        from ..func import batching_fns
        return batching_fns.where(condition, input, other)
    cond = unwrap(condition)
    dt = cond.dtype
    if dt.kind != "b" and dt != np.uint8:   # torch still accepts uint8 (deprecated)
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {torch_name(dt)}")
    return Where.apply(cond.astype(bool, copy=False), input, other)


def maximum(input, other):
    """Elementwise max of two tensors, promoted (torch.maximum: both must be tensors)."""
    need_tensor("maximum", input, "input", 1)
    need_tensor("maximum", other, "other", 2)
    return Maximum.apply(input, other)


def minimum(input, other):
    need_tensor("minimum", input, "input", 1)
    need_tensor("minimum", other, "other", 2)
    return Minimum.apply(input, other)


def clamp(input, min=None, max=None):
    """Clamp to [min, max], numbers or tensors (torch.clamp), promoted as one op; gradients
    flow to x and to tensor bounds as torch's do."""
    need_tensor("clamp", input, "input", 1)
    for name, bound in (("min", min), ("max", max)):
        if bound is not None:
            need_operand("clamp", bound, name)
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    return Clamp.apply(input, min, max)


def compare(fn, a, b, op):
    """Comparisons promote both operands, give bool tensors and are never differentiable.
    A non-numeric operand (None, a string) gives NotImplemented, as Python expects."""
    if not _operand(b):
        return NotImplemented
    if a._batched or getattr(b, "_batched", False):          # inside vmap
        from ..func import batching_fns
        return batching_fns.compare(fn, a, b, op)
    a, b, _ = promote(unwrap(a), unwrap(b))
    return wrap(_binary(fn, a, b, op))


_COMPARISONS = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
                "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b}


def named_compare(input, other, op):
    """x.eq(other) and friends: like the operators, but a non-numeric `other` raises (the
    operators return NotImplemented, so x == None is False, as in torch)."""
    need_operand(op, other, "other", 1)
    return compare(_COMPARISONS[op], input, other, op)
