"""vmap: run a function written for one sample on a whole batch (torch.func.vmap).

    per_sample = vmap(f, in_dims=(0, None))(xs, w)      # = stack([f(x, w) for x in xs])

The design, in minigrad's terms:

* Inside the call, each mapped input is a BatchedTensor (batched.py): it holds the physical
  tensor, batch at dim 0, and reports its per-sample (logical) shape to everything, user code
  and minigrad's wrappers alike. Its raw `.data` raises, so a wrapper that would compute on
  the physical array with logical arguments fails loudly instead of silently.
* Every op reaches Function.apply; a BatchedTensor argument sends the call to
  batching.dispatch, which runs the op's batching rule (batching_rules.py: the same op on the
  physical values, dims shifted past the batch dim) or, for an op without one, the loop
  fallback (the op once per sample, results stacked, a one-time warning naming the op). A
  few public functions that read raw arrays in their wrapper (comparisons, where, max/min
  over a dim, cross_entropy, nll_loss, dropout, indexing) call batching_fns.py first.
* When vmap is off this costs nothing per op for plain tensors: Function.apply tests
  `a._batched` (a class attribute of Tensor) only inside its existing `a._view is not None`
  branch (a BatchedTensor's _view is a sentinel), so only view arguments pay one attribute
  test; random draws pay one global test.
* Nested vmaps nest BatchedTensors, each with its own level; a rule only sees its own level.
* Autograd records on the physical tensors, so the result is differentiable outside vmap;
  inside, a BatchedTensor is a leaf that does not require grad (as torch's).
* randomness: "error" refuses random ops, "same" draws once for all samples, "different"
  draws per sample (the factories, the samplers and the in-place fills: batching_random.py;
  dropout and drop_path: batching_fns.py; any other random op refuses "different" rather
  than silently drawing once).
"""
from __future__ import annotations

import functools

from .. import backend
from ..tensor import Tensor
from . import batched
from .batched import is_batched_at, make, to_batched
from .pytree import tree_flatten, tree_unflatten

_RANDOMNESS = ("error", "different", "same")


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorize `func` over dim `in_dims` of its inputs; the outputs get the batch at
    `out_dims`. in_dims/out_dims: an int, None (not mapped / not batched), or a nested tuple
    matching the inputs/outputs. Matches torch.func.vmap."""
    if not callable(func):
        raise TypeError(f"vmap: func must be callable, got {type(func).__name__}")
    if randomness not in _RANDOMNESS:
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")
    if chunk_size is not None and (type(chunk_size) is not int or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got "
                         f"{chunk_size})")

    @functools.wraps(func)
    def vmapped(*args, **kwargs):
        return _call(func, in_dims, out_dims, randomness, chunk_size, args, kwargs)
    return vmapped


def _name(func):
    return getattr(func, "__name__", repr(func))


def _batch_size(func, in_dims, args):
    """(flat inputs, spec, flat in_dims, batch size), with torch's errors."""
    name = _name(func)
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    if not args:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                         "inputs, or you are trying to vmap over a function with no inputs. "
                         "The latter is unsupported.")
    if type(in_dims) is not int and type(in_dims) is not tuple:
        raise ValueError(f"{where}: expected `in_dims` to be int or a (potentially nested) "
                         "tuple matching the structure of inputs, got: "
                         f"{type(in_dims)}.")
    dims = _per_leaf(in_dims, args)
    if dims is None:
        raise ValueError(f"{where}: in_dims is not compatible with the structure of `inputs`. "
                         f"in_dims has structure {_structure(in_dims)} but inputs has "
                         f"structure {_structure(args)}.")
    leaves, spec = tree_flatten(args)
    sizes = []
    for x, d in zip(leaves, dims):
        if d is None:
            continue
        if type(d) is not int:
            raise ValueError(f"{where}: Got in_dim={d!r} for an input but in_dim must be "
                             "either an integer dimension or None.")
        if not isinstance(x, Tensor):
            raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type "
                             f"{type(x)}. We cannot vmap over non-Tensor arguments, please use "
                             "None as the respective in_dim")
        n = x.ndim
        if not -n <= d < n:
            raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a "
                             f"Tensor of dimensionality {n} so expected in_dim to satisfy "
                             f"-{n} <= in_dim < {n}.")
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return leaves, spec, dims, sizes[0]


