"""Views: which tensors share a base tensor's memory, and how to redo the view on another.

An op whose output may share its input's memory (reshape, permute, expand, x[basic index],
contiguous) is marked `view_of_input`; Function.apply then calls mark_view, which gives the
output a ViewInfo when the memory really is shared. An in-place write through a view uses it
to rebase the base's history (ops/inplace.py: CopySlices); a view whose storage was written
after its history was set rebuilds that history from the base before it is used (refresh).
"""
from __future__ import annotations

from . import storage
from .grad_mode import _state


class ViewInfo:
    """Held by a Tensor that shares the memory of `base`: replay(t) redoes the view ops from
    base to it on any tensor t (the op `cls` with arguments `rest`, after the parent view's
    own ops). When the storage is written in place after the view's history was set,
    refresh() rebuilds that history from the base's current one (torch does the same for
    views of a tensor whose history was rebased). `creation` is None for an ordinary view,
    else a Creation: a view that autograd refuses to rebase (torch's CreationMeta)."""
    __slots__ = ("base", "parent", "cls", "rest", "version", "creation")

    def __init__(self, base, parent, cls, rest, version, creation=None):
        self.base, self.parent, self.cls, self.rest = base, parent, cls, rest
        self.version, self.creation = version, creation

    def ops(self):
        """The view ops from the base to this view: ((cls, rest), ...), base first. (A graph
        node keeps these rather than the ViewInfo, which holds the base: no cycle.)"""
        before = () if self.parent is None else self.parent.ops()
        return before + ((self.cls, self.rest),)

    def replay(self, t):
        return replay(self.ops(), t)

    def refresh(self, view):
        if not storage._versions or not _state.grad_enabled:
            return
        now = storage.version(view.data)
        if now == self.version:
            return
        c = self.creation
        if c is not None:       # torch refuses to redo such a view's history
            if c.name is not None or self.base.requires_grad:
                raise RuntimeError(c.message(True))
            return
        self.version = now
        if self.base.requires_grad:
            fresh = self.replay(base_alias(self.base))
            view.grad_fn, view._output_nr = fresh.grad_fn, fresh._output_nr
            view.requires_grad = fresh.requires_grad


# torch's CreationMeta, less DEFAULT (None here): how a view that may not be rebased was made
MULTI, NO_GRAD, INFERENCE = "multi", "no_grad", "inference"
_SUFFIX = {
    MULTI: " This view is the output of a function that returns multiple views. Such functions "
           "do not allow the output views to be modified inplace. You should replace the "
           "inplace operation by an out-of-place one.",
    NO_GRAD: " Given that this use case is ambiguous and error-prone, it is forbidden. You can "
             "clarify your code by moving both the view and the inplace either both inside the "
             "no_grad block (if you don't want the inplace to be tracked) or both outside (if "
             "you want the inplace to be tracked).",
    INFERENCE: " Given that this use case is ambiguous and error-prone, it is forbidden. You "
               "can clarify your code by moving both the view and the inplace either both "
               "inside the inference_mode block (if you don't want the inplace to be tracked) "
               "or both outside (if you want the inplace to be tracked).",
}


class Creation:
    """Why a view may not be written in place while autograd records (torch's CreationMeta):
    kind MULTI (a piece of split/chunk/unbind), NO_GRAD or INFERENCE (made in that mode);
    `name`, `nr`: the op that made it and its output number, as torch's message names them
    (name None: the view had no grad_fn when it was made)."""
    __slots__ = ("kind", "name", "nr")

    def __init__(self, kind, name, nr):
        self.kind, self.name, self.nr = kind, name, nr

    def of_subview(self, x, view, name):
        """The Creation of a view of x (a view with this Creation) made now, in grad mode."""
        has_fn = x.requires_grad or view.base.requires_grad
        return Creation(self.kind, name if has_fn else None, 0)

    def message(self, indirect, op=None):
        """torch's error (VariableTypeUtils handle_view_on_rebase), word for word."""
        what = "its base or another view of its base has been" if indirect else "is being"
        kind, name = self.kind, self.name
        if kind != MULTI or name is None:
            prefix = "A view was created in" if name is None else \
                f"Output {self.nr} of {name} is a view of a view which was created in"
            if kind == INFERENCE:
                msg = f"{prefix} inference mode and {what} modified inplace in normal mode."
            else:
                msg = f"{prefix} no_grad mode and {what} modified inplace with grad mode enabled."
        else:
            msg = f"Output {self.nr} of {name} is a view and {what} modified inplace."
        return ("" if op is None else f"{op}: ") + msg + _SUFFIX[kind]


def mark_view(result, src, cls, rest, multi=None, nr=0):
    """Record that `result` (made by cls from src) shares src's memory, if it does. `multi`:
    torch's name of the op when result is output `nr` of one that returns several views."""
    r, a = result.data, src.data
    rb = r.base
    if rb is None or (rb is not a and rb is not a.base
                      and storage.storage_of(r) is not storage.storage_of(a)):
        return                      # a new array (the op had to copy): not a view
    info = src._view
    base = src if info is None else info.base
    old = None if info is None else info.creation
    s = _state
    if not s.grad_enabled:          # (no grad_fn: one shared Creation per kind)
        inference = s.inference or (old is not None and old.kind == INFERENCE)
        creation = _MADE_IN_INFERENCE if inference else _MADE_IN_NO_GRAD
    elif old is None and multi is None:
        creation = None             # the common case: a view torch rebases
    else:   # torch's propagate_creation_meta: inference stays, else this op's kind or the old
        kind = INFERENCE if old is not None and old.kind == INFERENCE else \
            MULTI if multi is not None else old.kind
        # the name of the view's own grad_fn, if it has one
        has_fn = src.requires_grad or base.requires_grad
        creation = Creation(kind, (multi or cls.__name__) if has_fn else None,
                            nr if multi is not None else 0)
    result._view = ViewInfo(base, info, cls, rest, storage.version(r), creation)


_MADE_IN_NO_GRAD = Creation(NO_GRAD, None, 0)
_MADE_IN_INFERENCE = Creation(INFERENCE, None, 0)


def replay(ops, t):
    """Apply the view ops `ops` (ViewInfo.ops()) to tensor t."""
    for cls, rest in ops:
        t = cls.apply(t, *rest)
    return t


def base_alias(base):
    """What to replay a view on: a new Tensor with base's memory and current history, so the
    nodes the replay builds never hold `base` itself, whose history an in-place op may rebase
    later onto a node that reaches them (a reference cycle). A leaf that requires grad is
    never rebased, and its gradient must reach it: it is used as it is."""
    if base.grad_fn is None and base.requires_grad:
        return base
    from .autograd import _tensor_cls      # lazy: autograd imports this module
    t = _tensor_cls()._make(base.data)      # a plain Tensor, even for a Parameter
    t.grad_fn, t._output_nr, t.requires_grad = base.grad_fn, base._output_nr, base.requires_grad
    return t
