"""The backward walk: from the outputs' gradients to every input's, node by node.

backward() sorts the graph iteratively (no recursion), then walks it once in reverse
topological order, summing the gradients that reach each node before calling its backward
(autograd.py builds the graph this walks). Gradients are cast to the dtype of the input they
belong to, as torch does. With create_graph the walk itself is recorded (each backward is
written with minigrad ops), so its results can be differentiated again.
"""
from __future__ import annotations

from . import accumulate_grad, anomaly, autocast_state, backend, backward_seed, hooks
from .autograd import _duals, _tensor_cls
from .grad_mode import _GradMode

_trace_hook = None      # set by minigrad.tracing.trace(): called as hook(node, grads_in, grads_out)


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


def _reaching(nodes, wanted_nodes, wanted_leaves):
    """The nodes (of `nodes`, the graph _sort counted) with an edge path to a wanted node or
    leaf (iterative post-order: a node's parents are decided before it)."""
    reach, done = set(), set()
    for start in nodes:
        stack = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if node in done:
                continue
            parents = [e[0] for e in node._edges if e is not None and e[0] is not None]
            if not expanded:
                stack.append((node, True))
                stack.extend((p, False) for p in parents if p not in done)
                continue
            done.add(node)
            if any(p in reach or p in wanted_nodes for p in parents) or any(
                    e is not None and e[0] is None and id(e[1]) in wanted_leaves
                    for e in node._edges):
                reach.add(node)
    return reach


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


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None):
    """The engine behind Tensor.backward and grad().

    With `inputs` None, gradients accumulate into `.grad` of the leaves (and of tensors that
    called retain_grad()). Otherwise the gradients of `inputs` are returned, nothing else is
    touched, and an input the graph never reaches gets None.
    """
    if autocast_state.active and not autocast_state.state.inside:
        with autocast_state.suspended():    # backward runs in the forward's dtypes: no autocast
            return run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs)
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
    # grad(): only the nodes on a path to an input run (torch prunes the same way): the
    # others' saved tensors stay for a later backward, and their work is not done
    reach = None if inputs is None else _reaching(deps, {n for n, _ in wanted},
                                                   {id(t) for t in inputs if t.grad_fn is None})
    # leaves with post-accumulate hooks (DDP) get .grad as soon as it is complete
    pending = accumulate_grad.Pending(deps, leaf_grads) \
        if inputs is None and hooks.post_hooks else None
    owned = set()                         # arrays given to a .grad in this backward
    anomalies = anomaly.state.enabled     # detect_anomaly() as the walk starts
    # forward mode (a dual level with tangents): backwards take their differentiable path
    # (some have a plain-array one for no_grad) so tangents flow through them, as torch's do
    with _GradMode(create_graph or bool(_duals)):
        while ready:
            node = ready.pop()
            gouts = grads.pop(node)
            if node._tensor_hooks is not None:
                hooks.run_node_hooks(node, gouts)
            if inputs is None and node._retained:
                _fill_retained(node, gouts, create_graph)
            if wanted:
                for (n, nr), k in wanted.items():
                    if n is node:
                        results[k] = gouts[nr]
            if reach is not None and node not in reach:
                continue                # leads to no input: its parents lead to none either
            gins = _call_backward(node, gouts, Tensor)
            if anomalies:
                anomaly.check(node, gins)
            if not retain_graph:
                node._saved, node._released = None, node._saved is not None or node._released
            arrived = None
            for e, g in zip(node._edges, gins):
                if e is None:
                    continue
                parent, nr = e
                if parent is None:                      # a leaf: nr is the tensor itself
                    if g is not None:
                        dtype = nr.data.dtype       # torch casts to the input's dtype
                        have = g.dtype if g._batched else g.data.dtype
                        if have is not dtype and have != dtype:
                            g = g.to(dtype)
                        _add_leaf(leaf_grads, nr, g)
                    if pending is not None and id(nr) in pending.left:
                        arrived = (arrived or []) + [nr]
                    continue
                if g is not None:                       # _add_node, inlined: the hot loop
                    meta = parent._out_meta
                    dtype = meta[nr][1]
                    # (a gradient batched under vmap has no raw array; the property
                    # costs a call, so the common case reads the array's dtype)
                    have = g.dtype if g._batched else g.data.dtype
                    if have is not dtype and have != dtype:
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
            if arrived:         # (the walk's own references dropped first: see land)
                gins = g = gouts = None
                for leaf in arrived:
                    pending.arrive(leaf, leaf_grads, create_graph, owned)

    if inputs is not None:
        if hooks.leaf_hooks:
            hooks.run_leaf_hooks(leaf_grads)
        for k, t in enumerate(inputs):
            if t.grad_fn is None and id(t) in leaf_grads:
                results[k] = leaf_grads[id(t)][1]
        return results
    gins = g = gouts = None
    for key in list(leaf_grads):        # each popped: the walk's last reference is `g`
        t, g = leaf_grads.pop(key)
        accumulate_grad.land(t, g, create_graph, owned, 1)
    t = g = None                        # (a final callback may test who holds a .grad)
    if _final_callbacks:
        _run_final_callbacks()
    return None


