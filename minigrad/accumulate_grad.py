"""How a leaf's gradient lands in its .grad, and when (torch's AccumulateGrad node).

    .grad is None    the gradient becomes .grad as it is, unless something besides the walk
                     still refers to it or to its memory (the caller's `gradient=` tensor,
                     a tensor a hook or a custom backward kept, another leaf's .grad, a view
                     of it): then .grad gets a copy, so it never aliases memory that someone
                     else could change. torch decides the same way, by reference count
                     (`use_count`), and so do we (sys.getrefcount).
    .grad exists     the gradient is added in place: .grad keeps its identity and memory, so
                     a reference kept by user code (or a bucket view, DDP) sees the sum.
                     Under create_graph the sum is a new tensor instead, recorded in the
                     graph, so a double backward differentiates through it.

When: a leaf with a post-accumulate-grad hook (DDP's gradient reducer registers one on every
parameter) gets its .grad as soon as the walk has summed every contribution to it, and its
hooks run then, while backward goes on computing the other gradients (`Pending`). Other
leaves get theirs when the walk ends. Either way a leaf's tensor hooks run first, then the
write, then its post-accumulate hooks, one leaf after another, as torch's AccumulateGrad runs.
"""
from __future__ import annotations

import sys

from . import backend, hooks, storage


def land(t, g, create_graph, owned, held):
    """Write gradient tensor g into leaf t's .grad (after t's hooks; its post-accumulate hooks
    follow). `owned`: ids of arrays already given to a .grad in this backward; `held`: how
    many references to g the caller holds besides the one it passes."""
    fns = hooks.leaf_hooks.get(id(t)) if hooks.leaf_hooks else None
    if fns:
        r = hooks._apply(fns, g, "a leaf tensor")
        if r is not g:
            held = 0            # a new tensor: only this frame (and whoever the hook told)
        g = r
        del r
    if create_graph:
        t.grad = g if t.grad is None else t.grad + g
    elif t.grad is None:
        if g.grad_fn is not None or not _exclusive(g, held + 1) or id(g.data) in owned:
            g = type(g)._make(g.data.copy())
        owned.add(id(g.data))
        t.grad = g
    else:
        _add_into(t, g)
    fns = hooks.post_hooks.get(id(t)) if hooks.post_hooks else None
    if fns:
        for fn in list(fns.values()):
            fn(t)


def _add_into(t, g):
    """t.grad += g in place (a new tensor where .grad's memory cannot take it: read-only,
    another dtype or shape, which only a user's assignment to .grad makes)."""
    old = t.grad.data
    if old.dtype != g.data.dtype or old.shape != g.data.shape or not old.flags.writeable:
        t.grad = type(g)._make(old + g.data)
        return
    backend.array_module(old).add(old, g.data, out=old)
    storage.bump(old)


def zero_grad_in_place(p):
    """p.grad = 0 keeping its identity and memory (zero_grad(set_to_none=False), as torch:
    the next backward then accumulates into the same memory); a .grad with a graph is
    detached from it first."""
    g = p.grad
    if g.grad_fn is not None:
        g = p.grad = g.detach()
    g.requires_grad = False
    if not g.data.flags.writeable:
        p.grad = type(g)._make(backend.array_module(g.data).zeros_like(g.data))
        return
    g.data[...] = 0
    storage.bump(g.data)


def count_refs(obj):
    return sys.getrefcount(obj)


def _calibrate():
    """The reference counts _exclusive sees when nothing else holds the tensor and its array:
    measured, not assumed, since they differ between Python versions."""
    import numpy as np

    class Probe:
        __slots__ = ("data",)

    probe = Probe()
    probe.data = np.empty(1)
    return _probe_counts(probe)


def _probe_counts(g):
    return count_refs(g), count_refs(g.data)


def _exclusive(g, held):
    """Whether only the walk refers to gradient tensor g (its caller's `held` references) and
    only g to its array (an owning array: a view shares memory by definition)."""
    tensor_refs, array_refs = _probe_counts(g)
    return (tensor_refs <= _BASE[0] + held and array_refs <= _BASE[1]
            and getattr(g.data, "base", None) is None)


_BASE = _calibrate()


class Pending:
    """The leaves with post-accumulate hooks that the walk will reach, with how many graph
    edges still have to deliver a gradient to each; `arrive` lands a leaf's .grad when its
    last edge has been walked."""

    def __init__(self, nodes, given):
        self.left = {}
        watched = hooks.post_hooks
        for node in nodes:
            for e in node._edges:
                if e is not None and e[0] is None and id(e[1]) in watched \
                        and id(e[1]) not in given:
                    self.left[id(e[1])] = self.left.get(id(e[1]), 0) + 1

    def arrive(self, leaf, leaf_grads, create_graph, owned):
        """One edge to `leaf` has been walked (its gradient, if any, is in leaf_grads)."""
        key = id(leaf)
        left = self.left[key] - 1
        if left:
            self.left[key] = left
            return
        del self.left[key]
        pair = leaf_grads.pop(key, None)
        if pair is not None:
            g = pair[1]
            del pair
            land(leaf, g, create_graph, owned, 1)
