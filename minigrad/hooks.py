"""Tensor hooks: functions the backward walk calls on a tensor's gradient (torch's
Tensor.register_hook and Tensor.register_post_accumulate_grad_hook).

    h = y.register_hook(fn)       fn(grad) -> None or a replacement gradient; runs when the
                                  gradient w.r.t. y is complete (all contributions summed),
                                  before it flows on (non-leaf y) or is accumulated into
                                  .grad (leaf y); in backward() and in grad() alike.
    h = w.register_post_accumulate_grad_hook(fn)
                                  fn(w) once backward() has written w.grad (leaves only):
                                  as soon as w's gradient is complete, while the walk goes
                                  on (accumulate_grad.py).
    h.remove()                    unregister (also: `with h:` removes on exit).

Where they live: a non-leaf's hooks on its grad_fn node (node._tensor_hooks: output number
-> {handle id: fn}), a leaf's in the weak dictionaries below (a Tensor has no spare slot, and
leaves are few). engine.py calls run_node_hooks, and run_leaf_hooks for grad();
accumulate_grad.py runs a leaf's hooks around its .grad write. With no hook registered
anywhere, the walk pays one attribute test per node.
"""
from __future__ import annotations

import itertools
import weakref

_ids = itertools.count()
leaf_hooks = {}         # id(leaf tensor) -> {handle id: fn}; dropped when the tensor dies
post_hooks = {}         # (a WeakKeyDictionary would compare tensors with ==, elementwise)


def _table_of(tables, t):
    """t's hook table in `tables`, made on first use and removed when t is collected."""
    table = tables.get(id(t))
    if table is None:
        table = tables[id(t)] = {}
        weakref.finalize(t, tables.pop, id(t), None)
    return table


class RemovableHandle:
    """What register_*hook returns: remove() unregisters the hook (torch's
    torch.utils.hooks.RemovableHandle)."""

    def __init__(self, table):
        self.id, self._table = next(_ids), table

    def remove(self):
        self._table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register_hook(t, fn):
    if not t.requires_grad:
        raise RuntimeError("register_hook: cannot register a hook on a tensor that doesn't "
                           "require gradient")
    if not callable(fn):
        raise TypeError(f"register_hook(): hook must be callable, not {type(fn).__name__}")
    if t.grad_fn is None:
        table = _table_of(leaf_hooks, t)
    else:
        node = t.grad_fn
        if node._tensor_hooks is None:
            node._tensor_hooks = {}
        table = node._tensor_hooks.setdefault(t._output_nr, {})
    handle = RemovableHandle(table)
    table[handle.id] = fn
    return handle


def register_post_accumulate_grad_hook(t, fn):
    if t.grad_fn is not None:
        raise RuntimeError("register_post_accumulate_grad_hook: post accumulate grad hooks "
                           "cannot be registered on non-leaf tensors")
    if not t.requires_grad:
        raise RuntimeError("register_post_accumulate_grad_hook: cannot register a hook on a "
                           "tensor that doesn't require gradient")
    if not callable(fn):
        raise TypeError(f"register_post_accumulate_grad_hook(): hook must be callable, not "
                        f"{type(fn).__name__}")
    table = _table_of(post_hooks, t)
    handle = RemovableHandle(table)
    table[handle.id] = fn
    return handle


def _apply(fns, g, what):
    for fn in list(fns.values()):
        r = fn(g)
        if r is not None:
            if tuple(r.shape) != tuple(g.shape):
                raise RuntimeError(f"hook of {what} returned a gradient of shape "
                                   f"{tuple(r.shape)}, expected {tuple(g.shape)}")
            g = r
    return g


def run_node_hooks(node, gouts):
    """The hooks of node's outputs, on their summed gradients (gouts, changed in place)."""
    for nr, fns in node._tensor_hooks.items():
        if fns and gouts[nr] is not None:
            gouts[nr] = _apply(fns, gouts[nr], f"output {nr} of {node.name()}")


def run_leaf_hooks(leaf_grads):
    """The hooks of the leaves in leaf_grads (id -> (leaf, summed grad)), changed in place."""
    for key, (t, g) in list(leaf_grads.items()):
        fns = leaf_hooks.get(id(t))
        if fns:
            leaf_grads[key] = (t, _apply(fns, g, "a leaf tensor"))

