"""Checkpointing without reentrant autograd: how a checkpointed region forgets and recomputes.

The forward runs the function with the graph recorded as usual, inside a Frame, which is a
pair of saved-tensor hooks (autograd_graph.py) that keeps nothing:

    pack(t)      -> an empty _Holder (and t's shape/dtype/device for the determinism check)
    unpack(h)    -> the first unpack in a backward re-runs the function under a second pair
                    of hooks (_Recompute) whose pack puts each recomputed tensor into the
                    holder of the same position; then every unpack hands back its own

A minigrad node also keeps its inputs (for names and shape checks) and some ops keep arrays
as ctx attributes (dropout's mask, a norm's x-hat). The Frame sees each node recorded in the
region (on_node): it swaps the inputs for zero-byte stand-ins of the same shape, and after
the forward it drops the array attributes and gives the node a backward that first fetches
them from its twin in the recomputation (the node recorded at the same position), then
drops them again. So the region keeps only its inputs and outputs between forward and
backward, as torch's does. The RNG state is restored for the recomputation, so dropout draws
the same masks (rng_state.py).
"""
from __future__ import annotations

import weakref

from .. import rng_state, saved, storage
from ..autograd import _tensor_cls
from ..autograd_graph import SavedLeaf, saved_tensors_hooks
from ..backend import array_module
from ..grad_mode import _GradMode, enable_grad


class CheckpointError(RuntimeError):
    """The recomputation did not match the original forward (torch's CheckpointError)."""


class _StopRecomputation(Exception):
    """Raised once the recomputation has recorded every node the forward did (early stop)."""


_EMPTY, _USED = object(), object()
_DEBUG_TIP = ("\nTip: To see a more detailed error message, either pass `debug=True` to "
              "`minigrad.utils.checkpoint.checkpoint(...)` or wrap the code block with `with "
              "minigrad.utils.checkpoint.set_checkpoint_debug_enabled(True):` to enable "
              "checkpoint-debug mode globally.")


class _Holder:
    """What a node in the region keeps instead of a saved tensor; filled by a recomputation."""
    __slots__ = ("value", "__weakref__")

    def __init__(self):
        self.value = _EMPTY


def default_metadata(t):
    """determinism_check="default": the shape, dtype and device of each saved tensor."""
    return {"shape": tuple(t.shape), "dtype": t.dtype, "device": t.device}


class _SavedInput:
    """An input of the region, saved as torch saves a tensor: through the hooks active
    around the checkpoint (an outer checkpoint's, save_on_cpu's), or kept with its version."""

    def __init__(self, t):
        self.grad_fn, self.nr = t.grad_fn, t._output_nr
        self.leaf = t if t.grad_fn is None and t.requires_grad else None
        hooks = saved.stack.hooks
        self.tensor = self.packed = self.unpack_hook = None
        if hooks:
            with _GradMode(False):
                self.packed, self.unpack_hook = hooks[-1].pack_hook(t), hooks[-1].unpack_hook
        else:
            self.tensor, self.ticket = t, storage.writes

    def unpack(self):
        Tensor = _tensor_cls()
        t = self.tensor
        if t is not None:
            if storage.written_since(t.data, self.ticket):
                raise RuntimeError(
                    "checkpoint: one of the variables needed for gradient computation has been "
                    "modified by an inplace operation: an input of the checkpointed function "
                    f"[minigrad.{t.dtype} {list(t.shape)}] is at version "
                    f"{storage.version(t.data)}; expected version "
                    f"{storage.version_at(t.data, self.ticket)} instead.")
            return t
        u = self.unpack_hook(self.packed)
        if not isinstance(u, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(u).__name__}")
        if self.grad_fn is not None:
            return Tensor._make(u.data, self.grad_fn, self.nr)
        if self.leaf is not None:
            return SavedLeaf.apply(self.leaf, u.data)      # grad mode is on in a recompute
        return Tensor._make(u.data)


def _stand_in(a, Tensor):
    """A zero-byte array (or Tensor) with a's shape and dtype: what a node keeps of an input."""
    if isinstance(a, Tensor):
        return Tensor._make(_stand_in(a.data, Tensor))
    if hasattr(a, "shape") and hasattr(a, "dtype") and getattr(a, "ndim", 0) > 0:
        xp = array_module(a)
        return xp.broadcast_to(xp.empty((), a.dtype), a.shape)
    return a


def _holds_arrays(v):
    if isinstance(v, (tuple, list)):
        return any(_holds_arrays(x) for x in v)
    return hasattr(v, "shape") and hasattr(v, "dtype")


