"""Trace: watch the chain rule happen, one graph node at a time.

    with mg.autograd.trace() as t:
        loss.backward()
    print(t)

While the `with` block is open, the backward engine calls the trace after every node's
backward with the gradients that reached the node (dL/d its outputs) and the gradients it
sent on (dL/d its inputs). The trace keeps their shapes and norms, not the arrays.
"""
from __future__ import annotations

import math
import weakref

from . import engine


class GradInfo:
    """Shape and 2-norm of one gradient, and where it goes (for grads out of a node)."""
    __slots__ = ("norm", "shape", "to")

    def __init__(self, shape, norm, to=""):
        self.shape, self.norm, self.to = shape, norm, to

    def __repr__(self):
        return f"GradInfo(shape={tuple(self.shape)}, norm={self.norm:.6g}, to={self.to!r})"


class TraceStep:
    """One visited node: its name, the grads that came in and the grads that went out."""
    __slots__ = ("_node", "grads_in", "grads_out", "name", "step")

    def __init__(self, step, node, grads_in, grads_out):
        self.step, self.name = step, node.name()
        self.grads_in, self.grads_out = grads_in, grads_out
        self._node = weakref.ref(node)

    @property
    def node(self):
        """The graph node itself, or None once the graph has been freed."""
        return self._node()

    def __repr__(self):
        return f"TraceStep({self.step}, {self.name})"


def _info(g, to=""):
    if g is None:
        return None
    data = g.data
    norm = math.sqrt(float((data.astype("float64") ** 2).sum())) if data.dtype.kind == "f" \
        else float("nan")
    return GradInfo(tuple(data.shape), norm, to)


def _destination(t):
    """Where a gradient sent to input `t` goes next: a node's name, 'leaf', or 'constant'."""
    fn = getattr(t, "grad_fn", None)
    if fn is not None:
        return fn.name()
    if getattr(t, "requires_grad", False):
        return "parameter" if type(t).__name__ == "Parameter" else "leaf"
    return "constant"


class Trace:
    """Records each node a backward pass visits, in visit order (a reverse topological order).

    Use as a context manager (`with mg.autograd.trace() as t:`); `t.steps` holds TraceStep
    records, `t.names` the node names, and `print(t)` shows a table.
    """

    def __init__(self):
        self.steps: list[TraceStep] = []
        self._prev = None

    def __enter__(self):
        self._prev = engine._trace_hook
        engine._trace_hook = self._record
        return self

    def __exit__(self, *exc):
        engine._trace_hook = self._prev
        self._prev = None

    def _record(self, node, grads_in, grads_out):
        if self._prev is not None:          # an outer trace sees the same steps
            self._prev(node, grads_in, grads_out)
        ins = [_info(g) for g in grads_in]
        outs = [_info(g, _destination(t)) for t, g in zip(node._inputs, grads_out)
                if hasattr(t, "requires_grad")]
        self.steps.append(TraceStep(len(self.steps) + 1, node, ins, outs))

    @property
    def names(self):
        return [s.name for s in self.steps]

    def __len__(self):
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def __str__(self):
        if not self.steps:
            return "Trace: no backward pass was recorded"
        rows = [("step", "node", "grad in (dL/d output)", "grad out (dL/d input)", "sent to")]
        for s in self.steps:
            ins = [_fmt(g) for g in s.grads_in] or ["-"]
            outs = [(_fmt(g), g.to if g else "") for g in s.grads_out] or [("-", "")]
            for k in range(max(len(ins), len(outs))):
                gin = ins[k] if k < len(ins) else ""
                gout, to = outs[k] if k < len(outs) else ("", "")
                rows.append((str(s.step) if k == 0 else "", s.name if k == 0 else "",
                             gin, gout, to))
        widths = [max(len(r[c]) for r in rows) for c in range(5)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def __repr__(self):
        return f"<Trace of {len(self.steps)} nodes>"


def _fmt(g):
    if g is None:
        return "None"
    return f"{tuple(g.shape)} |g|={g.norm:.4g}"
