"""Reverse-mode autograd: Function (node and ctx in one) and the backward walk.

Read this file first (then grad_mode.py: per-thread grad mode; storage.py: the version
counters that catch in-place writes into saved tensors; views.py and ops/inplace.py: in-place
ops and views). A Function node holds its inputs strongly and its outputs only weakly,
so a graph has no reference cycles and is freed the moment its last output is dropped.
A node keeps, per input, the edge it came from (the input's grad_fn and output number at the
time of the call, or the leaf itself), so rebasing a tensor's history in place later does not
rewire nodes that were built before. backward() sorts the graph iteratively (no recursion),
then walks it once in reverse topological order, summing the gradients that reach each node
before calling its backward.
"""
from __future__ import annotations

from . import backend, storage
from .backend import array_module
from .grad_mode import (_GradMode, _state, enable_grad, inference_mode,  # noqa: F401
                        is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)
from .views import mark_view

_trace_hook = None      # set by minigrad.tracing.trace(): called as hook(node, grads_in, grads_out)
_Tensor = None          # the Tensor class, imported lazily: tensor.py imports the ops built on us


def _tensor_cls():
    global _Tensor
    if _Tensor is None:
        from .tensor import Tensor
        _Tensor = Tensor
    return _Tensor


# ---- Function ----------------------------------------------------------------------------
class _SavedOutput:
    """An output saved for backward: keeps the array, not the Tensor (which would be a cycle)."""
    __slots__ = ("index", "data")

    def __init__(self, index, data):
        self.index, self.data = index, data


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
    _non_diff = ()

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def mark_non_differentiable(self, *outputs):
        self._non_diff = outputs

    @property
    def saved_tensors(self):
        if self._released:
            raise RuntimeError(
                f"{self.name()}: trying to backward through the graph a second time (or to use "
                "saved tensors after they were freed). Saved tensors are released after "
                "backward; pass retain_graph=True to the first backward to keep them.")
        if storage.writes != self._writes_at_save:  # something was written in place since
            self._check_versions()
        Tensor = _Tensor or _tensor_cls()
        out = []
        for s in self._saved or ():
            out.append(Tensor._make(s.data, self, s.index) if type(s) is _SavedOutput else s)
        return tuple(out)

    def _check_versions(self):
        """torch's error when a saved tensor was written in place after it was saved."""
        for s in self._saved or ():
            array = s.data if isinstance(s, (_Tensor, _SavedOutput)) else s
            if not hasattr(array, "base") or not storage.written_since(array,
                                                                     self._writes_at_save):
                continue
            what = f"[minigrad.{array.dtype} {list(array.shape)}]"
            if type(s) is _SavedOutput:
                what += f", which is output {s.index} of {self.name()},"
            else:
                for t, e in zip(self._inputs, self._edges):
                    if t is s and e is not None and e[0] is not None:
                        what += f", which is output {e[1]} of {e[0].name()},"
                        break
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {what} is at version {storage.version(array)}; expected "
                f"version {storage.version_at(array, self._writes_at_save)} instead (needed by "
                f"{self.name()}). Hint: an in-place op (x.add_(..), x += .., x[i] = ..) wrote "
                "into it, or into a view of it, after it was used; use the out-of-place op or "
                "clone() it first.")

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
            fwd = cls.forward
            if cls.forward_cuda is not None and backend.kernels_enabled \
                    and first is not None and backend.is_cuda_array(first.data):
                fwd = cls.forward_cuda
            raw = fwd(ctx, *arrays)
        else:
            with no_grad():
                raw = cls.forward(ctx, *args)
        if type(raw) is not tuple:                   # the common single-output case
            result = Tensor._make(raw.data if isinstance(raw, Tensor) else raw)
            if cls.view_of_input and first is args[0]:
                mark_view(result, first, cls, args[1:])
            if record:
                ctx._record(args, edges, (raw,), (result,), Tensor, True)
            return result
        results = tuple([Tensor._make(o.data if isinstance(o, Tensor) else o) for o in raw])
        if record:
            ctx._record(args, edges, raw, results, Tensor, False)
        return results

    def _record(self, args, edges, outs, results, Tensor, single):
        """Make this node the grad_fn of the outputs and keep what backward needs."""
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
        if self._to_save:
            saved = self._saved = []
            for s in self._to_save:             # a loop: cheaper than a comprehension in 3.11
                saved.append(_pack_one(s, args, outs, results, Tensor))
            self._to_save = ()
            self._writes_at_save = storage.writes


class Op(Function):
    """Base of the built-in ops: forward(ctx, *arrays) is written once against NumPy/CuPy.

    An op with a hand-written CUDA kernel also defines forward_cuda(ctx, *arrays); apply uses
    it for CuPy arrays while minigrad.cuda.use_kernels(True) (the default) is in effect.
    """
    _arrays_in = True
    forward_cuda = None


