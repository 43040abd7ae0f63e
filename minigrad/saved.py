"""Saved tensors: what a node keeps for its backward, and the check that nothing wrote into
them since (torch's "modified by an inplace operation" error).

forward calls ctx.save_for_backward(...) with inputs, outputs or intermediate arrays. When the
node is recorded, `pack` maps each back to the graph: an input stays that input (a Tensor,
linked to its history), an output is kept as (index, array) (keeping the output Tensor itself
would make a reference cycle node -> output -> node), anything else becomes a constant Tensor.
ctx.saved_tensors calls `check` first when the node was released or when any in-place write
happened anywhere since the save (storage.writes moved): one int comparison otherwise.
"""
from __future__ import annotations

from . import storage


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
