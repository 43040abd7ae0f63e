"""Forward-mode AD (torch.autograd.forward_ad): push a tangent forward alongside each value.

    with forward_ad.dual_level():
        x = forward_ad.make_dual(primal, tangent)      # x carries (value, direction)
        y = f(x)
        y_value, jvp = forward_ad.unpack_dual(y)       # jvp = J_f(primal) @ tangent

Reverse mode (engine.py) records a graph and walks it backwards once per output: one pass
gives a whole row of the Jacobian (a gradient). Forward mode needs no graph: every op, as it
runs, turns its inputs' tangents into its output's tangent with its forward-derivative rule
(`jvp`, written next to the op's `backward` in the same op file). One pass gives a whole
column of the Jacobian (J @ v). So forward mode is cheaper for functions with few inputs and
many outputs, reverse mode for many inputs and few outputs (a loss).

How it is wired: tangents live in `duals` (level -> {id(tensor): (weakref, tangent)}), not on
the Tensor (which has no spare slot); Function.apply tests `if duals:` once per op, so forward
mode costs nothing while no dual tensor exists. When an input of an op has a tangent, apply
calls `propagate`, which calls the op's rule `jvp(ctx, *tangents)` (one tangent or None per
forward argument; ctx is the op's node, with ctx.saved_tensors, ctx.inputs and ctx.outputs)
and registers what it returns as the outputs' tangents. The rule is written with minigrad
ops, so a tangent computation is itself recorded by reverse mode (forward-over-reverse gives
Hessian products). Levels: the public dual_level is single, as torch's; minigrad.func's jvp
and jacfwd nest them. While level L's rule runs, levels L and inside do not propagate through
its ops and the outer ones do, so tangents of tangents come out (jacfwd of jacfwd).

Ops with no rule raise NotImplementedError naming the op. Generic rules that cover families
of ops (elementwise, linear, multilinear, additive, from_backward) are in forward_rules.py.
"""
from __future__ import annotations

import itertools
import weakref
from collections import namedtuple

from . import autograd
from .autograd import _duals as duals   # level id -> {id(tensor): (weakref, tangent)}

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])
ALL = -1                # busy_from value that stops propagation at every level


class _State:
    stack = []          # the ids of the active levels, outermost first
    busy_from = None    # while a rule runs: no propagation at levels >= this id

    @property
    def level(self):
        """The innermost active level as the public API numbers them (0, 1, ...), or None."""
        return len(self.stack) - 1 if self.stack else None


state = _State()
_level_ids = itertools.count()


# ---- levels --------------------------------------------------------------------------------
def enter_dual_level(*, nested=False):
    """Start a forward-AD level and return its number (0 for the first). torch's forward_ad
    allows one level at a time; minigrad.func's jvp/jacfwd nest them (nested=True): an inner
    level's rules run on the outer level's dual tensors, so tangents of tangents (jacfwd of
    jacfwd) come out."""
    if state.stack and not nested:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    state.stack = state.stack + [next(_level_ids)]
    return len(state.stack) - 1


def exit_dual_level(*, level=None):
    """End the innermost level: every tangent made in it is dropped."""
    if not state.stack:
        raise RuntimeError("exit_dual_level: no forward AD level is active")
    if level is not None and level != state.level:
        raise RuntimeError(f"exit_dual_level: trying to exit level {level} but the current "
                           f"level is {state.level}")
    duals.pop(state.stack[-1], None)
    state.stack = state.stack[:-1]


class dual_level:
    """Context manager for a forward-AD level (torch.autograd.forward_ad.dual_level)."""

    def __init__(self, *, nested=False):
        self.nested = nested

    def __enter__(self):
        return enter_dual_level(nested=self.nested)

    def __exit__(self, *exc):
        exit_dual_level()


def _level_id(level, who):
    """The id of public level `level` (None: the innermost); raises if there is none."""
    if not state.stack:
        raise RuntimeError(f"{who}: Trying to create a dual Tensor for forward AD but no level "
                           "exists, make sure to enter_dual_level() first.")
    if level is None:
        return state.stack[-1]
    if not isinstance(level, int) or not 0 <= level < len(state.stack):
        raise RuntimeError(f"{who}: level {level!r} is not an active dual level (active: "
                           f"0..{len(state.stack) - 1})")
    return state.stack[level]


class _busy:
    """No propagation at levels >= lid while the block runs (a rule, an alias)."""

    def __init__(self, lid):
        self.lid = lid

    def __enter__(self):
        self.old, state.busy_from = state.busy_from, self.lid

    def __exit__(self, *exc):
        state.busy_from = self.old


# ---- tangents of tensors -------------------------------------------------------------------
def tangent_of(t, lid=None):
    """t's tangent at level id `lid` (None: the innermost level), or None."""
    if lid is None:
        if not state.stack:
            return None
        lid = state.stack[-1]
    entry = duals.get(lid, {}).get(id(t))
    return entry[1] if entry is not None and entry[0]() is t else None


