"""Reverse-mode transforms: grad, grad_and_value, vjp, jacrev (torch.func's, on minigrad's engine).

Each call runs f once with its differentiated inputs made into tensors that require grad
(levels.py), then asks the engine for gradients. The gradient is computed with
create_graph=True whenever something outside the call may differentiate it again (an outer
transform, a user's requires_grad tensor, a forward-mode tangent), so transforms nest:
grad(grad(f)), jacrev(jacrev(f)), jacfwd(jacrev(f)). Otherwise the graph is not kept and
the results are plain tensors, as torch's.

A vjp costs one backward pass per cotangent, so jacrev, which needs one per output element,
is the cheap way to a Jacobian when outputs are few (a loss) and inputs many.
"""
from __future__ import annotations

import functools

from ..autograd import _tensor_cls, enable_grad, is_grad_enabled
from ..creation import zeros_like
from ..engine import grad as autograd_grad
from . import argnums as _argnums
from . import batched, batching_grad, levels
from .batched import RawArrayOfBatched
from .batching_transforms import Layout, map_new_levels
from .pytree import tree_flatten, tree_unflatten


def autograd_grads(outputs, inputs, grad_outputs=None, retain_graph=False, create_graph=True):
    """torch.func's _autograd_grad: gradients of the outputs that require grad with respect
    to every input, zeros for an input they do not reach (never None)."""
    if grad_outputs is None:
        pairs = [(o, None) for o in outputs if o.requires_grad]
    else:
        pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return tuple(zeros_like(x) for x in inputs)
    outs = [o for o, _ in pairs]
    gouts = None if grad_outputs is None else [g for _, g in pairs]
    res = autograd_grad(outs, list(inputs), gouts, retain_graph=retain_graph,
                        create_graph=create_graph, allow_unused=True)
    return tuple(zeros_like(x) if g is None else g for g, x in zip(res, inputs))


def _lower_tree(tree, lower, what):
    leaves, spec = tree_flatten(tree)
    Tensor = _tensor_cls()
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(x)}"
                               + (f" (in {what})" if what else ""))
    return tree_unflatten([lower(x) for x in leaves], spec)


# ---- grad and grad_and_value ---------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient of func w.r.t. args[argnums], func's value); with
    has_aux, func returns (scalar, aux) and the result is (grad, (value, aux)).
    Matches torch.func.grad_and_value."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return _grad_and_value(func, argnums, has_aux, args, kwargs)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function computing the gradient of scalar-valued func w.r.t. args[argnums] (a pytree
    of tensors, or a tuple of them for a tuple argnums); with has_aux, (grad, aux).
    Matches torch.func.grad; it composes (grad(grad(f)), vmap(grad(f)))."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = _grad_and_value(func, argnums, has_aux, args, kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def _grad_and_value(func, argnums, has_aux, args, kwargs):
    if batched._stack:                  # inside vmap: per-sample gradients (batching_grad.py)
        return batching_grad.grad_and_value(func, argnums, has_aux, args, kwargs)
    who = "grad_and_value(f)(*args)"
    outer_grad = is_grad_enabled()
    with levels.level() as lvl, enable_grad():
        diff = _argnums.select(args, argnums, as_tuple=False)
        flat, spec = tree_flatten(diff)
        flat_in = [levels.make_differentiable(x, lvl) for x in flat]
        args = _argnums.replace(args, tree_unflatten(flat_in, spec), argnums)
        output = func(*args, **kwargs)
        output, aux = _argnums.scalar_output(output, has_aux, who)
        lower = levels.Lowering(lvl, keep_graph=outer_grad)
        keep = levels.forward_active() or (outer_grad and lower.reaches_outer([output]))
        grads = autograd_grads((output,), flat_in, retain_graph=keep, create_graph=keep)
        if keep:
            grads = [lower(g) for g in grads]
        grads = tree_unflatten(grads, spec)
        output = lower(output)
        if has_aux:
            aux = _lower_tree(aux, lower, "")
            return grads, (output, aux)
        return grads, output


