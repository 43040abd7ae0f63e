"""Pictures of the graph behind a tensor: Graphviz DOT text, and SVG/PNG through `dot`.

    print(viz.to_dot(loss))            # paste into any Graphviz viewer
    viz.render(loss, "graph.svg")      # needs the `dot` program (apt-get install graphviz)

Boxes are op nodes (named like their grad_fn, e.g. MulBackward); ellipses are tensors with
shape and dtype. Leaves that require grad are blue, Parameters green and marked
"parameter", constants grey; the output is yellow. A dotted edge marks a tensor an op saved
for backward. Graphs larger than `max_nodes` op nodes are cut off with a note.
"""
from __future__ import annotations

import os
import shutil
import subprocess

from .saved import SavedOutput
from .tensor import Tensor


def _esc(s):
    return str(s).replace("\\", "\\\\").replace('"', '\\"')


def _tensor_label(shape, dtype, kind=""):
    dims = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    return (kind + "\\n" if kind else "") + f"{dims} {dtype}"


def _collect(root_fn, max_nodes):
    """Op nodes reachable from root_fn in breadth-first order: (first max_nodes, total)."""
    order, seen, queue, i = [], {root_fn}, [root_fn], 0
    while i < len(queue):
        node = queue[i]
        i += 1
        order.append(node)
        for e in node._edges:               # the edges recorded with the node (see autograd)
            parent = e[0] if e is not None else None
            if parent is not None and parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return order[:max_nodes], len(order)


class _Dot:
    """Accumulates DOT statements, giving every graph object one short id."""

    def __init__(self):
        self.ids, self.declared, self.lines = {}, set(), []

    def id(self, key):
        if key not in self.ids:
            self.ids[key] = f"n{len(self.ids)}"
        return self.ids[key]

    def node(self, key, label, **attrs):
        nid = self.id(key)
        if key not in self.declared:
            self.declared.add(key)
            extra = "".join(f', {k}="{_esc(v)}"' for k, v in attrs.items())
            self.lines.append(f'  {nid} [label="{label}"{extra}];')
        return nid

    def edge(self, a, b, **attrs):
        extra = ", ".join(f'{k}="{_esc(v)}"' for k, v in attrs.items())
        self.lines.append(f"  {a} -> {b}" + (f" [{extra}]" if extra else "") + ";")


def _leaf(dot, t, **extra):
    """A node for a tensor without grad_fn: parameter, leaf requiring grad, or constant."""
    if type(t).__name__ == "Parameter":
        kind, color = "parameter", "palegreen"
    elif t.requires_grad:
        kind, color = "leaf", "lightblue"
    else:
        kind, color = "constant", "lightgrey"
    return dot.node(("t", id(t)), _tensor_label(t.shape, t.dtype, kind), shape="ellipse",
                    style="filled", fillcolor=color, **extra)


def _output(dot, node, nr):
    """The tensor node for output `nr` of op `node` (shape and dtype from the node's record)."""
    shape, dtype, _ = node._out_meta[nr]
    key = ("o", id(node), nr)
    first = key not in dot.declared
    nid = dot.node(key, _tensor_label(shape, dtype), shape="ellipse")
    if first:
        dot.edge(dot.id(("op", id(node))), nid)
    return nid