def set_tangent(t, tangent, lid=None):
    lid = state.stack[-1] if lid is None else lid
    table = duals.get(lid)
    if table is None:
        table = duals[lid] = {}
    table[id(t)] = (weakref.ref(t, _forget(table, id(t))), tangent)


def copy_tangents(src, dst):
    """dst gets src's tangents at every active level (a detached alias that keeps them)."""
    for lid in state.stack:
        t = tangent_of(src, lid)
        if t is not None:
            set_tangent(dst, t, lid)


def _forget(table, key):
    def drop(ref):
        entry = table.get(key)
        if entry is not None and entry[0] is ref:
            del table[key]
    return drop


def outer_tangents(*tensors):
    """Whether a tensor among `tensors` has a tangent at a level that propagates now (an
    outer level, while an inner level's rule runs): the rule must then compute with ops from
    its inputs, not from constants its forward saved, for the outer level to see how the
    inner tangent depends on the input (jacfwd of jacfwd)."""
    busy = state.busy_from
    for lid in state.stack:
        if busy is not None and lid >= busy:
            break
        table = duals.get(lid)
        if table and any(t is not None and id(t) in table for t in tensors):
            return True
    return False


def make_dual(tensor, tangent, *, level=None):
    """A view of `tensor` whose tangent is `tangent` (torch's make_dual)."""
    Tensor = autograd._tensor_cls()
    lid = _level_id(level, "make_dual")
    for name, t in (("primal", tensor), ("tangent", tangent)):
        if not isinstance(t, Tensor):
            raise TypeError(f"make_dual(): {name} must be a Tensor, not {type(t).__name__}")
        if t.dtype.kind not in "fc":
            raise ValueError(f"make_dual(): Expected {name} to be floating point or complex, "
                             f"but got: {t.dtype}")
    _not_batched("make_dual", tensor, tangent)
    if tangent.shape != tensor.shape:
        raise RuntimeError("make_dual(): Trying to set a forward gradient that has a different "
                           "size than that of the original Tensor, this is not supported. "
                           f"Tensor is of size {list(tensor.shape)} while the given forward "
                           f"gradient is of size {list(tangent.shape)}.")
    if type(tangent.data) is not type(tensor.data):
        raise RuntimeError(f"make_dual(): primal is on {tensor.device} but tangent is on "
                           f"{tangent.device}")
    with _busy(lid):            # the alias keeps the outer levels' tangents, not this one's
        dual = _alias(tensor)
    set_tangent(dual, tangent, lid)
    return dual


def unpack_dual(tensor, *, level=None):
    """(primal, tangent): a view of `tensor` without its tangent, and the tangent or None."""
    Tensor = autograd._tensor_cls()
    if not isinstance(tensor, Tensor):
        raise TypeError(f"unpack_dual(): tensor must be a Tensor, not {type(tensor).__name__}")
    _not_batched("unpack_dual", tensor)
    if not state.stack or (level is not None and not (
            isinstance(level, int) and 0 <= level < len(state.stack))):
        return UnpackedDualTensor(tensor, None)
    lid = _level_id(level, "unpack_dual")
    tangent = tangent_of(tensor, lid)
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    with _busy(lid):
        primal = _alias(tensor)
    return UnpackedDualTensor(primal, tangent)


def _not_batched(who, *tensors):
    """make_dual / unpack_dual on a tensor inside minigrad.func.vmap: refused, as torch refuses
    them there (no batching rule for _make_dual / _unpack_dual)."""
    if any(t._batched for t in tensors):
        raise RuntimeError(f"{who}(): not supported on a tensor inside vmap (torch has no "
                           f"batching rule for it either); inside vmap use "
                           f"minigrad.func.jvp, jacfwd or linearize")


# ---- propagation (called by Function.apply) ------------------------------------------------
def propagate(ctx, args, outs, results):
    """Give the op's outputs their tangents from its inputs', level by level, outermost
    first: while level L's rule runs, levels >= L do not propagate and the outer ones do,
    so the tangent it makes carries its own outer tangents; and the outputs (which a rule may
    read, saved or not) already carry theirs."""
    busy = state.busy_from
    if busy == ALL or not any(r.dtype.kind == "f" for r in results):
        return
    Tensor = autograd._tensor_cls()
    ready = False
    for lid in state.stack:
        if busy is not None and lid >= busy:
            break
        table = duals.get(lid)
        if not table:
            continue
        tangents, any_tangent = [], False
        for a in args:
            t = None
            if isinstance(a, Tensor):
                entry = table.get(id(a))
                if entry is not None and entry[0]() is a:
                    t = entry[1]
                    any_tangent = True
                    if t.dtype != a.dtype:
                        t = t.to(a.dtype)
            tangents.append(t)
        if not any_tangent:
            continue
        if not ready:
            fw_saved = _prepare(ctx, args, outs, results, Tensor)
            ready = True
        _run_rule(ctx, lid, args, results, tangents, fw_saved)


