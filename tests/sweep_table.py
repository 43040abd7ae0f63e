"""The sweep's table: input specs and the helpers that add rows (case, both, inplace,
module_case, ...). The rows live in tests/sweep_rows_*.py; the runner, the coverage
check and SKIP in tests/test_shapes_sweep.py. See that file's docstring."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F  # noqa: F401  (for the rows files)

torch = pytest.importorskip("torch")
tF = torch.nn.functional


# ---- input specs --------------------------------------------------------------------------
class Spec:
    """One tensor argument: kind f (float64, differentiable), p (float64 in (0.05, 0.95)),
    i (int64 in [0, high)), b (bool); layout c (contiguous), t (transposed: last two dims
    swapped), s (last dim sliced with step 2), n (last dim reversed: negative stride)."""

    def __init__(self, kind, shape, layout="c", high=3, grad=True):
        self.kind, self.shape, self.layout, self.high = kind, tuple(shape), layout, high
        self.grad = grad and kind in "fp"

    def array(self, rng):
        shape = list(self.shape)
        if self.layout == "t":
            shape[-2], shape[-1] = shape[-1], shape[-2]
        elif self.layout == "s":
            shape[-1] *= 2
        if self.kind == "f":
            a = rng.standard_normal(shape)
        elif self.kind == "p":
            a = rng.uniform(0.05, 0.95, shape)
        elif self.kind == "i":
            a = rng.integers(0, self.high, shape)
        else:
            a = rng.random(shape) < 0.5
        a = np.asarray(a)
        if self.layout == "t":
            a = a.swapaxes(-1, -2)
        elif self.layout == "s":
            a = a[..., ::2]
        elif self.layout == "n":
            a = a[..., ::-1]
        assert a.shape == self.shape
        return a

    def __repr__(self):
        return f"{self.kind}{self.shape}{'' if self.layout == 'c' else self.layout}"


def f(*shape, layout="c", grad=True): return Spec("f", shape, layout, grad=grad)
def p(*shape, layout="c"): return Spec("p", shape, layout)
def i(*shape, high=3, layout="c"): return Spec("i", shape, layout, high)
def b(*shape, layout="c"): return Spec("b", shape, layout)


EMPTY = [(), (0,), (0, 5), (3, 0, 2)]
STRIDED = [((4, 3), "t"), ((3, 4), "s"), ((2, 5), "n"), ((2, 3, 4), "t")]


def floats(*extra):
    """One float argument over the 0-d, empty and non-contiguous shapes (+ extra shapes)."""
    return [(f(*s),) for s in EMPTY] + [(f(*s, layout=lay),) for s, lay in STRIDED] + \
        [(f(*s),) for s in extra]


# ---- the table ----------------------------------------------------------------------------
CASES = []          # (name, mg_fn, torch_fn, specs, opts)
SKIP_MORE = {}      # public name -> why it has no row (rows files add theirs; see SKIP)


def case(name, mg_fn, torch_fn, spec_list, **opts):
    for specs in spec_list:
        CASES.append((name, mg_fn, torch_fn, tuple(specs), opts))


def both(name, args, method=True, function=True, **opts):
    """Rows for mg.name(x, *a) and x.name(*a) against torch's."""
    def call(mod, kw):
        return (lambda *xs: getattr(mod, name)(*xs, **kw),
                lambda *xs: getattr(xs[0], name)(*xs[1:], **kw))
    for a, kw in args:
        tag = ",".join(f"{k}={v}" for k, v in kw.items())
        if function:
            case(f"mg.{name}", call(mg, kw)[0], call(torch, kw)[0], a, tag=tag, **opts)
        if method:
            case(f"Tensor.{name}", call(mg, kw)[1], call(torch, kw)[1], a, tag=tag, **opts)


def inplace(name, spec_list, *a, **kw):
    """Rows for x.detach().name(*ys, *a): the result, and whether it is x itself (as torch's
    is). The inputs of the non-contiguous specs are views, so the write goes through them."""
    def call(x, *ys):
        y = x.detach()
        out = getattr(y, name)(*[v.detach() for v in ys], *a, **kw)
        return out, out is y
    case(f"Tensor.{name}", call, call, spec_list, grad=False)


def inplace_base(name, spec, *a):
    """x.name(*a) on a transposed and on a step-sliced view: the base must see the write."""
    def run(view):
        def call(x):
            base = x.detach().clone()
            getattr(view(base), name)(*a)
            return base
        return call
    for tag, view in (("t", lambda t: t.t()), ("s", lambda t: t[:, ::2])):
        case(f"Tensor.{name}", run(view), run(view), [(spec,)], grad=False, tag=f"base,{tag}")


def _cat(fn):
    return lambda *xs, **kw: fn(list(xs), **kw)


def module_case(name, make, specs, train=True, **opts):
    """make(ns) builds the module from namespace ns (mg.nn or torch.nn)."""
    def pair():
        tm = make(torch.nn).double().train(train)
        mm = make(mg.nn).to(mg.float64).train(train)
        mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
        return mm, tm
    case(f"nn.{name}", None, None, specs, module=pair, **opts)


def _pos15(name, rows, *a, method=True, function=True, **kw):
    """Rows for mg.name(x, *ys, *a, **kw) and x.name(*ys, *a, **kw) against torch's."""
    tag = ",".join(map(repr, a)) + ("," if a and kw else "") + \
        ",".join(f"{k}={v}" for k, v in kw.items())
    if function:
        case(f"mg.{name}", lambda *xs: getattr(mg, name)(*xs, *a, **kw),
             lambda *xs: getattr(torch, name)(*xs, *a, **kw), rows, tag=tag)
    if method:
        case(f"Tensor.{name}", lambda x, *xs: getattr(x, name)(*xs, *a, **kw),
             lambda x, *xs: getattr(x, name)(*xs, *a, **kw), rows, tag=tag)