def _device_error(cls, a, b):
    raise RuntimeError(f"{cls.__name__}: expected all tensors on the same device, got "
                       f"{a.device} and {b.device}")


def _pack_one(s, args, outs, results, Tensor):
    """Map one thing forward saved back to the graph: an input stays that input (a Tensor
    stays linked to the graph, a scalar stays a scalar), an output is kept by index."""
    for a in args:
        if s is a or (isinstance(a, Tensor) and s is a.data and s is not None):
            return a
    for j, o in enumerate(outs):
        if s is o or s is results[j]:
            return _SavedOutput(j, results[j].data) if results[j].requires_grad else results[j]
    return s if s is None or isinstance(s, Tensor) else Tensor._make(s)


# ---- the backward walk -------------------------------------------------------------------
def _sort(roots):
    """Count, for every node reachable from `roots`, how many graph edges point at it."""
    deps = {n: 0 for n in roots}
    stack = list(deps)
    while stack:
        node = stack.pop()
        for e in node._edges:
            if e is not None:
                parent = e[0]
                if parent is None:
                    continue
                if parent in deps:
                    deps[parent] += 1
                else:
                    deps[parent] = 1
                    stack.append(parent)
    return deps


def _accumulate(old, new):
    return new if old is None else old + new


def _add_leaf(leaf_grads, t, g):
    old = leaf_grads.get(id(t), (t, None))[1]
    leaf_grads[id(t)] = (t, _accumulate(old, g))


def _add_node(grads, node, nr, g):
    slots = grads.get(node)
    if slots is None:
        slots = grads[node] = [None] * len(node._out_meta)
    if g is not None:
        old = slots[nr]
        slots[nr] = g if old is None else old + g


def is_default_seed(array) -> bool:
    """True when `array` is the implicit gradient 1 of the running backward (loss.backward()
    with no gradient): an op may then skip scaling by it, without reading it (no sync)."""
    return any(array is s for s in _state.active_seeds)


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None):
    """The engine behind Tensor.backward and grad().

    With `inputs` None, gradients accumulate into `.grad` of the leaves (and of tensors that
    called retain_grad()). Otherwise the gradients of `inputs` are returned, nothing else is
    touched, and an input the graph never reaches gets None.
    """
    s = _state
    outer, s.active_seeds = s.active_seeds, s.pending_seeds[:]
    s.pending_seeds.clear()
    try:
        return _run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs)
    finally:
        s.active_seeds = outer


def _run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs):
    Tensor = _tensor_cls()
    leaf_grads = {}                       # id(leaf) -> (leaf, summed grad)
    grads = {}                            # node -> list of summed grads, one per output
    for out, g in zip(outputs, grad_outputs):
        if out._view is not None:
            out._view.refresh(out)
        if out.grad_fn is not None:
            _add_node(grads, out.grad_fn, out._output_nr, g)
        elif out.requires_grad:
            _add_leaf(leaf_grads, out, g)
        else:
            raise RuntimeError("backward: element of outputs does not require grad and has no "
                               "grad_fn (was it computed under no_grad, or from tensors "
                               "without requires_grad=True?)")
    wanted = {}                           # (node, output_nr) -> position in inputs
    for k, t in enumerate(inputs or ()):
        if t.grad_fn is not None:
            wanted[(t.grad_fn, t._output_nr)] = k
    results = [None] * len(inputs or ())

    roots = list(grads)
    deps = _sort(roots)
    ready = [n for n in roots if deps[n] == 0]
    with _GradMode(create_graph):
        while ready:
            node = ready.pop()
            gouts = grads.pop(node)
            if inputs is None and node._retained:
                _fill_retained(node, gouts, create_graph)
            if wanted:
                for (n, nr), k in wanted.items():
                    if n is node:
                        results[k] = gouts[nr]
            gins = _call_backward(node, gouts, Tensor)
            if not retain_graph:
                node._saved, node._released = None, node._saved is not None or node._released
            for e, g in zip(node._edges, gins):
                if e is None:
                    continue
                parent, nr = e
                if parent is None:                      # a leaf: nr is the tensor itself
                    if g is not None:
                        dtype = nr.data.dtype       # torch casts to the input's dtype
                        if g.data.dtype is not dtype and g.data.dtype != dtype:
                            g = g.to(dtype)
                        _add_leaf(leaf_grads, nr, g)
                    continue
                if g is not None:                       # _add_node, inlined: the hot loop
                    meta = parent._out_meta
                    dtype = meta[nr][1]
                    if g.data.dtype is not dtype and g.data.dtype != dtype:
                        g = g.to(dtype)
                    slots = grads.get(parent)
                    if slots is None:
                        slots = grads[parent] = [None] * len(meta)
                    old = slots[nr]
                    slots[nr] = g if old is None else old + g
                left = deps[parent] - 1
                deps[parent] = left
                if left == 0:
                    ready.append(parent)

    if inputs is not None:
        for k, t in enumerate(inputs):
            if t.grad_fn is None and id(t) in leaf_grads:
                results[k] = leaf_grads[id(t)][1]
        return results
    _write_leaf_grads(leaf_grads.values(), create_graph, Tensor)
    return None


