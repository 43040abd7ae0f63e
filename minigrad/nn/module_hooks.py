"""Module hooks: forward (pre-)hooks and full backward (pre-)hooks, and the __call__ that runs
them (mixed into nn.Module; nn/backward_hooks.py has how the backward ones fire)."""
from __future__ import annotations

from ..autograd import is_grad_enabled
from .backward_hooks import BackwardHook


class _Handle:
    """Returned by register_forward_(pre_)hook; remove() unregisters the hook."""

    def __init__(self, hooks, key):
        self.hooks, self.key = hooks, key

    def remove(self):
        self.hooks.pop(self.key, None)


class HookMethods:
    """The hook half of nn.Module (its __init__ makes the four ordered dicts)."""

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            res = hook(self, args)
            if res is not None:
                args = res if isinstance(res, tuple) else (res,)
        bw = None
        if (self._backward_hooks or self._backward_pre_hooks) and is_grad_enabled():
            bw = BackwardHook(self, list(self._backward_hooks.values()),
                              list(self._backward_pre_hooks.values()))
            args = bw.wrap_inputs(args)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            res = hook(self, args, out)
            if res is not None:
                out = res
        return out if bw is None else bw.wrap_outputs(out)

    def register_forward_pre_hook(self, hook):
        """hook(module, args) runs before forward; it may return new args."""
        key = object()
        self._forward_pre_hooks[key] = hook
        return _Handle(self._forward_pre_hooks, key)

    def register_forward_hook(self, hook):
        """hook(module, args, output) runs after forward; it may return a new output."""
        key = object()
        self._forward_hooks[key] = hook
        return _Handle(self._forward_hooks, key)

    def register_full_backward_hook(self, hook):
        """hook(module, grad_input, grad_output) when the gradients w.r.t. the module's inputs
        are complete; it may return a new grad_input (nn/backward_hooks.py)."""
        key = object()
        self._backward_hooks[key] = hook
        return _Handle(self._backward_hooks, key)

    def register_full_backward_pre_hook(self, hook):
        """hook(module, grad_output) when the gradients w.r.t. the module's outputs are
        complete; it may return a new grad_output."""
        key = object()
        self._backward_pre_hooks[key] = hook
        return _Handle(self._backward_pre_hooks, key)