def _call(func, in_dims, out_dims, randomness, chunk_size, args, kwargs):
    leaves, spec, dims, size = _batch_size(func, in_dims, args)
    if chunk_size is None or chunk_size >= size:
        return _run(func, out_dims, randomness, leaves, spec, dims, size, kwargs)
    state = None
    if randomness == "same":                # every chunk must draw the same numbers
        if any(isinstance(x, Tensor) and x.is_cuda for x in leaves):
            raise RuntimeError("vmap: chunk_size with randomness='same' is supported on the CPU "
                               "only (the CUDA generator's state is not restored per chunk)")
        state = backend._cpu_rng.bit_generator.state
    results = []
    for start in range(0, size, chunk_size):
        n = min(chunk_size, size - start)
        part = [x if d is None else x.narrow(d, start, n) for x, d in zip(leaves, dims)]
        if state is not None:
            backend._cpu_rng.bit_generator.state = state
        results.append(_run(func, out_dims, randomness, part, spec, dims, n, kwargs))
    return _join(results, out_dims)


def _join(results, out_dims):
    """The chunks' outputs concatenated along their out_dims."""
    from ..ops.shape import cat
    flats = [tree_flatten(r) for r in results]
    spec = flats[0][1]
    odims = _per_leaf(out_dims, results[0])
    joined = []
    for j, d in enumerate(odims):
        parts = [f[0][j] for f in flats]
        joined.append(parts[0] if d is None else cat(parts, d))
    return tree_unflatten(joined, spec)


def _run(func, out_dims, randomness, leaves, spec, dims, size, kwargs):
    from .batching_fns import random_check
    lv = batched.push(size, randomness)
    backend.vmap_random_check = random_check    # every random draw asks vmap first
    try:
        inputs = []
        for x, d in zip(leaves, dims):
            if d is not None:
                x = make(x if d % x.ndim == 0 else x.movedim(d, 0), lv.level)
            inputs.append(x)
        out = func(*tree_unflatten(inputs, spec), **kwargs)
        return _outputs(func, out, out_dims, lv)
    finally:
        batched.pop(lv)
        if not batched._stack:
            backend.vmap_random_check = None


def _outputs(func, out, out_dims, lv):
    """Unwrap the outputs of level lv, batch dim moved to out_dims (unbatched ones expand)."""
    name = _name(func)
    if out_dims is not None and not isinstance(out_dims, (int, tuple, list, dict)) or (
            type(out_dims) is bool):
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                         "None or a python collection of ints representing where in the "
                         "outputs the vmapped dimension should appear.")
    odims = _per_leaf(out_dims, out)
    if odims is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                         "compatible with the structure of `outputs`. out_dims has structure "
                         f"{_structure(out_dims)} but outputs has structure "
                         f"{_structure(out)}.")
    leaves, spec = tree_flatten(out)
    res = []
    for o, d in zip(leaves, odims):
        if d is None:
            if is_batched_at(o, lv.level):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor "
                                 "when out_dim is None")
            res.append(o)
            continue
        if not isinstance(o, Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                             f"{type(o)}. Did you mean to set out_dims= to None for output?")
        if type(d) is not int:
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims must "
                             f"be an int or None, got {d!r}")
        v = to_batched(o, lv.level, lv.size)
        n = v.ndim
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, "
                             f"{n - 1}], but got {d})")
        res.append(v if d % n == 0 else v.movedim(0, d))
    return tree_unflatten(res, spec)


def _structure(tree):
    return repr(tree_flatten(tree)[1])


def _per_leaf(prefix, tree):
    """One entry of `prefix` (in_dims or out_dims) per leaf of `tree`: an int or None stands
    for its whole subtree; a tuple, list or dict must match the tree's container there (torch's
    pytree prefix rule). None when they do not match."""
    return _prefix(prefix, tree_flatten(tree)[1])


def _prefix(prefix, spec):
    if not isinstance(prefix, (tuple, list, dict)):
        return [prefix] * spec.num_leaves
    if spec.type is None:
        return None
    if isinstance(prefix, dict):
        if not issubclass(spec.type, dict) or set(prefix) != set(spec.context):
            return None
        kids = [prefix[k] for k in spec.context]
    else:
        if isinstance(prefix, list) != (spec.type is list) or issubclass(spec.type, dict):
            return None
        kids = list(prefix)
    if len(kids) != len(spec.children):
        return None
    out = []
    for p, c in zip(kids, spec.children):
        sub = _prefix(p, c)
        if sub is None:
            return None
        out.extend(sub)
    return out
