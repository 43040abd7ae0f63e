"""Levels: which tensors belong to which transform call, so results come back clean.

torch.func wraps the inputs of each transform call in a new "level"; what a call returns is
unwrapped to the level outside it. minigrad has one graph for everything, so it keeps the
same bookkeeping by hand:

- a transform call opens a level (a fresh integer, pushed on a stack while the call runs);
- an input that does not already require grad becomes a new leaf of that level (detached,
  requires_grad=True, registered here); one that does (an outer transform's variable, or a
  user's requires_grad tensor) goes through an identity op, so its history is kept;
- a result is "lowered" on the way out: if its graph reaches a leaf that the level outside
  can differentiate (a user's leaf, or a leaf of a transform still running outside), it is
  returned as is; otherwise it is detached, as torch's unwrapped result would be.

Forward mode (minigrad.forward_ad) keeps tangents beside tensors; detaching keeps the tangent,
so hessian's jacrev-inside-jacfwd hands its tangent-carrying gradient to the outer jvp.
Nothing here runs unless a transform is called: the engine and Function.apply are unchanged.
"""
from __future__ import annotations

import itertools
import weakref

from ..autograd import _tensor_cls

_active = []                    # the level ids of the transform calls running now, outermost first
_counter = itertools.count(1)
_leaf_level = {}                # id(leaf) -> (weakref to it, level id)


class level:
    """Context manager: a new transform level for the duration of one call."""

    def __enter__(self):
        self.id = next(_counter)
        _active.append(self.id)
        return self.id

    def __exit__(self, *exc):
        _active.remove(self.id)


def depth():
    return len(_active)


# ---- forward mode ---------------------------------------------------------------------------
def forward_ad():
    """The forward_ad module (imported here, not at the top: it imports the op package)."""
    from .. import forward_ad as fwd
    return fwd


def tangent_of(t):
    fwd = forward_ad()
    return None if fwd.state.level is None else fwd.tangent_of(t)


def forward_active():
    return forward_ad().state.level is not None


def _detach_keep_tangent(t):
    out = t.detach()
    if forward_active():
        forward_ad().copy_tangents(t, out)      # at every level (jacfwd of jacfwd)
    return out


# ---- inputs --------------------------------------------------------------------------------
def make_differentiable(x, lvl):
    """The tensor a transform hands to f in place of `x`: something whose gradient it can
    ask for, carrying x's history (if any) and x's tangent (if any)."""
    Tensor = _tensor_cls()
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if x.dtype.kind != "f":
        raise RuntimeError("only Tensors of floating point dtype can require gradients "
                           f"(got {x.dtype})")
    if x.requires_grad:
        # an identity node (not x.view_as(x), which returns x itself): its output is a new
        # variable for this level, and outer levels differentiate through it
        from ..ops.shape import Reshape
        return Reshape.apply(x, tuple(x.shape))
    leaf = _detach_keep_tangent(x).requires_grad_()
    _leaf_level[id(leaf)] = (weakref.ref(leaf, _forget(id(leaf))), lvl)
    return leaf


def _forget(key):
    def drop(ref):
        entry = _leaf_level.get(key)
        if entry is not None and entry[0] is ref:
            del _leaf_level[key]
    return drop


# ---- outputs -------------------------------------------------------------------------------
def _outer_leaf(leaf, lvl):
    """Can a level outside `lvl` differentiate with respect to this leaf?"""
    entry = _leaf_level.get(id(leaf))
    if entry is None or entry[0]() is not leaf:
        return True                             # a user's leaf
    return entry[1] != lvl and entry[1] in _active     # a running outer transform's leaf


class Lowering:
    """Decides, for the results of one transform call, which keep their graph. The nodes
    found to reach no outer leaf are remembered, so several results share one walk."""

    def __init__(self, lvl, keep_graph=True):
        self.lvl, self.keep_graph, self.clean = lvl, keep_graph, set()

    def reaches_outer(self, tensors):
        Tensor = _tensor_cls()
        lvl, clean, seen, stack = self.lvl, self.clean, set(), []
        for t in tensors:
            if isinstance(t, Tensor) and t.requires_grad:
                if t.grad_fn is None:
                    if _outer_leaf(t, lvl):
                        return True
                elif t.grad_fn not in clean:
                    stack.append(t.grad_fn)
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            for e in node._edges:
                if e is None:
                    continue
                parent, leaf = e
                if parent is None:
                    if _outer_leaf(leaf, lvl):
                        return True
                elif parent not in seen and parent not in clean:
                    stack.append(parent)
        clean |= seen
        return False

    def __call__(self, t):
        """t as the level outside sees it."""
        Tensor = _tensor_cls()
        if not isinstance(t, Tensor) or not t.requires_grad:
            return t
        if self.keep_graph and self.reaches_outer([t]):
            return t
        return _detach_keep_tangent(t)
