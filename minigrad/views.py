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
    views of a tensor whose history was rebased)."""
    __slots__ = ("base", "parent", "cls", "rest", "version", "grad_mode")

    def __init__(self, base, parent, cls, rest, version, grad_mode):
        self.base, self.parent, self.cls, self.rest = base, parent, cls, rest
        self.version, self.grad_mode = version, grad_mode

    def ops(self):
        """The view ops from the base to this view: ((cls, rest), ...), base first. (A graph
        node keeps these rather than the ViewInfo, which holds the base: no cycle.)"""
        before = () if self.parent is None else self.parent.ops()
        return before + ((self.cls, self.rest),)

    def replay(self, t):
        return replay(self.ops(), t)

    def refresh(self, view):
        if not self.grad_mode or not storage._versions or not _state.grad_enabled:
            return
        now = storage.version(view.data)
        if now == self.version:
            return
        self.version = now
        if self.base.requires_grad:
            fresh = self.replay(base_alias(self.base))
            view.grad_fn, view._output_nr = fresh.grad_fn, fresh._output_nr
            view.requires_grad = fresh.requires_grad


_NO_GRAD_VIEW = ViewInfo(None, None, None, (), 0, False)    # made under no_grad: never rebased
                                            # (torch refuses in-place writes into it in grad mode)


def mark_view(result, src, cls, rest):
    """Record that `result` (made by cls from src) shares src's memory, if it does."""
    r, a = result.data, src.data
    rb = r.base
    if rb is None or (rb is not a and rb is not a.base
                      and storage.storage_of(r) is not storage.storage_of(a)):
        return                      # a new array (the op had to copy): not a view
    info = src._view
    if not _state.grad_enabled or info is _NO_GRAD_VIEW:
        result._view = _NO_GRAD_VIEW
    elif info is None:
        result._view = ViewInfo(src, None, cls, rest, storage.version(r), True)
    else:
        result._view = ViewInfo(info.base, info, cls, rest, storage.version(r), True)


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
