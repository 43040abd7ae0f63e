"""The generic forward rules (forward_ad.py has the machinery that calls them): an op names
one as its `jvp` when its Jacobian has a shape these cover, and writes its own otherwise.

    elementwise   one tensor in, same shape out: J is diagonal, J v = J^T v = backward(v)
    linear        linear in its first input: the op of the tangent (reshape, sum, indexing)
    multilinear   linear in each input apart (a * b, a @ b): the product rule
    additive      linear in all inputs together (cat, index_add): the op of the tangents
    from_backward J v from the op's backward by the double-vjp identity (exact, two passes)
"""
from __future__ import annotations

from . import autograd
from .backend import array_module
from .forward_ad import outer_tangents


def linear(ctx, tangent, *_):
    """The rule of an op linear in its first (only tensor) input: the op of the tangent."""
    return type(ctx).apply(tangent, *ctx.inputs[1:])


def multilinear(ctx, *tangents):
    """The rule of an op linear in each tensor input separately (a*b, a@b, a+b): the sum over
    inputs with a tangent of the op with that input replaced by it (product rule)."""
    total = None
    for k, t in enumerate(tangents):
        if t is None:
            continue
        args = list(ctx.inputs)
        args[k] = t
        term = type(ctx).apply(*args)
        total = term if total is None else total + term
    return total


def additive(ctx, *tangents):
    """The rule of an op that is a sum of its tensor inputs (add, cat, stack): the op applied
    to the tangents, with zeros for inputs without one."""
    Tensor = autograd._tensor_cls()
    args = [t if t is not None else
            (zeros_like(a) if isinstance(a, Tensor) and a.dtype.kind == "f" else a)
            for a, t in zip(ctx.inputs, tangents)]
    return type(ctx).apply(*args)


def zeros_like(a):
    """The zero tangent of a constant tensor (real zeros: a * 0 is NaN where a is inf)."""
    data = a.data
    return autograd._tensor_cls()._make(array_module(data).zeros_like(data))


def or_zeros(a, t):
    """The tangent t of the operand a, or its zero: zeros for a float tensor, 0.0 for a number
    (the tangent of a constant). Anything else (indices, options) is passed on unchanged."""
    if t is not None:
        return t
    if isinstance(a, autograd._tensor_cls()):
        return zeros_like(a) if a.dtype.kind == "f" else a
    return 0.0 if isinstance(a, (int, float)) and not isinstance(a, bool) else a


def from_backward(ctx, *tangents):
    """J v from the op's own backward (the double-vjp identity): backward(u) = J^T u is linear
    in u, so the gradient of <backward(u), v> with respect to u is J v. Exact, at the price of
    two backward passes; for ops whose backward is written with differentiable ops."""
    Tensor = autograd._tensor_cls()
    from .engine import grad
    cls = type(ctx)
    us = [zeros_like(r).requires_grad_() if r.dtype.kind == "f" else None
          for r in ctx.outputs]
    operands = [a for a in tuple(ctx.inputs) + tangents if isinstance(a, Tensor)]
    differentiable = any(a.requires_grad for a in operands) or outer_tangents(*operands)
    ctx.__dict__["needs_input_grad"] = tuple(t is not None for t in tangents)
    try:
        with autograd.enable_grad():
            gins = cls.backward(ctx, *us)
            gins = gins if type(gins) is tuple else (gins,)
            total = None
            for g, t in zip(gins, tangents):
                if g is not None and t is not None:
                    term = (g * t).sum()
                    total = term if total is None else total + term
            if total is None:
                return None
            live = [u for u in us if u is not None]
            jv = grad(total, live, create_graph=True, allow_unused=True)
    finally:
        ctx.__dict__.pop("needs_input_grad", None)
    it = iter(jv)
    out = tuple(_plain(next(it), differentiable) if u is not None else None for u in us)
    return out if len(out) > 1 else out[0]


def _plain(t, differentiable):
    """A tangent from from_backward keeps a graph only when reverse mode may need it."""
    return t if t is None or differentiable else t.detach()


def tangent_sum(ctx, *tangents):
    """The sum of the tangents that exist, broadcast to the (first) output's shape."""
    total = None
    for t in tangents:
        if t is not None:
            total = t if total is None else total + t
    shape = ctx.outputs[0].shape
    return total if total is None or total.shape == shape else total.expand(*shape)


def elementwise(ctx, tangent, *_):
    """The rule of an elementwise op of one tensor: its Jacobian is diagonal, hence equal to
    its transpose, so J v = J^T v is what backward computes for the upstream gradient v."""
    ctx.__dict__["needs_input_grad"] = (True,) + (False,) * (len(ctx.inputs) - 1)
    try:
        g = type(ctx).backward(ctx, tangent)
    finally:
        ctx.__dict__.pop("needs_input_grad", None)
    return g[0] if type(g) is tuple else g
