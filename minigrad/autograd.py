"""Reverse-mode autograd: Function (node and ctx in one), the graph it records, grad().

Read this file first, then engine.py (the backward walk), then grad_mode.py (per-thread grad
mode), saved.py and storage.py (saved tensors and the version counters that catch in-place
writes into them), views.py and ops/inplace.py (in-place ops and views). A Function node
holds its inputs strongly and its outputs only weakly, so a graph has no reference cycles and
is freed the moment its last output is dropped. A node keeps, per input, the edge it came
from (the input's grad_fn and output number at the time of the call, or the leaf itself), so
rebasing a tensor's history in place later does not rewire nodes that were built before.
"""
from __future__ import annotations

from . import anomaly, saved, storage
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: F401
from .grad_mode import (_GradMode, _state, enable_grad, inference_mode,  # noqa: F401
                        is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)
from .views import mark_view

_Tensor = None          # the Tensor class, imported lazily: tensor.py imports the ops built on us
_duals = {}             # forward mode's tangents (forward_ad.py); empty: forward mode is off


def _tensor_cls():
    global _Tensor
    if _Tensor is None:
        from .tensor import Tensor
        _Tensor = Tensor
    return _Tensor


# ---- Function ----------------------------------------------------------------------------
class _NeedsInputGrad:
    """ctx.needs_input_grad: which inputs want a gradient (a tuple of bools, as torch's).
    Made from the node's edges the first time backward asks, then kept on the node."""

    def __get__(self, node, cls=None):
        if node is None:
            return self
        needs = node.__dict__["needs_input_grad"] = tuple(map(bool, node._edges))
        return needs


class Function:
    """A differentiable op with torch's protocol: forward(ctx, *args), backward(ctx, *grads).

    The instance is both the ctx passed to forward/backward and the graph node.
    User subclasses receive Tensors in forward (run under no_grad); built-in ops (Op) receive
    the raw NumPy/CuPy arrays. backward always receives and returns Tensors, so a backward
    written with minigrad ops is itself differentiable (double backward).
    """
    _arrays_in = False
    view_of_input = False   # True for ops whose output may share the memory of input 0
    # Per-node state, as class-level defaults so that creating a node costs nothing.
    _to_save = ()
    _saved = None
    _writes_at_save = 0     # storage.writes when the tensors were saved
    _released = False
    _inputs = ()
    _edges = ()             # per input: None, (node, output_nr), or (None, leaf tensor)
    _out_meta = ()
    needs_input_grad = _NeedsInputGrad()    # an edge is None or a non-empty tuple
    _retained = None
    _tensor_hooks = None    # output number -> {handle id: fn} (hooks.py)
    _non_diff = ()
    jvp = None              # the forward-derivative rule jvp(ctx, *tangents) (forward_ad.py)

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def save_for_forward(self, *tensors):
        """Keep tensors for jvp(), which reads them as ctx.saved_tensors (torch's)."""
        self._fw_to_save = tensors

    def mark_non_differentiable(self, *outputs):
        self._non_diff = outputs

    @property
    def saved_tensors(self):
        if self._released or storage.writes != self._writes_at_save:
            return saved.unpack(self, _tensor_cls())   # freed, packed by hooks, or written since
        Tensor = _Tensor or _tensor_cls()
        out = []
        for s in self._saved or ():        # an output saved as (index, array) is re-linked
            if type(s) is saved.SavedOutput:
                t = Tensor._make(s.data, self, s.index)
                if s.tangent is not None:       # forward mode's tangent of that output
                    forward_ad.relink_tangent(t, s.tangent)
                s = t
            out.append(s)
        return tuple(out)

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    @classmethod
    def apply(cls, *args):
        Tensor = _Tensor or _tensor_cls()
        ctx = cls()
        first, arrays, edges, record = None, [], [], False
        for a in args:
            if isinstance(a, Tensor):
                if a._view is not None:
                    if a._batched:                  # inside vmap: minigrad/func/batching.py
                        return _batched_apply(cls, args)
                    a._view.refresh(a)
                if first is None:
                    first = a
                elif type(a.data) is not type(first.data):
                    _device_error(cls, first, a)
                arrays.append(a.data)
                if a.requires_grad:
                    fn = a.grad_fn
                    edges.append((None, a) if fn is None else (fn, a._output_nr))
                    record = True
                    continue
            else:
                arrays.append(a)
            edges.append(None)
        record = record and _state.grad_enabled
        if cls._arrays_in:
            raw = cls.forward(ctx, *arrays)
        else:
            with no_grad():
                raw = cls.forward(ctx, *args) if not _duals else \
                    forward_ad.user_forward(cls, ctx, args)
        if type(raw) is not tuple:                   # the common single-output case
            result = Tensor._make(raw.data if isinstance(raw, Tensor) else raw)
            if cls.view_of_input and first is args[0]:
                mark_view(result, first, cls, args[1:])
            if record:
                ctx._record(args, edges, (raw,), (result,), Tensor, True)
            if _duals:                          # forward mode: tangents to propagate
                forward_ad.propagate(ctx, args, (raw,), (result,))
            return result
        results = tuple([Tensor._make(o.data if isinstance(o, Tensor) else o) for o in raw])
        if record:
            ctx._record(args, edges, raw, results, Tensor, False)
        if _duals:
            forward_ad.propagate(ctx, args, raw, results)
        return results

    def _record(self, args, edges, outs, results, Tensor, single):
        """Make this node the grad_fn of the outputs and keep what backward needs."""
        if anomaly.state.enabled:
            anomaly.record(self)
        self._inputs = args
        self._edges = edges
        if single and not self._non_diff:                  # the common case, unrolled
            r = results[0]
            data = r.data
            dtype = data.dtype
            if dtype.kind == "f":
                r.grad_fn, r.requires_grad = self, True
            self._out_meta = ((data.shape, dtype, type(data)),)
        else:
            non_diff = {id(o) for o in self._non_diff} if self._non_diff else ()
            meta = []
            for j, r in enumerate(results):
                data = r.data
                if data.dtype.kind == "f" and (not non_diff or id(outs[j]) not in non_diff):
                    r.grad_fn, r._output_nr, r.requires_grad = self, j, True
                meta.append((data.shape, data.dtype, type(data)))   # type: the array module
            self._out_meta = meta
        if _saved_hooks:                        # saved_tensors_hooks pushed (saved.py)
            saved.record_hooked(self, args, outs, results, Tensor)
        elif self._to_save:
            kept = self._saved = []
            for s in self._to_save:             # a loop: cheaper than a comprehension in 3.11
                kept.append(saved.pack(s, args, outs, results, Tensor))
            self._to_save = ()
            self._writes_at_save = storage.writes


