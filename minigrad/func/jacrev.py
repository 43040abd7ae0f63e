"""jacrev: the Jacobian, one row (one vector-Jacobian product) per output element.

f is run once (through vjp); then the cotangents e_k (1 at k, 0 elsewhere), one per element
of every output, give the rows d out[k] / d input for all differentiated inputs at once. As
torch does, the rows come from one backward of the whole batch of cotangents: a vmap over
the basis, each backward formula of the graph run on batched gradients (its differentiable
form, written with ops that have batching rules). A formula that reads raw arrays makes it
go row by row, one backward pass each. Row by row the cost is (number of output elements)
passes: cheap for a loss, dear for a wide output (jacfwd is the other way round); batched,
one pass does the work of all, in memory proportional to their number (chunk_size bounds
it). The rows are shaped out.shape + input.shape, as torch.func.jacrev returns them. Inside
vmap the same passes give every sample's Jacobian at once (batching_transforms.py).
"""
from __future__ import annotations

import functools

from .. import backend
from ..autograd import _tensor_cls, is_grad_enabled
from ..ops.shape import stack
from . import argnums as _argnums
from . import levels
from .batched import RawArrayOfBatched
from .pytree import tree_flatten, tree_unflatten
from .reverse import autograd_grads, vjp_with_argnums


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """A function computing the Jacobian of func w.r.t. args[argnums] by reverse mode; for
    output o and input x the block has shape o.shape + x.shape. Outputs and inputs may be
    pytrees. chunk_size: how many rows one batched backward computes (memory), None for
    all. Matches torch.func.jacrev."""
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
            blocks = _jacobian_rows(o, flat_in, keep, lay.sizes, chunk_size)
            blocks = [lay.wrap(lower(b) if keep else b) for b in blocks]
            per_output.append(tree_unflatten(blocks, primals_spec))
        if isinstance(argnums, int):
            per_output = [p[0] for p in per_output]
        jac = tree_unflatten(per_output, output_spec)
        return (jac, res[2]) if has_aux else jac

    return wrapper_fn


def _jacobian_rows(out, inputs, keep, sizes=(), chunk_size=None):
    """[d out / d x for x in inputs]: every row at once, as torch does it: one backward of a
    batch of cotangents e_0 .. e_{n-1} (a vmap over the basis), the graph's backward formulas
    run on batched gradients. An op whose backward reads raw arrays (batched.RawArrayOfBatched)
    sends it row by row instead. Inside vmap (sizes = the vmaps' batch sizes) out and the
    inputs are laid out per sample, the batch dims leading: e_k is the same at every sample
    and the blocks have shape sizes + out.shape + x.shape (batching_transforms.py)."""
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
    basis = xp.eye(n, dtype=out.data.dtype).reshape((n,) + (1,) * nb + shape)
    basis = Tensor._make(xp.broadcast_to(basis, (n,) + sizes + shape))

    def rows(e):                        # (the differentiable backward formulas take a batch)
        gs = autograd_grads([out], inputs, [e], retain_graph=True, create_graph=True)
        return tuple(g if keep else g.detach() for g in gs)
    try:
        from .vmap import vmap
        blocks = vmap(rows, chunk_size=chunk_size)(basis)      # each (n,) + sizes + x.shape
    except RawArrayOfBatched:
        return _rows_one_by_one(out, inputs, keep, sizes, shape, n)
    return [b.movedim(0, nb).reshape(sizes + shape + tuple(x.shape[nb:]))
            for b, x in zip(blocks, inputs)]


def _rows_one_by_one(out, inputs, keep, sizes, shape, n):
    """The rows one backward pass each (an op whose backward cannot take a batch)."""
    Tensor = _tensor_cls()
    nb = len(sizes)
    xp = backend.array_module(out.data)
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