def _fill_retained(node, gouts, create_graph):
    """Set .grad of this node's outputs that asked for retain_grad(), as torch's hook does:
    a copy of the gradient the first time (it flows on, and may be the caller's), then
    .grad + gradient as a new tensor."""
    for nr, ref in node._retained.items():
        t = ref()
        g = gouts[nr]
        if t is None or g is None:
            continue
        if not create_graph:
            g = g.detach()
        if t.grad is None:
            t.grad = g.clone() if create_graph else type(g)._make(g.data.copy())
        else:
            t.grad = t.grad + g


# minigrad.profiler swaps this function for a timing wrapper while a profile records (so
# run_backward must keep calling it through the module global, by this name)
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
            if g is not None and isinstance(t, Tensor) and g.shape != t.shape:
                raise RuntimeError(f"{node.name()} returned a gradient of shape "
                                   f"{tuple(g.shape)} for an input of shape {tuple(t.shape)}")
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
            res[k] = _detached(g)
    return tuple(res)


def _detached(g):
    """g without history; under forward mode it keeps its tangents (forward over reverse)."""
    out = g.detach()
    if _duals:
        from .forward_ad import copy_tangents
        copy_tangents(g, out)
    return out


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of `tensors` into the leaves' .grad (torch.autograd.backward)."""
    if inputs is not None:
        raise NotImplementedError("backward(inputs=...) is not supported; use minigrad.grad")
    Tensor = _tensor_cls()
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    gouts = _default_grads(tensors, grad_tensors, "backward")
    keep = create_graph if retain_graph is None else retain_graph
    run_backward(tensors, gouts, keep, create_graph)


def _default_grads(outputs, grad_outputs, who):
    Tensor = _tensor_cls()
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
                                   f"outputs, got shape {tuple(out.shape)}; pass a gradient")
            g = Tensor._make(backward_seed.implicit_ones_like(out.data))
        elif not isinstance(g, Tensor):
            g = Tensor._make(backend.array_module(out.data).full_like(out.data, g))
        if g.shape != out.shape:
            raise RuntimeError(f"{who}: gradient has shape {tuple(g.shape)} but the output has "
                               f"shape {tuple(out.shape)}")
        res.append(g)
    return res


def trace():
    """Record every node a backward pass visits; see minigrad.tracing.Trace."""
    from .tracing import Trace  # lazy: the tracer prints tables and is not needed otherwise
    return Trace()


# ---- issue 16: dist ----
_final_callbacks = []   # run once when the current backward() has written every .grad


def queue_callback(fn):
    """Run fn() at the end of the backward() in progress, after the leaves' .grad and their
    post-accumulate hooks (torch's Variable._execution_engine.queue_callback). DDP queues
    the wait for its last gradient buckets here."""
    _final_callbacks.append(fn)


def _run_final_callbacks():
    while _final_callbacks:
        _final_callbacks.pop(0)()
