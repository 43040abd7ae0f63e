"""mg.autograd.graph: hooks on the tensors a graph saves for backward (torch.autograd.graph).

A node keeps some tensors for its backward (sin keeps x, exp keeps its output). Inside

    with mg.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
        y = f(x)

the node keeps pack_hook(t) instead of t, and when backward reads ctx.saved_tensors it gets
unpack_hook(that) back. That is enough to move saved tensors elsewhere (save_on_cpu), to
compress them, or not to keep them at all and recompute them (activation checkpointing,
minigrad.utils.checkpoint). Pairs nest; the innermost wins. As in torch, the in-place
version check is not done for tensors that went through hooks: the hooks own them.
The machinery is in saved.py (record_hooked, Hooked.unpack); this file is the public face.
"""
from __future__ import annotations

from . import saved
from .autograd import Op

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]


class saved_tensors_hooks:
    """Context manager: while it is active, every tensor an op saves for backward is stored
    as pack_hook(tensor), and backward gets unpack_hook(packed) back (a Tensor with the same
    value, shape and dtype). Matches torch.autograd.graph.saved_tensors_hooks; per thread."""

    on_node = None      # activation checkpointing also sees each node recorded (saved.py)

    def __init__(self, pack_hook, unpack_hook):
        for name, hook in (("pack_hook", pack_hook), ("unpack_hook", unpack_hook)):
            if not callable(hook):
                raise TypeError(f"saved_tensors_hooks(): {name} must be callable, not "
                                f"{type(hook).__name__}")
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if saved.stack.disabled is not None:
            raise RuntimeError(saved.stack.disabled)
        saved.stack.hooks = saved.stack.hooks + (self,)
        saved.active.append(self)
        return self

    def __exit__(self, *exc):
        hooks = saved.stack.hooks
        k = max(i for i, h in enumerate(hooks) if h is self)
        saved.stack.hooks = hooks[:k] + hooks[k + 1:]
        saved.active.remove(self)


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept in host memory and copied back to their device for backward
    (a no-op for CPU tensors). Matches torch.autograd.graph.save_on_cpu; pin_memory=True is
    accepted and copies synchronously (CuPy has no pinned-memory tensors here)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        self.pin_memory, self.device_type = pin_memory, device_type   # unchecked, as torch
        super().__init__(_pack_to_cpu, _unpack_from_cpu)


def _pack_to_cpu(t):
    return t.device, t.cpu()        # cpu() of a CPU tensor is the tensor itself (no copy)


def _unpack_from_cpu(packed):
    device, t = packed
    return t.to(device)


class disable_saved_tensors_hooks:
    """Inside it, entering saved_tensors_hooks (or checkpointing without reentrant autograd)
    raises RuntimeError(error_message); entering it while hooks are active raises too.
    Matches torch.autograd.graph.disable_saved_tensors_hooks."""

    def __init__(self, error_message: str):
        if not isinstance(error_message, str):
            raise TypeError(f"disable_saved_tensors_hooks(): error_message must be str, not "
                            f"{type(error_message).__name__}")
        self.error_message = error_message
        self.prev = []

    def __enter__(self):
        if saved.stack.hooks:
            raise RuntimeError(self.error_message)
        self.prev.append(saved.stack.disabled)
        saved.stack.disabled = self.error_message

    def __exit__(self, *exc):
        saved.stack.disabled = self.prev.pop()

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with disable_saved_tensors_hooks(self.error_message):
                return fn(*args, **kwargs)
        return wrapper


class SavedLeaf(Op):
    """An unpacked saved leaf under create_graph: the unpacked array, with the leaf's
    gradient edge (torch gives that tensor the leaf's gradient accumulator)."""

    @staticmethod
    def forward(ctx, leaf, data):
        return data

    @staticmethod
    def backward(ctx, g):
        return g, None