def _prepare(ctx, args, outs, results, Tensor):
    """Check the op has a rule; pack what forward saved if the node was not recorded."""
    cls = type(ctx)
    if cls.jvp is None:
        raise NotImplementedError(
            f"Trying to use forward AD with {cls.__name__.lower()} ({cls.__name__}) that does "
            "not support it because it has not been implemented yet.")
    if ctx._to_save:            # not recorded for reverse mode: pack what forward saved now
        ctx._saved = [autograd.saved.pack(s, args, outs, results, Tensor) for s in ctx._to_save]
        ctx._to_save = ()
        ctx._writes_at_save = autograd.storage.writes
    fw_saved = ctx.__dict__.pop("_fw_to_save", None)
    if fw_saved is not None:    # a user Function's save_for_forward: its jvp's saved_tensors
        fw_saved = [autograd.saved.pack(s, args, outs, results, Tensor) for s in fw_saved]
    return fw_saved


def _run_rule(ctx, lid, args, results, tangents, fw_saved):
    cls = type(ctx)
    ctx.inputs, ctx.outputs = args, results
    backward_saved = ctx._saved
    if fw_saved is not None:
        ctx._saved = fw_saved
    try:
        with _busy(lid):
            out = cls.jvp(ctx, *tangents)
    finally:
        ctx._saved = backward_saved
        del ctx.inputs, ctx.outputs     # (a node holding its outputs would be a cycle)
    out = out if type(out) is tuple else (out,)
    for j, (r, t) in enumerate(zip(results, out)):
        if t is None or r.dtype.kind != "f":
            continue
        if t.shape != r.shape:
            raise RuntimeError(f"{cls.__name__}.jvp returned a tangent of shape "
                               f"{tuple(t.shape)} for an output of shape {tuple(r.shape)}")
        if t.dtype != r.dtype:
            t = t.to(r.dtype)
        set_tangent(r, t, lid)
        _keep_for_saved_output(ctx, j, t, lid)


def user_forward(cls, ctx, args):
    """A user Function's forward (it receives Tensors): its own ops do not propagate tangents;
    the Function's jvp gives its outputs' tangents."""
    with _busy(ALL):
        return cls.forward(ctx, *args)


def _keep_for_saved_output(ctx, j, t, lid):
    """A saved output is re-made as a new Tensor when backward reads it: let it carry the
    tangent, so a backward run inside the level (forward-over-reverse) sees it."""
    for s in ctx._saved or ():
        if type(s) is autograd.saved.SavedOutput and s.index == j:
            if s.tangent is None:
                s.tangent = {}
            s.tangent[lid] = t


def relink_tangent(t, kept):
    """Called by ctx.saved_tensors for a saved output that had tangents (level id -> tangent):
    those of levels still active go to the re-made tensor."""
    for lid, tangent in kept.items():
        if lid in state.stack:
            set_tangent(t, tangent, lid)


def after_inplace(x, out, view):
    """x was overwritten with `out` in place: at each level, x's tangent becomes out's, written
    into x's existing tangent (and a view's base's) the way torch's in-place forward grads
    are."""
    for lid in state.stack:
        _after_inplace_at(x, out, view, lid)


def _after_inplace_at(x, out, view, lid):
    tangent = tangent_of(out, lid)
    if tangent is None:
        if tangent_of(x, lid) is not None:      # overwritten by a constant: tangent is zero
            set_tangent(x, zeros_like(x), lid)
        return
    if view is None:
        old = tangent_of(x, lid)
        if old is not None and not old.requires_grad and not tangent.requires_grad \
                and old.dtype == tangent.dtype and len(state.stack) == 1:
            old.data[...] = tangent.data        # torch updates the tangent in place
        else:
            set_tangent(x, tangent, lid)
        return
    base = view.base
    base_tangent = tangent_of(base, lid)
    if tangent.requires_grad or (base_tangent is not None and base_tangent.requires_grad) \
            or len(state.stack) > 1:
        raise NotImplementedError("forward AD: an in-place write into a view, with tangents "
                                  "that require grad or under nested levels, is not supported")
    if base_tangent is None:
        base_tangent = zeros_like(base)
        set_tangent(base, base_tangent, lid)
    with _busy(ALL):
        with autograd.no_grad():
            region = view.replay(base_tangent)
    region.data[...] = tangent.data
    set_tangent(x, region, lid)


def _alias(t):
    """A new Tensor viewing t's memory, with t's reverse-mode history (make_dual's result)."""
    from .ops.shape import Reshape
    return Reshape.apply(t, t.shape)


# the generic rules ops name as their jvp (linear, multilinear, elementwise, ...)
from .forward_rules import (additive, elementwise, from_backward, linear,  # noqa: E402,F401
                            multilinear, or_zeros, tangent_sum, zeros_like)
