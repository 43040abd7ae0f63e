"""autograd.trace(): the nodes a backward pass visits, in a valid reverse topological order."""
import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import autograd, engine


def _graph_edges(root_fn):
    """parent -> set of children (consumers) for every node reachable from root_fn."""
    consumers, stack, seen = {}, [root_fn], {root_fn}
    while stack:
        node = stack.pop()
        for t in node._inputs:
            p = getattr(t, "grad_fn", None)
            if p is not None:
                consumers.setdefault(p, set()).add(node)
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
    return seen, consumers


def _assert_reverse_topological(trace, root):
    nodes, consumers = _graph_edges(root.grad_fn)
    visited = [s.node for s in trace.steps]
    assert set(visited) == nodes and len(visited) == len(nodes)     # each node exactly once
    pos = {n: i for i, n in enumerate(visited)}
    for parent, kids in consumers.items():
        for kid in kids:               # a node runs only after every node that consumes it
            assert pos[kid] < pos[parent], (kid.name(), parent.name())


def test_known_graph_diamond_order(rng):
    x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = mg.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    h = x @ w
    a, b = h.exp(), h.tanh()                         # diamond: h feeds two branches
    loss = (a * b).sum() + h.mean()
    with autograd.trace() as t:
        loss.backward(retain_graph=True)
    _assert_reverse_topological(t, loss)
    assert t.names[0] == "AddBackward" and t.names[-1] == "MatmulBackward"
    assert {"ExpBackward", "TanhBackward", "MulBackward"} <= set(t.names)


def test_norms_and_shapes_are_those_of_the_gradients(rng):
    x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = mg.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    h = x @ w
    h.retain_grad()
    y = (h * h).sum()
    with autograd.trace() as t:
        y.backward()
    mm = next(s for s in t.steps if s.name == "MatmulBackward")
    assert mm.grads_in[0].shape == (3, 2)
    assert math.isclose(mm.grads_in[0].norm, float(np.linalg.norm(h.grad.numpy())), rel_tol=1e-12)
    gx, gw = mm.grads_out
    assert gx.shape == (3, 4) and gx.to == "leaf" and gw.shape == (4, 2)
    assert math.isclose(gx.norm, float(np.linalg.norm(x.grad.numpy())), rel_tol=1e-12)
    assert math.isclose(gw.norm, float(np.linalg.norm(w.grad.numpy())), rel_tol=1e-12)
    first = t.steps[0]
    assert first.name == "SumBackward" and first.grads_in[0].shape == () and \
        first.grads_in[0].norm == 1.0 and first.grads_out[0].to == "MulBackward"


def test_table_lists_every_step():
    x = mg.randn(2, 3, requires_grad=True)
    p = mg.nn.Parameter(mg.randn(3))
    loss = ((x * p).relu() + 1.0).sum()
    with autograd.trace() as t:
        loss.backward()
    text = str(t)
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["step", "node"] and set(lines[1]) <= {"-", " "}
    body = [line for line in lines[2:] if line[:1].strip()]         # rows that start a step
    assert [line.split()[1] for line in body] == t.names
    assert "parameter" in text and "leaf" in text and "|g|=" in text
    assert repr(t) == f"<Trace of {len(t)} nodes>"


def test_hook_is_removed_and_nested_traces_both_record():
    x = mg.randn(3, requires_grad=True)
    with autograd.trace() as outer:
        with autograd.trace() as inner:
            (x * 2).sum().backward()
        assert engine._trace_hook is not None
        (x * 3).sum().backward()
    assert engine._trace_hook is None
    assert len(inner) == 2 and len(outer) == 4
    (x.exp()).sum().backward()                   # not recorded anywhere
    assert len(outer) == 4


def test_hook_removed_on_error():
    x = mg.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError), autograd.trace():
        (x * 2).backward()                       # non-scalar without a gradient
    assert engine._trace_hook is None


def test_double_backward_is_traced_too():
    x = mg.randn(4, requires_grad=True)
    g, = mg.grad((x.softmax(0) * mg.arange(4.0)).sum(), x, create_graph=True)
    s = g.sum()
    with autograd.trace() as t:
        s.backward(retain_graph=True)
    assert "SoftmaxBackwardBackward" in t.names
    _assert_reverse_topological(t, s)


def test_empty_trace_prints_a_note():
    with autograd.trace() as t:
        pass
    assert "no backward pass" in str(t)
