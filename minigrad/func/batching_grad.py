"""Gradients per sample under vmap: what minigrad.func.grad needs when vmap is running.

Inside vmap, the gradient of a function of one sample must be that sample's gradient. Each
differentiated input is laid out as one plain tensor with a leading dim per running vmap
(batched.to_plain; an input that is not batched, such as the parameters with in_dims=None, is
expanded first, so every sample gets its own copy to differentiate against), made a leaf, and
handed to the function wrapped back as BatchedTensors. The function's logical output is a
scalar per sample; one backward from all of them at once (a gradient of ones: the samples do
not interact, so this is each sample's gradient) gives the per-sample gradients, laid out as
the inputs were, and wrapped back.
"""
from __future__ import annotations

from ..grad_mode import enable_grad
from ..tensor import Tensor
from . import batched, pytree
from .batched import from_plain, to_plain


def grad_and_value(fn, args, kwargs, argnums=0, has_aux=False, create_graph=False):
    """((gradients of args[argnums], pytrees like them), value[, aux]) of fn, per sample of
    every running vmap. Called by minigrad.func.grad while a vmap runs."""
    from ..autograd import grad as autograd_grad
    from ..creation import ones_like
    levels = list(batched._stack)
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    args = list(args)
    leaves_in, specs = [], []
    for n in nums:
        leaves, spec = pytree.flatten(args[n])
        plain = []
        for x in leaves:
            if not isinstance(x, Tensor) or x.dtype.kind != "f":
                raise RuntimeError(f"grad: argument {n} must hold floating point Tensors, got "
                                   f"{type(x).__name__}")
            plain.append(to_plain(x, levels).detach().requires_grad_())
        leaves_in.append(plain)
        specs.append(spec)
        args[n] = pytree.unflatten([from_plain(p, levels) for p in plain], spec)
    with enable_grad():
        out = fn(*args, **kwargs)
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise RuntimeError("grad_and_value(f)(*args): output of function f should be a "
                               "tuple: (output, aux) if has_aux is True")
        out, aux = out
    if not isinstance(out, Tensor) or out.ndim != 0:
        got = type(out).__name__ if not isinstance(out, Tensor) else f"{out.ndim} dims"
        raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar "
                           f"Tensor, got {got}")
    o = to_plain(out, levels)
    flat = [p for group in leaves_in for p in group]
    grads = list(autograd_grad(o, flat, grad_outputs=ones_like(o), allow_unused=True,
                               create_graph=create_graph)) if o.requires_grad else [None] * len(
        flat)
    from ..creation import zeros_like
    grads = [zeros_like(p) if g is None else g for g, p in zip(grads, flat)]
    out_grads, k = [], 0
    for group, spec in zip(leaves_in, specs):
        out_grads.append(pytree.unflatten([from_plain(g, levels)
                                           for g in grads[k:k + len(group)]], spec))
        k += len(group)
    g = out_grads[0] if not isinstance(argnums, tuple) else tuple(out_grads)
    value = out if create_graph else from_plain(o.detach(), levels)
    return (g, (value, aux)) if has_aux else (g, value)