class Op(Function):
    """Base of the built-in ops: forward(ctx, *arrays) is written once against NumPy/CuPy
    (a faster implementation, where one exists, is handed the arrays by minigrad.fastpath)."""
    _arrays_in = True


def _device_error(cls, a, b):
    raise RuntimeError(f"{cls.__name__}: expected all tensors on the same device, got "
                       f"{a.device} and {b.device}")


def unwrap(x):
    """The array inside a Tensor; anything else unchanged. (Not getattr(x, "data", x): NumPy
    and CuPy arrays have a `.data` of their own, a memoryview or a device pointer.)"""
    return x.data if isinstance(x, _Tensor or _tensor_cls()) else x


def wrap(array):
    """A Tensor without history around `array` (for ops that build constants in backward)."""
    return _tensor_cls()._make(array)


from .engine import backward, grad, run_backward, trace  # noqa: E402,F401  (torch.autograd's names)
from . import forward_ad  # noqa: E402  (torch.autograd.forward_ad; apply calls it)


# ---- issue 17: vmap ----
def _batched_apply(cls, args):
    """An argument has a hidden batch dim (inside minigrad.func.vmap): the op's batching rule
    runs instead (minigrad/func/batching.py)."""
    from .func.batching import dispatch      # lazy: minigrad.func builds on the whole package
    return dispatch(cls, args)


# ---- issue 17: ckpt ----
from .saved import active as _saved_hooks  # noqa: E402  (a list: true while hooks are pushed)
from . import autograd_graph as graph  # noqa: E402,F401  (torch.autograd.graph)
import sys as _sys  # noqa: E402
_sys.modules[__name__ + ".graph"] = graph  # `from minigrad.autograd.graph import ...` works too
from . import autograd_functional as functional  # noqa: E402  (torch.autograd.functional)
from .autograd_variable import Variable  # noqa: E402,F401  (torch.autograd.Variable)


def gradcheck(*args, **kwargs):
    """torch.autograd.gradcheck: minigrad.testing.gradcheck."""
    from .testing import gradcheck as check     # lazy: testing builds on the whole package
    return check(*args, **kwargs)


def gradgradcheck(*args, **kwargs):
    """torch.autograd.gradgradcheck: minigrad.testing.gradgradcheck."""
    from .testing import gradgradcheck as check
    return check(*args, **kwargs)

_sys.modules[__name__ + ".functional"] = functional
_sys.modules[__name__ + ".forward_ad"] = forward_ad