# ---- vjp -----------------------------------------------------------------------------------
def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) returns, as a tuple shaped like
    primals, the vector-Jacobian products cotangents^T J. vjp_fn may be called many times.
    Matches torch.func.vjp."""
    return vjp_with_argnums(func, primals, None, has_aux)


def vjp_with_argnums(func, primals, argnums, has_aux, who="vjp(f, *primals)"):
    outer_grad = is_grad_enabled()
    Tensor = _tensor_cls()
    lay = Layout()              # inside vmap: per sample (batching_transforms.py)
    with levels.level() as lvl, enable_grad():
        if argnums is None:
            diff = primals
        else:
            diff = _argnums.select(primals, argnums, as_tuple=False)
        flat, pspec = tree_flatten(diff)
        flat_in = [levels.make_differentiable(lay.plain(x), lvl) for x in flat]
        new = tree_unflatten([lay.wrap(x) for x in flat_in], pspec)
        primals = new if argnums is None else _argnums.replace(primals, new, argnums)
        out = func(*primals)
        out, aux = _argnums.split_aux(out, has_aux, who)
        flat_out, ospec = tree_flatten(out)
        if (len(flat_out) == 1 and flat_out[0] is None) or not flat_out:
            raise RuntimeError(f"{who}: Expected f to be a function that has non-empty "
                               f"output (got output = {flat_out})")
        for o in flat_out:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"{who}: expected f(*primals) to return only tensors, got "
                                   f"unsupported type {type(o)}")
            if o.dtype.kind != "f":
                raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or "
                                   f"complex Tensors, got Tensor with dtype {o.dtype}")
        out_shapes = [tuple(o.shape) for o in flat_out]        # per sample
        flat_out = [lay.plain(o) for o in flat_out]
        lower = levels.Lowering(lvl, keep_graph=outer_grad)
        out_outer = outer_grad and lower.reaches_outer(flat_out)
        results = tree_unflatten([lay.wrap(lower(o)) for o in flat_out], ospec)
        if has_aux:
            aux = _lower_tree(aux, lambda a: lay.wrap_lowered(a, lower), "")

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        if create_graph is None:
            create_graph = is_grad_enabled()
        flat_ct, cspec = tree_flatten(cotangents)
        if cspec != ospec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as "
                               "pytree structure of outputs to the function. cotangents: "
                               f"{cspec}, primal output: {ospec}")

        def products(flat_ct, batch=False):     # cotangent^T J, per sample of lay's vmaps
            lay.check_cotangents(flat_ct, out_shapes)   # batch: the cotangents are batched
            if not batch:                       # at vmaps entered after vjp (one backward
                flat_ct = [lay.plain(c) for c in flat_ct]   # for all their samples)
            low = levels.Lowering(lvl, keep_graph=create_graph)
            keep = levels.forward_active() or (
                create_graph and (out_outer or low.reaches_outer(flat_ct)))
            if batch:
                if keep:                        # an outer transform needs the graph: the loop
                    raise RawArrayOfBatched("vjp_fn: batched cotangents under an outer "
                                            "transform")
                grads = autograd_grads(flat_out, flat_in, flat_ct, retain_graph=True,
                                       create_graph=True)   # (the differentiable formulas)
                return tuple(g.detach() for g in grads)
            grads = autograd_grads(flat_out, flat_in, flat_ct,
                                   retain_graph=retain_graph or keep, create_graph=keep)
            return tuple(lay.wrap(low(g) if keep else g) for g in grads)
        # cotangents batched at a vmap entered after vjp: once per sample of it
        return tree_unflatten(list(map_new_levels(products, flat_ct, lay)), pspec)

    vjp_fn.flat_parts = (flat_out, flat_in, lvl, out_outer)   # for jacrev's rows
    vjp_fn.layout = lay
    if has_aux:
        return results, vjp_fn, aux
    return results, vjp_fn
