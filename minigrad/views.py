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
    """Held by a Tensor that shares the memory of `base`: `replay(t)` redoes the view ops from
    base to it on any tensor t. When the storage is written in place after the view's history
    was set, refresh() rebuilds that history from the base's current one (torch does the same
    for views of a tensor whose history was rebased)."""
    __slots__ = ("base", "replay", "version", "grad_mode")

    def __init__(self, base, replay, version, grad_mode):
        self.base, self.replay, self.version, self.grad_mode = base, replay, version, grad_mode

    def refresh(self, view):
        if not self.grad_mode or not storage._versions or not _state.grad_enabled:
            return
        now = storage.version(view.data)
        if now == self.version:
            return
        self.version = now
        base = self.base
        if base.requires_grad and self.grad_mode:
            fresh = self.replay(base)
            view.grad_fn, view._output_nr = fresh.grad_fn, fresh._output_nr
            view.requires_grad = fresh.requires_grad


_NO_GRAD_VIEW = ViewInfo(None, None, 0, False)   # made under no_grad: never rebased (torch
                                                # refuses in-place writes into it in grad mode)


def mark_view(result, src, cls, rest):
    """Record that `result` (made by cls from src) shares src's memory, if it does."""
    if not storage.shares_storage(result.data, src.data):
        return
    if not _state.grad_enabled:
        result._view = _NO_GRAD_VIEW
        return
    info = src._view
    if info is _NO_GRAD_VIEW:       # a view of a no-grad view: the same no-grad rules
        result._view = info
        return
    if info is None:
        base = src

        def replay(t):
            return cls.apply(t, *rest)
    else:
        base, before = info.base, info.replay

        def replay(t):
            return cls.apply(before(t), *rest)
    result._view = ViewInfo(base, replay, storage.version(result.data), _state.grad_enabled)
