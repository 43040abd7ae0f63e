"""jacrev: the Jacobian, one row (one vector-Jacobian product) per output element.

f is run once (through vjp); then, for every element k of every output, one backward pass
with the cotangent e_k (1 at k, 0 elsewhere) gives row k of the Jacobian, d out[k] / d input,
for all differentiated inputs at once. So the cost is (number of output elements) backward
passes: cheap for a loss, dear for a wide output (jacfwd is the other way round). The rows are
stacked and shaped as out.shape + input.shape, as torch.func.jacrev returns them. Inside vmap
the same passes give every sample's Jacobian at once (batching_transforms.py).
"""
from __future__ import annotations

import functools

from .. import backend
from ..autograd import _tensor_cls, is_grad_enabled
from ..ops.shape import stack
from . import argnums as _argnums
from . import levels
from .pytree import tree_flatten, tree_unflatten
from .reverse import autograd_grads, vjp_with_argnums


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """A function computing the Jacobian of func w.r.t. args[argnums] by reverse mode; for
    output o and input x the block has shape o.shape + x.shape. Outputs and inputs may be
    pytrees. chunk_size only bounds memory in torch (vmapped rows); here the rows are
    computed one at a time whatever its value. Matches torch.func.jacrev."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    @functools.wraps(func)
    def wrapper_fn(*args):
        outer_grad = is_grad_enabled()
        res = vjp_with_argnums(func, args, argnums, has_aux)
        output, vjp_fn = res[0], res[1]
        flat_out, flat_in, lvl, out_outer = vjp_fn.flat_parts     # laid out per sample
        lay = vjp_fn.layout
        _, output_spec = tree_flatten(output)
        flat_primals, primals_spec = tree_flatten(_argnums.select(args, argnums))
        keep = levels.forward_active() or (outer_grad and out_outer)
        lower = levels.Lowering(lvl, keep_graph=outer_grad)
        per_output = []
        for o in flat_out:
            blocks = _jacobian_rows(o, flat_in, keep, lay.sizes)
            blocks = [lay.wrap(lower(b) if keep else b) for b in blocks]
            per_output.append(tree_unflatten(blocks, primals_spec))
        if isinstance(argnums, int):
            per_output = [p[0] for p in per_output]
        jac = tree_unflatten(per_output, output_spec)
        return (jac, res[2]) if has_aux else jac

    return wrapper_fn


def _jacobian_rows(out, inputs, keep, sizes=()):
    """[d out / d x for x in inputs], row by row. Inside vmap (sizes = the vmaps' batch
    sizes) out and the inputs are laid out per sample, the batch dims leading: the cotangent
    e_k is the same at every sample and the blocks have shape sizes + out.shape + x.shape
    with the per-sample shapes (batching_transforms.py)."""
    Tensor = _tensor_cls()
    nb = len(sizes)
    shape = tuple(out.shape[nb:])
    n = 1
    for s in shape:
        n *= s
    xp = backend.array_module(out.data)
    if n == 0 or not out.requires_grad:
        return [Tensor._make(xp.zeros(sizes + shape + tuple(x.shape[nb:]), x.data.dtype))
                for x in inputs]
    rows = [[] for _ in inputs]
    for k in range(n):
        e = xp.zeros(sizes + (n,), out.data.dtype)
        e[..., k] = 1
        gs = autograd_grads([out], inputs, [Tensor._make(e.reshape(sizes + shape))],
                            retain_graph=True, create_graph=keep)
        for r, g in zip(rows, gs):
            r.append(g)
    return [(r[0] if n == 1 else stack(r, nb)).reshape(sizes + shape + tuple(x.shape[nb:]))
            for r, x in zip(rows, inputs)]