class Frame(saved_tensors_hooks):
    """One checkpointed call: the forward's hooks, and what a recomputation needs."""

    def __init__(self, fn, args, kwargs, rng, early_stop, metadata_fn, recompute_ctx, debug):
        super().__init__(self._pack, self._unpack)
        Tensor = _tensor_cls()
        self.fn, self.kwargs, self.rng = fn, kwargs, rng
        self.inputs = [_SavedInput(a) if isinstance(a, Tensor) else a for a in args]
        self.early_stop, self.metadata_fn = early_stop, metadata_fn
        self.recompute_ctx, self.debug = recompute_ctx, debug
        self.holders, self.metas = [], []     # per tensor saved in forward (holders: weakly)
        self.nodes = []                       # per node recorded in forward (weakly), in order
        self.hollow = []                      # per node: the ctx attributes dropped (names)
        self.twins = []                       # per node: those attributes, from a recompute
        self.fwd_ops = []

    # ---- forward ----
    def _pack(self, t):
        h = _Holder()
        self.holders.append(weakref.ref(h))
        if self.metadata_fn is not None:
            self.metas.append(self.metadata_fn(t))
        return h

    def on_node(self, node):
        Tensor = _tensor_cls()
        self.nodes.append(weakref.ref(node))
        node._inputs = tuple(_stand_in(a, Tensor) for a in node._inputs)
        if self.debug:
            self.fwd_ops.append(node.name())

    def finish(self):
        """After the forward: drop the array attributes of the region's nodes."""
        for k, ref in enumerate(self.nodes):
            node = ref()
            names = () if node is None else tuple(
                n for n, v in node.__dict__.items()
                if n[0] != "_" and n not in ("needs_input_grad", "backward") and _holds_arrays(v))
            if names:
                for n in names:
                    del node.__dict__[n]
                node.backward = _backward_with_twin(self, k, type(node).backward)
            self.hollow.append(names)
        self.twins = [_USED] * len(self.nodes)

    # ---- backward ----
    def _unpack(self, h):
        if h.value is _EMPTY or h.value is _USED:
            self.recompute()
        value, h.value = h.value, _USED
        return value

    def twin(self, k):
        """Node k's dropped attributes, as the latest recomputation made them."""
        if self.twins[k] is _USED:
            self.recompute()
        attrs, self.twins[k] = self.twins[k], _USED
        return attrs

    def recompute(self):
        with enable_grad():             # (an input re-linked to a leaf records a node)
            args = [a.unpack() if isinstance(a, _SavedInput) else a for a in self.inputs]
        rec = _Recompute(self)
        cpu, cuda = self.rng
        fork = rng_state.fork(cpu, cuda) if cpu is not None else _nothing()
        with fork, self.recompute_ctx, enable_grad(), rec:
            try:
                self.fn(*args, **self.kwargs)
            except _StopRecomputation:
                pass
        rec.check()
        self.twins = rec.attrs + [_USED] * (len(self.nodes) - len(rec.attrs))

    def error(self, msg, rec):
        if self.debug:
            msg += ("\n\nOperations executed during the original forward:\n  "
                    + "\n  ".join(self.fwd_ops)
                    + "\n\nOperations executed during recomputation:\n  "
                    + "\n  ".join(rec.ops))
        else:
            msg += "\n" + _DEBUG_TIP
        return CheckpointError(msg)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _backward_with_twin(frame, k, backward):
    """Node k's backward, run with the ctx attributes its recomputed twin has."""
    def backward_with_twin(ctx, *grads):
        attrs = frame.twin(k)
        ctx.__dict__.update(attrs)
        try:
            return backward(ctx, *grads)
        finally:
            for n in attrs:
                ctx.__dict__.pop(n, None)
    return backward_with_twin


class _Recompute(saved_tensors_hooks):
    """The hooks of a recomputation: each saved tensor goes to the forward's holder of the
    same position; each node gives its twin's attributes, then is cut loose (kept nowhere)."""

    def __init__(self, frame):
        super().__init__(self._pack, self._unpack)
        self.frame, self.n_saved, self.attrs, self.types, self.ops = frame, 0, [], [], []

    def _pack(self, t):
        f, k = self.frame, self.n_saved
        self.n_saved += 1
        x = _tensor_cls()._make(t.data)             # detached: the twin graph is not used
        if k < len(f.holders):
            h = f.holders[k]()
            if h is not None:
                h.value = x
        elif not f.early_stop:
            raise f.error("torch.utils.checkpoint: trying to save more tensors during "
                          "recomputation than during the original forward pass.", self)
        return x

    def _unpack(self, x):
        return x

    def on_node(self, node):
        f, k = self.frame, len(self.types)
        self.types.append(type(node))
        if f.debug:
            self.ops.append(node.name())
        names = f.hollow[k] if k < len(f.hollow) else ()
        self.attrs.append({n: node.__dict__[n] for n in names if n in node.__dict__})
        node._inputs, node._saved, node._edges = (), None, ()
        if f.early_stop and len(self.types) >= len(f.nodes) and self.n_saved >= len(f.holders):
            raise _StopRecomputation        # everything the forward recorded is back

    def check(self):
        """torch's checks that the recomputation saved what the forward did, and ours that
        it recorded the same ops."""
        f = self.frame
        if self.n_saved != len(f.holders):
            raise f.error(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                "original forward and recomputation.\n"
                f"Number of tensors saved during forward: {len(f.holders)}\n"
                f"Number of tensors saved during recomputation: {self.n_saved}.", self)
        if f.metadata_fn is not None:
            bad = ""
            for k, ref in enumerate(f.holders):
                h = ref()
                if h is None:
                    continue
                meta = f.metadata_fn(h.value)
                if meta != f.metas[k]:
                    bad += (f"tensor at position {k}:\nsaved metadata: {f.metas[k]}\n"
                            f"recomputed metadata: {meta}\n")
            if bad:
                raise f.error("torch.utils.checkpoint: Recomputed values for the following "
                              f"tensors have different metadata than during the forward "
                              f"pass.\n{bad}", self)
        for k, ref in enumerate(f.nodes):
            node = ref()
            if f.metadata_fn is None and not f.hollow[k]:
                continue                # determinism_check="none": only what backward needs
            if k >= len(self.types) or (node is not None and type(node) is not self.types[k]):
                got = self.types[k].__name__ if k < len(self.types) else "nothing"
                want = "a freed node" if node is None else type(node).__name__
                raise f.error("minigrad.utils.checkpoint: the recomputation recorded different "
                              f"ops than the original forward: op {k} was {want}, recomputed "
                              f"{got}.", self)
            if node is not None and set(self.attrs[k]) != set(f.hollow[k]):
                raise f.error(f"minigrad.utils.checkpoint: op {k} ({type(node).__name__}) kept "
                              "different attributes in the recomputation.", self)