def to_dot(tensor: Tensor, max_nodes: int = 300, show_saved: bool = True) -> str:
    """Graphviz DOT text for the graph behind `tensor` (ops, tensors, leaves, saved tensors).

    At most `max_nodes` op nodes are drawn (breadth first from the output); the rest are
    summarised by a note node, so graphs of any size give a readable picture.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot: expected a minigrad Tensor, got {type(tensor).__name__}")
    if max_nodes < 1:
        raise ValueError(f"to_dot: max_nodes must be at least 1, got {max_nodes}")
    dot = _Dot()
    head = ["digraph minigrad {", '  graph [rankdir="BT"];',
            '  node [fontname="Helvetica", fontsize=10];', '  edge [fontsize=9];']
    if tensor.grad_fn is None:
        _leaf(dot, tensor, penwidth="2")
        return "\n".join(head + dot.lines + ["}"]) + "\n"
    fn = tensor.grad_fn
    shown, total = _collect(fn, max_nodes)
    shown_set = set(shown)
    out = dot.node(("o", id(fn), tensor._output_nr),
                   _tensor_label(tensor.shape, tensor.dtype, "output"),
                   shape="ellipse", style="filled", fillcolor="lightyellow", penwidth="2")
    dot.edge(dot.id(("op", id(fn))), out)
    for node in shown:
        label = _esc(node.name()) + ("\\n(saved tensors freed)" if node._released else "")
        op = dot.node(("op", id(node)), label, shape="box", style="filled,rounded",
                      fillcolor="white")
        for k, (t, e) in enumerate(zip(node._inputs, node._edges)):
            if not isinstance(t, Tensor):
                continue
            parent, nr = e if e is not None else (None, t)
            if parent is None:
                src = _leaf(dot, nr)
            elif parent in shown_set:
                src = _output(dot, parent, nr)
            else:
                src = _cut(dot, parent)
            dot.edge(src, op, **({"label": f"in{k}"} if len(node._inputs) > 1 else {}))
        if show_saved:
            _saved_edges(dot, node, op, shown_set)
    if total > len(shown):
        dot.lines.append(f'  note [shape="note", label="graph truncated: {total - len(shown)} '
                         f'of {total} op nodes not shown (to_dot(..., max_nodes={total}) '
                         'draws all)"];')
    return "\n".join(head + dot.lines + ["}"]) + "\n"


def _cut(dot, fn):
    """A dashed stand-in for an op node beyond the max_nodes limit."""
    return dot.node(("cut", id(fn)), f"{_esc(fn.name())} (not shown)", shape="box",
                    style="dashed")


def _saved_edges(dot, node, op, shown):
    """Dotted edges from each tensor the op saved for backward to the op."""
    for s in node._saved or ():
        if isinstance(s, SavedOutput):
            src = _output(dot, node, s.index)
        elif isinstance(s, Tensor):
            if s.grad_fn in shown:
                src = _output(dot, s.grad_fn, s._output_nr)
            elif s.grad_fn is not None:
                src = _cut(dot, s.grad_fn)
            elif s.grad_fn is None and any(s is t for t in node._inputs):
                src = _leaf(dot, s)
            else:
                src = dot.node(("s", id(s)), _tensor_label(s.shape, s.dtype, "saved"),
                               shape="ellipse", style="dashed")
        else:
            continue
        dot.edge(src, op, style="dotted", label="saved", arrowhead="odot")


def render(tensor: Tensor, path, format: str | None = None, max_nodes: int = 300) -> str:
    """Write a picture of tensor's graph to `path` (format from the suffix: svg, png, pdf).

    Needs the Graphviz `dot` program; without it a RuntimeError says how to install it.
    Returns the path written.
    """
    path = os.fspath(path)
    fmt = format or os.path.splitext(path)[1].lstrip(".").lower()
    if fmt not in ("svg", "png", "pdf", "jpg", "jpeg", "gif", "dot"):
        raise ValueError(f"render: unknown format {fmt!r} for {path!r}; use .svg, .png, .pdf "
                         "or pass format=")
    text = to_dot(tensor, max_nodes=max_nodes)
    if fmt == "dot":
        with open(path, "w") as f:
            f.write(text)
        return path
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError("render: the Graphviz `dot` program was not found on PATH. Install "
                           "it (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew "
                           "install graphviz; conda: conda install graphviz), or write the "
                           "DOT text with to_dot() or render(..., 'graph.dot') and view it "
                           "in any Graphviz viewer.")
    res = subprocess.run([exe, f"-T{fmt}", "-o", path], input=text.encode(),
                         capture_output=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"render: dot failed ({res.returncode}): "
                           f"{res.stderr.decode(errors='replace').strip()}")
    return path
