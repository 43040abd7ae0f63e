"""Batching: how an op runs on BatchedTensors (the dispatch behind Function.apply).

Function.apply hands a call with a BatchedTensor argument to dispatch(cls, args). The
arguments are exactly the ones the op's forward takes, computed by the op's wrapper from the
logical (per-sample) shapes: dims are non-negative logical dims, shapes are logical shapes.
dispatch takes the innermost vmap level among the arguments and then, in this order:

  1. the op's batching rule (batching_rules.RULES, keyed by Op class): the rule calls the same
     op once on the physical values (batch at dim 0), with the dims and shapes shifted past
     the batch dim, and wraps the result back;
  2. otherwise, for a built-in op, the loop fallback: the op runs once per sample on the
     per-sample slices and the results are stacked (correct for any op, slow; warns once per
     op, naming it);
  3. a user autograd.Function runs its own `vmap` staticmethod (torch's protocol), or, with
     generate_vmap_rule = True, the loop without a warning; otherwise it is refused, as torch
     refuses it.

Rules never see lower levels: a physical value may itself be batched at an outer vmap, and the
op the rule calls dispatches again at that level.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd import Op
from ..tensor import Tensor
from . import batched
from .batched import is_batched_at, level_info, make

_warned = set()         # the ops the loop fallback has warned about


def dispatch(cls, args):
    level = batched.top_level(args)
    lv = level_info(level)
    from .batching_rules import RULES      # lazy: the rules import the op modules
    rule = RULES.get(cls)       # the exact class: a subclass may take other arguments
    if rule is not None:
        return rule(cls, lv, args)
    if not issubclass(cls, Op) and callable(getattr(cls, "vmap", None)):
        return user_vmap(cls, lv, args)
    if not issubclass(cls, Op) and not getattr(cls, "generate_vmap_rule", False):
        if not cls.__module__.startswith("minigrad."):
            raise RuntimeError(
                f"vmap: To use autograd.Function with vmap, you must either override the vmap "
                f"staticmethod or set generate_vmap_rule=True ({cls.__name__})")
    if not getattr(cls, "generate_vmap_rule", False):      # (asked for by the user: silent)
        warn_loop(cls, cls.__name__, stacklevel=4)
    return loop(lambda *a: cls.apply(*a), lv, args)


def warn_loop(key, name, stacklevel=3):
    """The loop fallback's warning, once per op (key: its class, or a function's name)."""
    from ..settings import state     # lazy: set_warn_always(True) warns every time
    if key not in _warned or state.warn_always:
        _warned.add(key)
        warnings.warn(f"vmap: there is no batching rule for {name}; it runs once per sample in "
                      "a Python loop (correct, but slow)", UserWarning, stacklevel=stacklevel)


class VmapInfo:
    """What a user Function's vmap staticmethod is told (torch's info argument)."""
    __slots__ = ("batch_size", "randomness")

    def __init__(self, batch_size, randomness):
        self.batch_size, self.randomness = batch_size, randomness


def user_vmap(cls, lv, args):
    """torch's protocol for autograd.Function: vmap(info, in_dims, *args) -> (output,
    out_dims), with the physical arguments (batch at dim 0 where in_dims says 0)."""
    in_dims = tuple(0 if is_batched_at(a, lv.level) else None for a in args)
    phys = [a._value if d == 0 else a for a, d in zip(args, in_dims)]
    out, out_dims = cls.vmap(VmapInfo(lv.size, lv.randomness), in_dims, *phys)
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    dims = (out_dims,) * len(outs) if not isinstance(out_dims, tuple) else out_dims
    if len(dims) != len(outs):
        raise RuntimeError(f"vmap: {cls.__name__}.vmap returned {len(outs)} outputs but "
                           f"{len(dims)} out_dims")
    res = []
    for o, d in zip(outs, dims):
        if d is None or not isinstance(o, Tensor):
            res.append(o)
        else:
            res.append(make(o if d % o.ndim == 0 else o.movedim(d, 0), lv.level))
    return res[0] if single else tuple(res)


def loop(fn, lv, args, kwargs=None):
    """fn run on each sample's slice of the arguments batched at lv, results stacked."""
    from ..ops.shape import stack
    level, outs = lv.level, []
    if lv.size == 0:
        raise RuntimeError("vmap: an op without a batching rule cannot run on an empty batch "
                           "(its loop fallback has no sample to run)")
    for i in range(lv.size):
        sample = [a._value[i] if is_batched_at(a, level) else a for a in args]
        outs.append(fn(*sample, **(kwargs or {})))
    first = outs[0]
    if isinstance(first, Tensor):
        return make(stack(outs), level)
    if isinstance(first, tuple):
        parts = [make(stack([o[j] for o in outs]), level) if isinstance(first[j], Tensor)
                 else first[j] for j in range(len(first))]
        return type(first)(parts)          # a plain tuple or a return_types named tuple
    raise RuntimeError(f"vmap: the loop fallback got a {type(first).__name__} from an op; it "
                       "can only stack tensors")


def align(args, lv, rank=None):
    """The physical arguments of a broadcasting op: a batched tensor becomes its value with
    1-sized dims inserted after the batch dim up to the largest logical rank, so the batch dim
    leads the broadcast and the logical dims line up at the right as they did per sample."""
    if rank is None:
        rank = 0
        for a in args:
            if isinstance(a, Tensor) or hasattr(a, "ndim"):
                rank = max(rank, a.ndim if isinstance(a, Tensor) else _array_ndim(a))
    out = []
    for a in args:
        if is_batched_at(a, lv.level):
            v = a._value
            pad = rank - a.ndim
            out.append(v.reshape((lv.size,) + (1,) * pad + tuple(a.shape)) if pad > 0 else v)
        else:
            out.append(a)
    return out


def _array_ndim(a):
    return 0 if isinstance(a, np.generic) else a.ndim


def wrap_result(res, lv):
    """An op's physical result(s), batch at dim 0, seen per sample at lv."""
    if isinstance(res, Tensor):
        return make(res, lv.level)
    if isinstance(res, tuple):
        parts = [make(r, lv.level) if isinstance(r, Tensor) else r for r in res]
        return tuple(parts) if type(res) is tuple else type(res)(parts)
    return res
