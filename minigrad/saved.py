"""Saved tensors: what a node keeps for its backward, and the check that nothing wrote into
them since (torch's "modified by an inplace operation" error).

forward calls ctx.save_for_backward(...) with inputs, outputs or intermediate arrays. When the
node is recorded, `pack` maps each back to the graph: an input stays that input (a Tensor,
linked to its history), an output is kept as (index, array) (keeping the output Tensor itself
would make a reference cycle node -> output -> node), anything else becomes a constant Tensor.
ctx.saved_tensors goes to `unpack` (which runs `check`) when the node was released or when
any in-place write happened anywhere since the save (storage.writes moved): one int
comparison otherwise. Under saved_tensors_hooks (the end of this file) a node keeps what the
pack hook returned instead, and `unpack` hands back what the unpack hook makes of it.
"""
from __future__ import annotations

import threading

from . import storage
from .grad_mode import _GradMode, _state


class SavedOutput:
    """An output saved for backward: keeps the array, not the Tensor (which would be a cycle)."""
    __slots__ = ("index", "data", "tangent")

    def __init__(self, index, data):
        self.index, self.data, self.tangent = index, data, None  # tangent: forward_ad.py


def pack(s, args, outs, results, Tensor):
    """Map one thing forward saved back to the graph (see the top)."""
    for a in args:
        if s is a or (isinstance(a, Tensor) and s is a.data and s is not None):
            return a
    for j, o in enumerate(outs):
        if s is o or s is results[j]:
            return SavedOutput(j, results[j].data) if results[j].requires_grad else results[j]
    return s if s is None or isinstance(s, Tensor) else Tensor._make(s)


def check(node, Tensor):
    """Raise if the saved tensors were freed by a backward or written in place since."""
    if node._released:
        raise RuntimeError(
            f"{node.name()}: trying to backward through the graph a second time (or to use "
            "saved tensors after they were freed). Saved tensors are released after "
            "backward; pass retain_graph=True to the first backward to keep them.")
    if storage.writes != node._writes_at_save:  # something was written in place since
        check_versions(node, Tensor)


def check_versions(node, Tensor):
    """torch's error when a saved tensor was written in place after it was saved."""
    for s in node._saved or ():
        array = s.data if isinstance(s, (Tensor, SavedOutput)) else s
        if not hasattr(array, "base") or not storage.written_since(array,
                                                                 node._writes_at_save):
            continue
        what = f"[minigrad.{array.dtype} {list(array.shape)}]"
        if type(s) is SavedOutput:
            what += f", which is output {s.index} of {node.name()},"
        else:
            for t, e in zip(node._inputs, node._edges):
                if t is s and e is not None and e[0] is not None:
                    what += f", which is output {e[1]} of {e[0].name()},"
                    break
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {what} is at version {storage.version(array)}; expected "
            f"version {storage.version_at(array, node._writes_at_save)} instead (needed by "
            f"{node.name()}). Hint: an in-place op (x.add_(..), x += .., x[i] = ..) wrote "
            "into it, or into a view of it, after it was used; use the out-of-place op or "
            "clone() it first.")


# ---- saved-tensor hooks (torch.autograd.graph.saved_tensors_hooks; autograd_graph.py) --------
# While a pair of hooks is pushed, a node does not keep what it saves: it keeps
# pack_hook(tensor), and ctx.saved_tensors hands back unpack_hook(packed). `active` has one
# entry per pushed pair in any thread, so with none anywhere Function._record pays one
# truthiness test; the pairs themselves are kept per thread, as torch keeps them.


class _Stack(threading.local):
    hooks = ()              # this thread's pushed hook pairs, innermost last (a tuple)
    disabled = None         # disable_saved_tensors_hooks' message while it is in force


active = []                 # one entry per pushed pair, all threads (only its truth is read)
stack = _Stack()


class Hooked:
    """A saved tensor as pack_hook returned it, and how to re-link what unpack_hook returns
    to the graph: kind "out" (output `nr` of the node), "in" (input `nr`: its edge), or
    "const" (a tensor without history)."""
    __slots__ = ("packed", "unpack_hook", "kind", "nr")

    def __init__(self, packed, unpack_hook, kind, nr):
        self.packed, self.unpack_hook, self.kind, self.nr = packed, unpack_hook, kind, nr

    def unpack(self, node, Tensor):
        t = self.unpack_hook(self.packed)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(t).__name__}")
        if self.kind == "out":
            return Tensor._make(t.data, node, self.nr)
        edge = node._edges[self.nr] if self.kind == "in" else None
        if edge is None:
            return Tensor._make(t.data)
        if edge[0] is not None:                 # a non-leaf input: linked to its history
            return Tensor._make(t.data, edge[0], edge[1])
        if not _state.grad_enabled:             # plain backward: no graph is recorded anyway
            return Tensor._make(t.data)
        from .autograd_graph import SavedLeaf   # lazy: it imports autograd, which imports us
        return SavedLeaf.apply(edge[1], t.data)     # create_graph: gradients reach the leaf


def record_hooked(node, args, outs, results, Tensor):
    """Function._record's save step while hooks are pushed somewhere: pack what `node` saves
    with this thread's innermost pair (or save plainly when this thread has none)."""
    hooks = stack.hooks
    if node._to_save:
        kept = node._saved = []
        if not hooks:
            for s in node._to_save:
                kept.append(pack(s, args, outs, results, Tensor))
            node._writes_at_save = storage.writes
        else:
            top = hooks[-1]
            for s in node._to_save:
                kept.append(_pack_hooked(top, s, args, outs, results, Tensor))
            node._writes_at_save = -1   # never storage.writes: saved_tensors goes to unpack()
        node._to_save = ()
    if hooks and hooks[-1].on_node is not None:
        hooks[-1].on_node(node)         # activation checkpointing: see utils/checkpoint_frame.py


def _pack_hooked(top, s, args, outs, results, Tensor):
    if s is None:
        return None
    p = pack(s, args, outs, results, Tensor)
    if type(p) is SavedOutput:
        t, kind, nr = results[p.index], "out", p.index
    elif not isinstance(p, Tensor):
        return p                            # a Python number an op keeps: not a tensor
    else:
        t, kind, nr = p, "const", 0
        for i, a in enumerate(args):
            if a is p:
                kind, nr = "in", i
                break
    ticket = storage.writes
    with _GradMode(False):                  # as torch: the hook's own ops record no graph
        packed = top.pack_hook(t)
    if storage.writes != ticket and storage.written_since(t.data, ticket):
        raise RuntimeError(
            "A saved tensor pack hook is modifying its input in place. Tensors provided as "
            "input to pack hook cannot be modified by in-place operations as this can lead to "
            "unexpected side-effects.")
    return Hooked(packed, top.unpack_hook, kind, nr)


def unpack(node, Tensor):
    """ctx.saved_tensors when the fast path cannot answer: the node was released, its tensors
    were packed by hooks (no version check then, as torch), or something was written in place
    since the save (the version check)."""
    if node._released or node._writes_at_save >= 0:
        check(node, Tensor)
    out = []
    for s in node._saved or ():
        if type(s) is SavedOutput:
            s = Tensor._make(s.data, node, s.index)
        elif type(s) is Hooked:
            s = s.unpack(node, Tensor)
        out.append(s)
    return tuple(out)