def _fill_retained(node, gouts, create_graph):
    """Set .grad of this node's outputs that asked for retain_grad()."""
    for nr, ref in node._retained.items():
        t = ref()
        if t is not None and gouts[nr] is not None:
            t.grad = _accumulate(t.grad, gouts[nr] if create_graph else gouts[nr].detach())


def _write_leaf_grads(pairs, create_graph, Tensor):
    owned = set()
    for t, g in pairs:
        if not create_graph:
            # .grad must own its memory: a gradient may be a broadcast view or shared by inputs
            if not g.data.flags.owndata or id(g.data) in owned:
                g = Tensor._make(g.data.copy())
            owned.add(id(g.data))
            g = g if g.grad_fn is None else g.detach()
        t.grad = _accumulate(t.grad, g)


def _call_backward(node, gouts, Tensor):
    """Run one node's backward with zeros for missing output grads; check the results."""
    filled = gouts          # a node's missing output grads are zeros (torch materializes them)
    if len(gouts) == 1:
        if gouts[0] is None:
            return (None,) * len(node._inputs)
    elif all(g is None for g in gouts):
        return (None,) * len(node._inputs)
    elif any(g is None for g in gouts):
        filled = [Tensor._make(backend.module_of(kind).zeros(shape, dtype))
                  if g is None and dtype.kind == "f" else g
                  for g, (shape, dtype, kind) in zip(gouts, node._out_meta)]
    gins = node.backward(node, *filled)
    if type(gins) is not tuple:
        gins = (gins,)
    n_in = len(node._inputs)
    if len(gins) < n_in:
        gins = gins + (None,) * (n_in - len(gins))
    if not node._arrays_in:         # built-in ops are tested against torch; user code is checked
        for t, g in zip(node._inputs, gins):
            if g is not None and isinstance(t, Tensor) and g.data.shape != t.data.shape:
                raise RuntimeError(f"{node.name()} returned a gradient of shape {g.shape} for "
                                   f"an input of shape {t.shape}")
    if _trace_hook is not None:
        _trace_hook(node, filled, gins)
    return gins


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Gradients of `outputs` with respect to `inputs`, returned as a tuple (torch.autograd.grad).

    Leaves' `.grad` is left untouched. An input the outputs do not depend on raises unless
    allow_unused=True, in which case its gradient is None.
    """
    Tensor = _tensor_cls()
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    for k, t in enumerate(outputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad(): outputs[{k}] must be a Tensor, not {type(t).__name__}")
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if not inputs:
        raise RuntimeError("grad: `inputs` argument to `grad()` cannot be empty.")
    for k, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: inputs[{k}] does not require grad")
    gouts = _default_grads(outputs, grad_outputs, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    res = run_backward(outputs, gouts, retain_graph, create_graph, inputs=inputs)
    for k, g in enumerate(res):
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: inputs[{k}] (shape {inputs[k].shape}) was not used in "
                               "the graph of outputs; pass allow_unused=True to get None")
        if g is not None and not create_graph:
            res[k] = g.detach()
    return tuple(res)


def _default_grads(outputs, grad_outputs, who):
    Tensor = _tensor_cls()
    pending = _state.pending_seeds
    pending.clear()                 # seeds of a call that raised before its backward ran
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"{who}: got {len(grad_outputs)} grad_outputs for {len(outputs)} "
                           "outputs")
    res = []
    for out, g in zip(outputs, grad_outputs):
        if g is None:
            if out.data.size != 1:
                raise RuntimeError(f"{who}: grad can be implicitly created only for scalar "
                                   f"outputs, got shape {out.shape}; pass a gradient")
            g = Tensor._make(array_module(out.data).ones_like(out.data))  # 1 even if out is NaN
            pending.append(g.data)
        elif not isinstance(g, Tensor):
            g = Tensor._make(array_module(out.data).full_like(out.data, g))
        if g.shape != out.shape:
            raise RuntimeError(f"{who}: gradient has shape {g.shape} but the output has shape "
                               f"{out.shape}")
        res.append(g)
    return res


def unwrap(x):
    """The array inside a Tensor; anything else unchanged. (Not getattr(x, "data", x): NumPy
    and CuPy arrays have a `.data` of their own, a memoryview or a device pointer.)"""
    return x.data if isinstance(x, _Tensor or _tensor_cls()) else x


def wrap(array):
    """A Tensor without history around `array` (for ops that build constants in backward)."""
    return _tensor_cls()._make(array)


def trace():
    """Record every node a backward pass visits; see minigrad.tracing.Trace."""
    from .tracing import Trace  # lazy: the tracer prints tables and is not needed otherwise
    return Trace()
