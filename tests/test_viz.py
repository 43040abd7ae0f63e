"""viz.to_dot: parseable DOT naming every op, leaf, parameter and saved tensor; render()."""
import pathlib
import re
import shutil

import pytest

import minigrad as mg
from minigrad import viz

_ATTR = re.compile(r'\s*(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([\w.]+))\s*(?:,|$)')
_STMT = re.compile(r'^\s*(\w+)(?:\s*->\s*(\w+))?\s*(?:\[(.*)\])?\s*;\s*$')


def parse_dot(text):
    """A strict little parser for the DOT subset to_dot writes: returns (nodes, edges).

    nodes: id -> attrs; edges: list of (src, dst, attrs). Raises on anything malformed,
    including an edge to an undeclared node.
    """
    lines = text.strip().splitlines()
    assert lines[0] == "digraph minigrad {" and lines[-1] == "}", "not a digraph block"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        m = _STMT.match(line)
        assert m, f"malformed statement: {line!r}"
        a, b, body = m.groups()
        attrs, pos = {}, 0
        body = body or ""
        while pos < len(body):
            am = _ATTR.match(body, pos)
            assert am and am.end() > pos, f"malformed attributes: {body!r}"
            attrs[am.group(1)] = am.group(2) if am.group(2) is not None else am.group(3)
            pos = am.end()
        if a in ("node", "edge", "graph") and b is None:
            continue
        if b is None:
            assert a not in nodes, f"node {a} declared twice"
            nodes[a] = attrs
        else:
            edges.append((a, b, attrs))
    for a, b, _ in edges:
        assert a in nodes and b in nodes, f"edge {a}->{b} to an undeclared node"
    return nodes, edges


def _label(nodes, nid):
    return nodes[nid].get("label", "")


def _known_graph():
    x = mg.randn(3, 4, requires_grad=True)
    w = mg.nn.Parameter(mg.randn(4, 5))
    c = mg.ones(5)                                   # a constant
    h = (x @ w) + c
    loss = (h.softmax(-1) * h).sum()
    return loss


def test_dot_parses_and_names_every_op():
    loss = _known_graph()
    nodes, _ = parse_dot(viz.to_dot(loss))
    ops = sorted(_label(nodes, n) for n, a in nodes.items() if a.get("shape") == "box")
    assert ops == sorted(["MatmulBackward", "AddBackward", "SoftmaxBackward", "MulBackward",
                          "SumBackward"])
    labels = [_label(nodes, n) for n in nodes]
    assert "leaf\\n(3, 4) float32" in labels
    assert "parameter\\n(4, 5) float32" in labels
    assert "constant\\n(5,) float32" in labels
    assert "output\\n() float32" in labels


def test_edges_follow_the_graph():
    loss = _known_graph()
    nodes, edges = parse_dot(viz.to_dot(loss))
    by_label = {_label(nodes, n): n for n in nodes}
    data = [(a, b) for a, b, at in edges if at.get("style") != "dotted"]
    mm, add = by_label["MatmulBackward"], by_label["AddBackward"]
    assert (by_label["leaf\\n(3, 4) float32"], mm) in data
    assert (by_label["parameter\\n(4, 5) float32"], mm) in data
    # matmul -> its (3, 5) output tensor -> add
    outs = [b for a, b in data if a == mm]
    assert len(outs) == 1 and _label(nodes, outs[0]) == "(3, 5) float32"
    assert (outs[0], add) in data
    # h feeds both softmax and mul: one tensor node, two consumers (fan-out)
    h = [b for a, b in data if a == add]
    assert len(h) == 1
    consumers = sorted(_label(nodes, b) for a, b in data if a == h[0])
    assert consumers == ["MulBackward", "SoftmaxBackward"]


def test_saved_tensors_are_marked_and_freed_after_backward():
    loss = _known_graph()
    nodes, edges = parse_dot(viz.to_dot(loss))
    saved = [(a, b) for a, b, at in edges if at.get("style") == "dotted"]
    by_label = {_label(nodes, n): n for n in nodes}
    # softmax saves its own output; matmul saves both of its inputs
    assert (by_label["leaf\\n(3, 4) float32"], by_label["MatmulBackward"]) in saved
    assert (by_label["parameter\\n(4, 5) float32"], by_label["MatmulBackward"]) in saved
    assert any(b == by_label["SoftmaxBackward"] for a, b in saved)
    loss.backward()
    nodes, edges = parse_dot(viz.to_dot(loss))
    assert not [e for e in edges if e[2].get("style") == "dotted"]
    assert any("saved tensors freed" in _label(nodes, n) for n in nodes)
    plain = parse_dot(viz.to_dot(_known_graph(), show_saved=False))[1]
    assert plain and not [e for e in plain if e[2].get("style") == "dotted"]


def test_huge_graph_is_truncated_with_a_note():
    x = mg.randn(2, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    nodes, _ = parse_dot(viz.to_dot(y.sum(), max_nodes=50))
    ops = [n for n, a in nodes.items() if a.get("shape") == "box" and "not shown" not in
           _label(nodes, n)]
    assert len(ops) == 50
    note = [a["label"] for a in nodes.values() if a.get("shape") == "note"]
    assert note and "4951 of 5001 op nodes not shown" in note[0]
    assert any("not shown" in _label(nodes, n) for n in nodes)   # the cut-off edge is visible
    with pytest.raises(ValueError, match="max_nodes"):
        viz.to_dot(y, max_nodes=0)


def test_leaf_without_graph_and_bad_input():
    nodes, edges = parse_dot(viz.to_dot(mg.nn.Parameter(mg.zeros(2))))
    assert len(nodes) == 1 and not edges
    with pytest.raises(TypeError, match="Tensor"):
        viz.to_dot([1, 2])


def test_labels_are_escaped():
    class Quote(mg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

        def name(self):
            return 'Say "hi"\\'

    nodes, _ = parse_dot(viz.to_dot(Quote.apply(mg.ones(2, requires_grad=True))))
    assert 'Say \\"hi\\"\\\\' in [_label(nodes, n) for n in nodes]


def test_render(tmp_path):
    loss = _known_graph()
    p = viz.render(loss, tmp_path / "g.dot")
    assert parse_dot(pathlib.Path(p).read_text())[0]
    with pytest.raises(ValueError, match="format"):
        viz.render(loss, tmp_path / "g.xyz")
    if shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="apt-get install graphviz"):
            viz.render(loss, tmp_path / "g.svg")
    else:
        p = viz.render(loss, tmp_path / "g.svg")
        assert "<svg" in pathlib.Path(p).read_text()


def test_dot_accepted_by_graphviz_package():
    graphviz = pytest.importorskip("graphviz")
    loss = _known_graph()
    src = graphviz.Source(viz.to_dot(loss))
    assert "MatmulBackward" in src.source
