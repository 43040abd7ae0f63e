"""Gradients per sample under vmap: minigrad.func.grad when a vmap is running.

Inside vmap, the gradient of a function of one sample must be that sample's gradient. Each
differentiated input is laid out as one plain tensor with a leading dim per running vmap
(batched.to_plain; an input that is not batched, such as parameters passed with
in_dims=None, is expanded first, so every sample gets its own copy to differentiate
against), made differentiable at a new transform level (levels.py: a fresh leaf, or an
identity op that keeps an outer transform's history), and handed to the function wrapped
back as BatchedTensors. The function's logical output is one scalar per sample; a single
backward from all of them at once (a gradient of ones: the samples never interact, so this
is each sample's gradient) gives every per-sample gradient, laid out as the inputs were and
wrapped back. Levels and lowering are reverse.py's, so grad(grad(f)) under vmap keeps the
graph the outer grad needs.
"""
from __future__ import annotations

from ..autograd import _tensor_cls, enable_grad, is_grad_enabled
from ..creation import ones_like
from . import argnums as _argnums
from . import batched, levels
from .batched import from_plain, to_plain
from .pytree import tree_flatten, tree_unflatten


def grad_and_value(func, argnums, has_aux, args, kwargs):
    """(gradient of func w.r.t. args[argnums], value[, aux]) per sample of every running
    vmap; reverse._grad_and_value's result, for a call made inside vmap."""
    from .reverse import autograd_grads
    who = "grad_and_value(f)(*args)"
    vmaps = list(batched._stack)
    outer_grad = is_grad_enabled()
    Tensor = _tensor_cls()
    with levels.level() as lvl, enable_grad():
        diff = _argnums.select(args, argnums, as_tuple=False)
        flat, spec = tree_flatten(diff)
        for x in flat:
            if not isinstance(x, Tensor):
                raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        plain_in = [levels.make_differentiable(to_plain(x, vmaps), lvl) for x in flat]
        args = _argnums.replace(args, tree_unflatten([from_plain(p, vmaps) for p in plain_in],
                                                     spec), argnums)
        output = func(*args, **kwargs)
        output, aux = _argnums.scalar_output(output, has_aux, who)
        out = to_plain(output, vmaps)               # one scalar per sample
        lower = levels.Lowering(lvl, keep_graph=outer_grad)
        keep = levels.forward_active() or (outer_grad and lower.reaches_outer([out]))
        grads = autograd_grads((out,), plain_in, (ones_like(out),), retain_graph=keep,
                               create_graph=keep)
        grads = [from_plain(lower(g) if keep else g, vmaps) for g in grads]
        grads = tree_unflatten(grads, spec)
        value = from_plain(lower(out), vmaps)
        if has_aux:
            a_flat, a_spec = tree_flatten(aux)
            aux = tree_unflatten([from_plain(lower(to_plain(a, vmaps)), vmaps)
                                  if isinstance(a, Tensor) else a for a in a_flat], a_spec)
            return grads, (value, aux)
        return grads, value

