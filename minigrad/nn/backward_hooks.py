"""Module backward hooks (torch's register_full_backward_hook / _pre_hook).

    pre_hook(module, grad_output) -> None or new grad_output    when the gradients w.r.t. the
                                                                 module's outputs are complete
    hook(module, grad_input, grad_output) -> None or new grad_input
                                                                 when those w.r.t. its inputs
                                                                 are complete

How: Module.__call__ routes the tensor inputs that require grad, and the tensor outputs,
through an identity node each (Identity below). The output node's backward sees
grad_output; the input node's backward sees grad_input, once every gradient flowing into
the inputs through the module has been summed. grad_input lines up with the positional
arguments that are tensors (None for one that does not require grad). When no input
requires grad, the hook fires at the output node with grad_input all None, as torch's does.
"""
from __future__ import annotations

import warnings

from ..autograd import Function
from ..tensor import Tensor


class Identity(Function):
    """forward returns its tensors unchanged (new Tensor objects on the same memory);
    backward hands the gradients to the BackwardHook and returns what it gives back."""

    @staticmethod
    def forward(ctx, hook, side, *tensors):
        ctx.hook, ctx.side = hook, side
        return tuple(tensors)

    @staticmethod
    def backward(ctx, *grads):
        grads = ctx.hook.on_outputs(grads) if ctx.side == "out" else ctx.hook.on_inputs(grads)
        return (None, None, *grads)

    @staticmethod
    def jvp(ctx, _, __, *tangents):     # the identity: tangents pass through unchanged
        return tangents


class BackwardHook:
    """One module call's hooks: wraps its inputs and outputs, runs the hooks in backward."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_output, self.input_slots = None, []

    def wrap_inputs(self, args):
        """args with each tensor requiring grad replaced by its identity-node output."""
        slots = [k for k, a in enumerate(args) if isinstance(a, Tensor)]
        self.input_slots = slots
        live = [k for k in slots if args[k].requires_grad]
        self.live = live
        if not live:
            return args
        outs = Identity.apply(self, "in", *[args[k] for k in live])
        args = list(args)
        for k, o in zip(live, outs):
            args[k] = o
        return tuple(args)

    def wrap_outputs(self, out):
        single = isinstance(out, Tensor)
        items = [out] if single else list(out) if isinstance(out, (tuple, list)) else None
        if items is None:
            return out
        live = [k for k, o in enumerate(items) if isinstance(o, Tensor) and o.requires_grad]
        if not live:
            return out
        self.out_live, self.n_out = live, len(items)
        wrapped = Identity.apply(self, "out", *[items[k] for k in live])
        for k, o in zip(live, wrapped):
            items[k] = o
        return items[0] if single else type(out)(items)

    def on_outputs(self, grads):
        for hook in self.pre_hooks:
            res = hook(self.module, grads)
            if res is not None:
                grads = _replacement(res, grads, "full backward pre hook")
        self.grad_output = grads
        if not self.live and self.hooks:
            warnings.warn("Full backward hook is firing when gradients are computed with "
                          "respect to module outputs since no inputs require gradients.",
                          UserWarning, stacklevel=2)
            none_in = (None,) * len(self.input_slots)
            for hook in self.hooks:
                hook(self.module, none_in, grads)
        return grads

    def on_inputs(self, grads):
        by_slot = dict(zip(self.live, grads))
        grad_input = tuple(by_slot.get(k) for k in self.input_slots)
        for hook in self.hooks:
            res = hook(self.module, grad_input, self.grad_output)
            if res is not None:
                grad_input = _replacement(res, grad_input, "full backward hook")
        return tuple(grad_input[self.input_slots.index(k)] for k in self.live)


def _replacement(res, old, what):
    res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
    if len(res) != len(old):
        raise RuntimeError(f"{what} returned {len(res)} gradients, expected {len(old)}")
    return res
