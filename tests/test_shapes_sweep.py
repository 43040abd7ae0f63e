"""Sweep over every public op and method: 0-d, empty and non-contiguous inputs against torch.

Each case is a row (name, minigrad callable, torch callable, input specs). For every row both
frameworks run on the same float64 numbers; the test compares result shape, dtype and values,
and the gradients for a random upstream gradient, or checks that both raise the same kind of
error (minigrad's from its own code, not from inside NumPy). `test_sweep_covers_every_op`
fails when a public name has neither a row nor an entry in SKIP with a reason.
"""
from __future__ import annotations

import inspect
import traceback
import zlib

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

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


UNARY = ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sin", "cos", "neg"]
for _n in UNARY:
    both(_n, [(floats(), {})], function=_n != "neg")
for _n in ["log", "sqrt"]:
    both(_n, [([(p(*s),) for s in EMPTY], {})])
both("pow", [(floats(), {"exponent": 2})], method=False)
case("Tensor.pow", lambda x: x.pow(3), lambda x: x.pow(3), floats())
both("clamp", [(floats(), {"min": -0.5, "max": 0.5})])
both("clip", [(floats(), {"min": -0.5})])
case("Tensor.clamp_", lambda x: x.detach().clamp_(-0.1, 0.1),
     lambda x: x.detach().clamp_(-0.1, 0.1), floats())

BINARY_SHAPES = [(f(*s), f(*s)) for s in EMPTY] + [(f(5), f(0, 5)), (f(3, 1, 2), f(0, 1)),
                                                  (f(4, 3, layout="t"), f(4, 3, layout="s"))]
for _n in ["add", "sub", "mul", "div", "subtract", "multiply", "divide", "true_divide",
           "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"]:
    both(_n, [(BINARY_SHAPES, {})], function=_n not in ("eq", "ne", "lt", "le", "gt", "ge"))
both("add", [(BINARY_SHAPES[:3], {"alpha": 2})])
both("sub", [(BINARY_SHAPES[:3], {"alpha": 0.5})])
both("div", [(BINARY_SHAPES[:3], {"rounding_mode": "floor"})])
# floor_divide/remainder/fmod with a positive divisor (p: in (0.05, 0.95))
POS_DIVISOR = [(f(*s), p(*s)) for s in EMPTY] + [(f(5), p(0, 5)),
                                                 (f(4, 3, layout="t"), p(4, 3, layout="s"))]
for _n in ["floor_divide", "remainder", "fmod"]:
    both(_n, [(POS_DIVISOR, {})], grad=_n != "floor_divide")
# floor_divide has no derivative in torch: its backward raises, as minigrad's must
case("mg.floor_divide", lambda x, y: mg.grad(mg.floor_divide(x, y).sum(), [x, y]),
     lambda x, y: torch.autograd.grad(torch.floor_divide(x, y).sum(), [x, y]), POS_DIVISOR[:3],
     tag="backward")
# bitwise ops on int64 and bool
BITWISE = [(i(*s, high=8), i(*s, high=4)) for s in EMPTY] + [
    (i(5, high=8), i(0, 5)), (i(4, 3, high=8, layout="t"), i(4, 3, layout="n"))]
BITWISE_BOOL = [(b(*s), b(*s)) for s in EMPTY] + [(b(4, 3, layout="t"), b(4, 3, layout="s"))]
for _n in ["bitwise_and", "bitwise_or", "bitwise_xor"]:
    both(_n, [(BITWISE + BITWISE_BOOL, {})])
for _n in ["bitwise_left_shift", "bitwise_right_shift"]:
    both(_n, [(BITWISE, {})])
both("bitwise_not", [([(i(*s, high=8),) for s in EMPTY] + [(b(*s),) for s in EMPTY]
                      + [(i(4, 3, high=8, layout="t"),), (b(3, 4, layout="s"),)], {})])
for _n in ["add_", "sub_", "mul_", "div_"]:
    case(f"Tensor.{_n}", lambda x, y, n=_n: getattr(x.detach(), n)(y.detach()),
         lambda x, y, n=_n: getattr(x.detach(), n)(y.detach()),
         [(f(*s), f(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), f(4, 3, layout="s"))])


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


for _n in ["abs_", "cos_", "exp_", "neg_", "relu_", "sigmoid_", "sin_", "tanh_"]:
    inplace(_n, floats())
for _n in ["log_", "sqrt_"]:
    inplace(_n, [(p(*s),) for s in EMPTY] + [(p(*s, layout=lay),) for s, lay in STRIDED])
inplace("pow_", floats(), 2)
inplace("clamp_min_", floats(), -0.2)
inplace("clamp_max_", floats(), 0.2)
inplace("clip_", floats(), -0.2, 0.2)
for _n in ["true_divide_", "floor_divide_", "remainder_", "fmod_"]:
    inplace(_n, POS_DIVISOR[:4] + POS_DIVISOR[5:])
for _n in ["bitwise_and_", "bitwise_or_", "bitwise_xor_"]:
    inplace(_n, BITWISE[:4] + BITWISE[5:] + BITWISE_BOOL)
for _n in ["bitwise_left_shift_", "bitwise_right_shift_"]:
    inplace(_n, BITWISE[:4] + BITWISE[5:])
inplace("bitwise_not_", [(i(*s, high=8),) for s in EMPTY] + [(b(4, 3, layout="t"),)])
inplace("masked_fill_", [(f(*s), b(*s)) for s in EMPTY] + [(f(0, 5), b(5)), (f(), b(0)),
                                                          (f(4, 3, layout="t"), b(4, 3))], 2.5)
for _n in ["scatter_", "scatter_add_"]:
    case(f"Tensor.{_n}", lambda x, k, s, n=_n: getattr(x.detach(), n)(-1, k, s.detach()),
         lambda x, k, s, n=_n: getattr(x.detach(), n)(-1, k, s.detach()),
         [(f(), i(high=1), f()), (f(0, 5), i(0, 5, high=5), f(0, 5)),
          (f(3, 0, 2), i(3, 0, 2, high=2), f(3, 0, 2)),
          (f(4, 3, layout="t"), i(4, 2, high=3, layout="s"), f(4, 3, layout="n"))], grad=False)
case("Tensor.scatter_", lambda x, k: x.detach().scatter_(-1, k, value=2.0),
     lambda x, k: x.detach().scatter_(-1, k, value=2.0), [(f(0, 5), i(0, 5, high=5))])
for _n, _a in [("exp_", ()), ("neg_", ()), ("clamp_min_", (0.1,)), ("add_", (1.0,)),
               ("mul_", (2.0,))]:
    inplace_base(_n, f(4, 4), *_a)
both("where", [([(b(*s), f(*s), f(*s)) for s in EMPTY] + [(b(0, 1), f(3), f(0, 3))], {})],
     method=False)

REDUCE_ALL = floats()
REDUCE_DIM = [(f(0, 5),), (f(3, 0, 2),), (f(4, 3, layout="t"),)]
for _n in ["sum", "mean", "amax", "amin", "max", "min", "argmax", "argmin", "std", "var"]:
    both(_n, [(REDUCE_ALL, {})])
    both(_n, [(REDUCE_DIM + [(f(),)], {"dim": 0}), (REDUCE_DIM, {"dim": -1, "keepdim": True})])
both("logsumexp", [(REDUCE_DIM + [(f(),)], {"dim": 0}), (REDUCE_DIM, {"dim": -1})])
both("sum", [([(f(3, 0, 2),)], {"dim": (0, 2)})])
both("aminmax", [(REDUCE_ALL, {}), (REDUCE_DIM + [(f(),)], {"dim": 0}),
                 (REDUCE_DIM + [(f(),)], {"dim": -1, "keepdim": True})])
for _n in ["std_mean", "var_mean"]:
    both(_n, [(REDUCE_ALL, {}), (REDUCE_DIM + [(f(),)], {"dim": 0}),
              (REDUCE_DIM, {"dim": -1, "keepdim": True, "correction": 0})], method=False)

# sorting and order statistics (random floats: no ties)
ORDER = floats((3, 1), (1, 4))
for _n in ["sort", "argsort"]:
    both(_n, [(ORDER, {}), (ORDER, {"dim": 0}), (ORDER[4:], {"dim": 0, "descending": True}),
              ([(f(0, 5),), (f(3, 0, 2),), (f(4, 3, layout="t"),)], {"dim": 1})])
both("topk", [(ORDER, {"k": 1}), (ORDER, {"k": 0}), ([(f(0, 5),), (f(4, 3, layout="t"),)],
                                                     {"k": 2, "dim": 0, "largest": False})])
both("kthvalue", [(ORDER, {"k": 1}), (ORDER, {"k": 1, "dim": 0, "keepdim": True}),
                  ([(f(2, 5, layout="n"),), (f(3, 4, layout="s"),)], {"k": 2})])
for _n in ["median", "nanmedian", "mode"]:
    both(_n, [(ORDER, {"dim": 0}), (ORDER, {"dim": -1, "keepdim": True})])
for _n in ["median", "nanmedian", "mode"]:
    both(_n, [(ORDER, {})])

for _n in ["softmax", "log_softmax"]:
    _sm = [(f(),), (f(0),), (f(0, 10),), (f(3, 0, 2),), (f(4, 3, layout="t"),),
           (f(3, 8, layout="s"),), (f(2, 5, layout="n"),)]
    both(_n, [(_sm, {"dim": -1}), ([(f(),), (f(0, 10),), (f(3, 0, 2),)], {"dim": 0})])
    case(f"F.{_n}", lambda x, n=_n: getattr(F, n)(x, dim=1),
         lambda x, n=_n: getattr(tF, n)(x, dim=1),
         [(f(0, 10),), (f(3, 0, 2),), (f(4, 3, layout="t"),), (f(2, 3),)])
    case(f"F.{_n}", lambda x, n=_n: getattr(F, n)(x, 0), lambda x, n=_n: getattr(tF, n)(x, 0),
         [(f(),), (f(0),)])
    case(f"F.{_n}", lambda x, n=_n: getattr(F, n)(x, 2), lambda x, n=_n: getattr(tF, n)(x, 2),
         [(f(),), (f(0, 3),)])

# shapes and views
SHAPED = [(f(*s),) for s in EMPTY] + [(f(4, 3, layout="t"),), (f(3, 4, layout="s"),)]
for _shape in [(-1,), (0, -1), ()]:
    both("reshape", [([(f(0, 5),), (f(3, 0, 2),)] if _shape != () else [(f(),), (f(1),)],
                      {"shape": _shape})], method=False)
for _n in ["reshape", "view"]:
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n)(-1), lambda x, n=_n: getattr(x, n)(-1),
         SHAPED)
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n)(()), lambda x, n=_n: getattr(x, n)(()),
         [(f(),), (f(1),), (f(0),)])
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n)(5, 0), lambda x, n=_n: getattr(x, n)(5, 0),
         [(f(0, 5),), (f(3, 0, 2),)])
for _n in ["view_as", "reshape_as", "expand_as"]:
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n)(mg.zeros(1, 0, 5)),
         lambda x, n=_n: getattr(x, n)(torch.zeros(1, 0, 5)), [(f(0, 5),), (f(0, 1),)])
both("flatten", [(SHAPED, {}), ([(f(3, 0, 2),), (f(2, 3, 4, layout="t"),)], {"start_dim": 1}),
                 ([(f(),)], {"start_dim": 0, "end_dim": -1})])
both("unsqueeze", [(SHAPED, {"dim": 0}), (SHAPED, {"dim": -1}), ([(f(),)], {"dim": 2})])
both("squeeze", [(SHAPED + [(f(1, 0, 1),)], {}), ([(f(),), (f(1, 0, 1),)], {"dim": 0}),
                 ([(f(),)], {"dim": 1}), ([(f(),)], {"dim": -1})])
both("permute", [([(f(),)], {"dims": ()}), ([(f(0),)], {"dims": (0,)}),
                 ([(f(3, 0, 2),), (f(2, 3, 4, layout="t"),)], {"dims": (2, 0, 1)}),
                 ([(f(0, 5),)], {"dims": (1, 0)}), ([(f(),)], {"dims": (0,)})])
both("transpose", [([(f(),), (f(0),)], {"dim0": 0, "dim1": -1}),
                   ([(f(0, 5),), (f(3, 0, 2),), (f(4, 3, layout="t"),)], {"dim0": 0, "dim1": 1}),
                   ([(f(),)], {"dim0": 0, "dim1": 1})])
case("Tensor.t", lambda x: x.t(), lambda x: x.t(), SHAPED)
case("Tensor.T", lambda x: x.T, lambda x: x.T if x.ndim != 3 else x.permute(2, 1, 0),
     [(f(),), (f(0),), (f(0, 5),), (f(4, 3, layout="t"),), (f(3, 0, 2),)])
case("Tensor.mT", lambda x: x.mT, lambda x: x.mT, SHAPED)
for _size, _rows in [((0, 3), [(f(),)]), ((2, 0), [(f(1),), (f(0),)]), ((0, 4), [(f(0, 1),)]),
                     ((2, -1, 5), [(f(0, 5),)]), ((), [(f(),)]), ((3,), [(f(0),)])]:
    # torch has no torch.expand: minigrad's function form is compared with the method
    case("mg.expand", lambda x, s=_size: mg.expand(x, s), lambda x, s=_size: x.expand(s), _rows)
case("Tensor.expand", lambda x: x.expand(2, 0, 5), lambda x: x.expand(2, 0, 5), [(f(0, 5),)])
case("Tensor.expand", lambda x: x.expand(3), lambda x: x.expand(3), [(f(),), (f(1),)])
case("Tensor.contiguous", lambda x: x.contiguous(), lambda x: x.contiguous(), SHAPED)
case("Tensor.clone", lambda x: x.clone(), lambda x: x.clone(), SHAPED)
case("Tensor.detach", lambda x: x.detach(), lambda x: x.detach(), SHAPED)
case("Tensor.select", lambda x: x.select(0, 0), lambda x: x.select(0, 0),
     [(f(),), (f(0),), (f(3, 0, 2),), (f(4, 3, layout="t"),)])
case("Tensor.select", lambda x: x.select(1, -1), lambda x: x.select(1, -1),
     [(f(3, 0, 2),), (f(4, 3, layout="t"),)])
case("Tensor.__getitem__", lambda x: x[...], lambda x: x[...], SHAPED)
case("Tensor.__getitem__", lambda x: x[None], lambda x: x[None], SHAPED)
case("Tensor.__getitem__", lambda x: x[1:], lambda x: x[1:], SHAPED[1:])
case("Tensor.__getitem__", lambda x, m: x[m], lambda x, m: x[m],
     [(f(*s), b(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), b(4, 3, layout="s"))])
case("Tensor.__getitem__", lambda x, k: x[k], lambda x, k: x[k],
     [(f(0, 5), i(0)), (f(3, 0, 2), i(2, 2)), (f(3), i()), (f(4, 3, layout="t"), i(0, 3))])


def _cat(fn):
    return lambda *xs, **kw: fn(list(xs), **kw)


CAT_ROWS = [(f(0), f(3, 2)), (f(3, 2), f(0)), (f(0, 2), f(3, 2)), (f(3, 0), f(3, 2)),
            (f(0), f(0)), (f(0, 2), f(0, 2)), (f(4, 3, layout="t"), f(2, 3, layout="s")),
            (f(), f()), (f(), f(0)), (f(0, 3), f(2, 4))]
for _n in ["cat", "concat", "concatenate"]:
    case(f"mg.{_n}", _cat(getattr(mg, _n)), _cat(getattr(torch, _n)), CAT_ROWS)
case("mg.cat", _cat(lambda t: mg.cat(t, dim=1)), _cat(lambda t: torch.cat(t, dim=1)),
     [(f(3, 0), f(3, 2)), (f(0), f(3, 2)), (f(3, 0, 2), f(3, 1, 2))])
case("mg.cat", _cat(lambda t: mg.cat(t, dim=-1)), _cat(lambda t: torch.cat(t, dim=-1)),
     [(f(3, 0), f(3, 2)), (f(2, 5, layout="n"), f(2, 4, layout="t"))])
case("mg.stack", _cat(mg.stack), _cat(torch.stack),
     [(f(), f()), (f(0), f(0)), (f(0, 5), f(0, 5)), (f(0), f(1)),
      (f(4, 3, layout="t"), f(4, 3, layout="s"))])
case("mg.stack", _cat(lambda t: mg.stack(t, dim=-1)), _cat(lambda t: torch.stack(t, dim=-1)),
     [(f(), f()), (f(3, 0, 2), f(3, 0, 2))])

# index ops
GATHER = [(f(), i()), (f(), i(high=1)), (f(0), i(0)), (f(0, 5), i(0, 5, high=5)),
          (f(3, 0, 2), i(3, 0, 2, high=2)), (f(4, 3, layout="t"), i(4, 2, high=3, layout="s")),
          (f(4, 3), i(0, 3, high=3)), (f(3), i(0))]
case("mg.gather", lambda x, k: mg.gather(x, -1, k), lambda x, k: torch.gather(x, -1, k), GATHER)
case("Tensor.gather", lambda x, k: x.gather(0, k), lambda x, k: x.gather(0, k), GATHER[:6])
case("mg.gather", lambda x, k: mg.gather(x, 0, k), lambda x, k: torch.gather(x, 0, k),
     [(f(), i(1, high=1)), (f(3), i(0, 0))])
SCATTER = [(f(), i(high=1), f()), (f(0), i(0), f(0)), (f(0, 5), i(0, 5, high=5), f(0, 5)),
           (f(3, 0, 2), i(3, 0, 2, high=2), f(3, 0, 2))]
# torch's backward fails when src is larger than index ("ScatterBackward0 returned an invalid
# gradient"), so those rows compare values only
SCATTER_WIDE = [(f(4, 3), i(4, 0), f(4, 3)),
                (f(4, 3, layout="t"), i(4, 2, layout="s"), f(4, 3, layout="s"))]
for _n in ["scatter", "scatter_add"]:
    case(f"mg.{_n}", lambda x, k, s, n=_n: getattr(mg, n)(x, -1, k, s),
         lambda x, k, s, n=_n: getattr(torch, n)(x, -1, k, s), SCATTER)
    case(f"mg.{_n}", lambda x, k, s, n=_n: getattr(mg, n)(x, -1, k, s),
         lambda x, k, s, n=_n: getattr(torch, n)(x, -1, k, s), SCATTER_WIDE, grad=False)
    case(f"Tensor.{_n}", lambda x, k, s, n=_n: getattr(x, n)(0, k, s),
         lambda x, k, s, n=_n: getattr(x, n)(0, k, s), SCATTER[:4])
case("Tensor.scatter", lambda x, k: x.scatter(-1, k, value=2.0),
     lambda x, k: x.scatter(-1, k, value=2.0), [(f(), i(high=1)), (f(0, 5), i(0, 5, high=5))])
both("masked_fill", [([(f(*s), b(*s)) for s in EMPTY] + [(f(0, 5), b(5)), (f(), b(0))]
                      + [(f(4, 3, layout="t"), b(4, 3, layout="n"))], {"value": -1.5})])
_oh = [(i(),), (i(0),), (i(0, 5),), (i(2, 0),), (i(4, 3, layout="t"),)]
case("mg.one_hot", lambda k: mg.one_hot(k, 3), lambda k: tF.one_hot(k, 3), _oh)
case("mg.one_hot", mg.one_hot, tF.one_hot, _oh)
case("F.one_hot", lambda k: F.one_hot(k, num_classes=4),
     lambda k: tF.one_hot(k, num_classes=4), _oh)
# ---- issue 15: sorting, selection and indexing ----
both("msort", [(floats((3, 1)), {})])
_uniq = floats() + [(i(*s, high=3),) for s in EMPTY] + [(b(3, 4),), (i(4, 3, layout="t"),)]
both("unique", [(_uniq, {}), (_uniq, {"return_inverse": True, "return_counts": True}),
                ([(i(5, 2, high=2),), (i(0, 3),), (i(3, 0, 2),), (f(),), (i(4, 3, layout="t"),)],
                 {"dim": 0, "return_inverse": True, "return_counts": True})], grad=False)
case("mg.unique", lambda x: mg.grad(mg.unique(x).sum(), [x]),      # no derivative, as torch
     lambda x: torch.autograd.grad(torch.unique(x).sum(), [x]), [(f(3),)], tag="backward")
_ss = [(f(0), f(3)), (f(5), f()), (f(5), f(0, 2)), (f(2, 5), f(2, 3)), (f(3, 0), f(3, 2)),
       (f(4, 3, layout="t"), f(4, 2, layout="s")), (f(2, 5, layout="n"), f(2, 1)),
       (f(2, 5), f(3, 3))]
for _kw in [{}, {"right": True}, {"side": "right", "out_int32": True}]:
    case("mg.searchsorted", lambda s, v, kw=_kw: mg.searchsorted(s.sort().values, v, **kw),
         lambda s, v, kw=_kw: torch.searchsorted(s.sort().values, v, **kw), _ss,
         tag=",".join(_kw))
    case("mg.bucketize", lambda v, s, kw={k: a for k, a in _kw.items() if k != "side"}:
         mg.bucketize(v, s.sort().values, **kw),
         lambda v, s, kw={k: a for k, a in _kw.items() if k != "side"}:
         torch.bucketize(v, s.sort().values, **kw),
         [(v, s) for s, v in _ss if len(s.shape) == 1] + [(f(2), f(2, 2))], tag=",".join(_kw))
_nz = floats() + [(i(*s),) for s in EMPTY] + [(b(*s),) for s in EMPTY] + [(b(3, 4, layout="s"),)]
both("nonzero", [(_nz, {}), (_nz, {"as_tuple": True})])
both("masked_select", [([(f(*s), b(*s)) for s in EMPTY] + [
    (f(0, 5), b(5)), (f(), b(3)), (f(3, 1), b(1, 4)), (f(4, 3, layout="t"), b(4, 3, layout="n")),
    (f(3), b(2)), (f(3), i(3))], {})])
both("take", [([(f(), i(high=1)), (f(0), i(0)), (f(3, 4), i(2, 3, high=12)), (f(), i(0)),
                (f(4, 3, layout="t"), i(5, high=12)), (f(2, 5, layout="n"), i(2, 6, high=10,
                                                                               layout="s")),
                (f(3), i(2, high=9))], {})])
both("take_along_dim", [([(f(), i(high=1)), (f(0), i(0)), (f(3, 4), i(2, 3, high=12)),
                          (f(4, 3, layout="t"), i(5, high=12))], {}),
                        ([(f(3, 4), i(3, 2, high=4)), (f(3, 1), i(1, 5, high=1)),
                          (f(0, 4), i(0, 2, high=4)), (f(4, 3, layout="t"), i(4, 2, high=3)),
                          (f(), i(high=1)), (f(3, 4), i(3, high=4))], {"dim": -1})])
_isel = [(f(3, 4), i(5, high=3)), (f(0, 4), i(0)), (f(), i(1, high=1)), (f(), i(high=1)),
         (f(4, 3, layout="t"), i(2, high=4)), (f(3, 0, 2), i(2, high=3)), (f(3), i(1, 1)),
         (f(3), i(2, high=5))]
both("index_select", [(_isel, {"dim": 0})])
# (index, source) rows for the index_* family along dim 0; repeated indices only for index_add
_iadd = [(f(3, 4), i(5, high=3), f(5, 4)), (f(0, 4), i(0), f(0, 4)), (f(), i(1, high=1), f()),
         (f(4, 3, layout="t"), i(2, high=4), f(2, 3, layout="s")), (f(3, 0, 2), i(2), f(2, 0, 2)),
         (f(3, 4), i(2, high=3), f(3, 4)), (f(3, 4), i(2, high=3), p(2, 4))]
both("index_add", [(_iadd, {"dim": 0}), (_iadd[:4], {"dim": 0, "alpha": -2.5})])
_icopy = [(f(3, 4), i(1, high=3), f(1, 4)), (f(0, 4), i(0), f(0, 4)), (f(), i(1, high=1), f()),
          (f(4, 3, layout="t"), i(1, high=4), f(1, 3, layout="s")), (f(3, 0, 2), i(1), f(1, 0, 2)),
          (f(3, 4), i(2, high=3), f(3, 4))]
both("index_copy", [(_icopy, {"dim": 0})])
both("index_fill", [([(f(3, 4), i(5, high=3)), (f(0, 4), i(0)), (f(), i(1, high=1)),
                      (f(4, 3, layout="t"), i(2, high=4)), (f(3, 0, 2), i(2)),
                      (f(3, 4), i(1, 1))], {"dim": 0, "value": -1.5})])
case("Tensor.index_fill", lambda x, v: x.index_fill(1, mg.tensor([0, 2]), v),
     lambda x, v: x.index_fill(1, torch.tensor([0, 2]), v), [(f(3, 4), f()), (f(2, 3), f(1))])
_iput = [(f(3, 4), i(5, high=3), f(5, 4)), (f(3, 4), i(5, high=3), f()), (f(0, 4), i(0), f(4)),
         (f(4, 3, layout="t"), i(2, high=4), f(3, layout="n")), (f(3, 0, 2), i(2), f(2, 0, 2)),
         (f(3, 4), b(3), f(4)), (f(), b(), f()), (f(3, 4), i(2, high=3), f(3))]
for _acc in [True, False]:
    _rows = _iput if _acc else [r for r in _iput if r[1].kind == "b" or r[1].shape in ((0,),)]
    case("mg.index_put", lambda x, k, v, a=_acc: mg.index_put(x, (k,), v, a),
         lambda x, k, v, a=_acc: torch.index_put(x, (k,), v, a), _rows, tag=f"acc={_acc}")
    case("Tensor.index_put", lambda x, k, v, a=_acc: x.index_put([k], v, accumulate=a),
         lambda x, k, v, a=_acc: x.index_put([k], v, accumulate=a), _rows, tag=f"acc={_acc}")
case("mg.index_put_", lambda x, k, v: mg.index_put_(x.detach(), (k,), v.detach(), True),
     lambda x, k, v: torch.index_put_(x.detach(), (k,), v.detach(), True), _iput, grad=False)
_sred = [(f(), i(high=1), f()), (f(0), i(0), f(0)), (f(0, 5), i(0, 5, high=5), f(0, 5)),
         (f(3, 0, 2), i(3, 0, 2, high=2), f(3, 0, 2)), (f(4, 3), i(4, 5, high=3), f(4, 5)),
         (f(4, 3, layout="t"), i(4, 2, high=3, layout="s"), f(4, 2, layout="n")),
         (f(4, 3), i(4, 0), f(4, 3))]
for _red in ["sum", "prod", "mean", "amax", "amin"]:
    for _inc in [True, False]:
        both("scatter_reduce", [(_sred, {"dim": -1, "reduce": _red, "include_self": _inc})])
_msc = [(f(*s), b(*s), f(*s)) for s in EMPTY] + [
    (f(0, 5), b(5), f(3)), (f(), b(3), f(4)), (f(3, 1), b(1, 4), f(12)), (f(3), b(3), f(1)),
    (f(4, 3, layout="t"), b(4, 3, layout="n"), f(3, 4, layout="s")), (f(3), i(3), f(3))]
both("masked_scatter", [(_msc, {})])
case("Tensor.msort", lambda x: x.msort(), lambda x: x.msort(), [(f(),)])
for _n, _call in [
        ("index_add_", lambda x, k, s: x.index_add_(0, k, s, alpha=2)),
        ("index_copy_", lambda x, k, s: x.index_copy_(0, k, s)),
        ("index_fill_", lambda x, k, s: x.index_fill_(0, k, -1.5)),
        ("index_put_", lambda x, k, s: x.index_put_((k,), s, accumulate=True)),
        ("scatter_reduce_", lambda x, k, s: x.scatter_reduce_(0, k, s, "amax")),
        ("masked_scatter_", lambda x, k, s: x.masked_scatter_(k, s))]:
    _rows = _sred if _n == "scatter_reduce_" else _icopy
    if _n == "masked_scatter_":
        _rows = [(x, k, s) for x, k, s in _msc if k.kind == "b"]
    case(f"Tensor.{_n}", lambda x, k, s, c=_call: c(x.detach(), k, s.detach()),
         lambda x, k, s, c=_call: c(x.detach(), k, s.detach()), _rows, grad=False)

# linalg
MATMUL = [(f(0), f(0)), (f(3, 0), f(0, 4)), (f(0, 3), f(3, 4)), (f(3, 4), f(4, 0)),
          (f(0, 3), f(3)), (f(3), f(3, 0)), (f(2, 0, 3), f(3, 4)), (f(0, 2, 3), f(0, 3, 4)),
          (f(0,), f(0, 4)), (f(4, 3, layout="t"), f(3, 5, layout="s")), (f(), f(3)),
          (f(3), f()), (f(2, 5, layout="n"), f(5, 2, layout="t"))]
both("matmul", [(MATMUL, {})])
case("Tensor.__matmul__", lambda x, y: x @ y, lambda x, y: x @ y, MATMUL[:6])
case("F.linear", F.linear, tF.linear,
     [(f(0, 3), f(4, 3), f(4)), (f(2, 0, 3), f(4, 3), f(4)), (f(5, 0), f(4, 0), f(4)),
      (f(3), f(4, 3), f(4)), (f(3), f(3), f()), (f(4, 3, layout="t"), f(2, 3, layout="s"), f(2)),
      (f(0, 3), f(0, 3), f(0))])


# conversions and attributes
def _cast(name):
    case(f"Tensor.{name}", lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), SHAPED,
         grad=name in ("float", "double", "half"))


for _n in ["float", "double", "long", "int", "bool", "half"]:
    _cast(_n)
case("Tensor.to", lambda x: x.to(mg.float32), lambda x: x.to(torch.float32), SHAPED)
case("Tensor.type_as", lambda x, k: x.type_as(k), lambda x, k: x.type_as(k),
     [(f(), i()), (f(0, 5), i(0))])
case("Tensor.cpu", lambda x: x.cpu(), lambda x: x.cpu(), SHAPED)
for _n in ["numel", "dim", "size", "tolist", "__len__", "item", "numpy", "__bool__",
           "__float__", "__int__"]:
    case(f"Tensor.{_n}",
         lambda x, n=_n: getattr(x.detach(), n)(), lambda x, n=_n: getattr(x.detach(), n)(),
         [(f(),), (f(0),), (f(0, 5),), (f(1),), (f(4, 3, layout="t"),)], grad=False)
case("Tensor.size", lambda x: x.size(-1), lambda x: x.size(-1),
     [(f(),), (f(0, 5),), (f(3, 0, 2),)])
for _n in ["shape", "ndim", "dtype"]:
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n), lambda x, n=_n: getattr(x, n),
         SHAPED, grad=False)
case("mg.numel", mg.numel, torch.numel, SHAPED)
case("mg.is_tensor", mg.is_tensor, torch.is_tensor, [(f(),)])
for _n in ["zero_", "fill_", "copy_"]:
    _a = {"zero_": (), "fill_": (2.5,), "copy_": None}[_n]
    if _a is None:
        case(f"Tensor.{_n}", lambda x, y: x.detach().copy_(y.detach()),
             lambda x, y: x.detach().copy_(y.detach()),
             [(f(*s), f(*s)) for s in EMPTY] + [(f(0, 5), f(5)), (f(4, 3, layout="t"), f())])
    else:
        case(f"Tensor.{_n}", lambda x, a=_a, n=_n: getattr(x.detach(), n)(*a),
             lambda x, a=_a, n=_n: getattr(x.detach(), n)(*a), SHAPED)

# creation
SIZES = [(), (0,), (0, 5), (3, 0, 2)]
for _n in ["zeros", "ones", "empty", "rand", "randn"]:
    for _s in SIZES:
        case(f"mg.{_n}", lambda n=_n, s=_s: getattr(mg, n)(*s),
             lambda n=_n, s=_s: getattr(torch, n)(*s, dtype=torch.float32), [()],
             values=_n in ("zeros", "ones"), tag=f"*{_s}")
        case(f"mg.{_n}", lambda n=_n, s=_s: getattr(mg, n)(s),
             lambda n=_n, s=_s: getattr(torch, n)(s, dtype=torch.float32), [()],
             values=_n in ("zeros", "ones"), tag=f"{_s}")
for _s in SIZES:
    case("mg.full", lambda s=_s: mg.full(s, 1.5), lambda s=_s: torch.full(s, 1.5,
         dtype=torch.float32), [()], tag=f"{_s}")
    case("mg.randint", lambda s=_s: mg.randint(0, 3, s), lambda s=_s: torch.randint(0, 3, s),
         [()], values=False, tag=f"{_s}")
for _n in ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"]:
    case(f"mg.{_n}", getattr(mg, _n), getattr(torch, _n), SHAPED, values=_n in ("zeros_like",
                                                                                "ones_like"))
case("mg.full_like", lambda x: mg.full_like(x, 2.0), lambda x: torch.full_like(x, 2.0), SHAPED)
case("mg.arange", lambda: mg.arange(0), lambda: torch.arange(0), [()])
case("mg.arange", lambda: mg.arange(2, 2, dtype=mg.float64),
     lambda: torch.arange(2, 2, dtype=torch.float64), [()])
case("mg.linspace", lambda: mg.linspace(0, 1, 0), lambda: torch.linspace(0, 1, 0,
     dtype=torch.float32), [()])
case("mg.linspace", lambda: mg.linspace(0, 1, 1), lambda: torch.linspace(0, 1, 1,
     dtype=torch.float32), [()])
case("mg.eye", lambda: mg.eye(0), lambda: torch.eye(0, dtype=torch.float32), [()])
case("mg.eye", lambda: mg.eye(0, 3), lambda: torch.eye(0, 3, dtype=torch.float32), [()])
case("mg.randperm", lambda: mg.randperm(0), lambda: torch.randperm(0), [()])
case("mg.tensor", lambda: mg.tensor([]), lambda: torch.tensor([], dtype=torch.float32), [()])
case("mg.tensor", lambda: mg.tensor(2.5), lambda: torch.tensor(2.5, dtype=torch.float32), [()])
case("mg.tensor", lambda: mg.tensor([[]]), lambda: torch.tensor([[]], dtype=torch.float32),
     [()])
case("mg.tensor", lambda x: mg.tensor(x.detach().numpy()),
     lambda x: torch.tensor(x.detach().numpy()), SHAPED)
for _n in ["from_numpy", "as_tensor"]:     # minigrad's arrays are views; torch's are not
    case(f"mg.{_n}", lambda x, n=_n: getattr(mg, n)(x.detach().numpy()),
         lambda x, n=_n: getattr(torch, n)(x.detach().numpy()),
         [r for r in floats() if r[0].layout != "n"] + [(i(0, 5),), (b(),)])
# torch's inputs are contiguous copies: the views are taken here, on both sides alike
for _tag, _view in [("T", lambda a: a.T), ("::2", lambda a: a[..., ::2]),
                    ("::-1", lambda a: a[..., ::-1])]:
    for _n in ["from_numpy", "as_tensor", "tensor"]:
        case(f"mg.{_n}", lambda x, n=_n, v=_view: getattr(mg, n)(v(x.detach().numpy())),
             lambda x, n=_n, v=_view: getattr(torch, n)(v(x.detach().numpy())),
             [(f(3, 4),), (f(0, 5),), (f(),)] if _tag == "T" else [(f(3, 4),), (f(0, 5),)],
             tag=_tag)
case("mg.as_tensor", lambda x: mg.as_tensor(x.detach().numpy(), dtype=mg.float32),
     lambda x: torch.as_tensor(x.detach().numpy(), dtype=torch.float32), SHAPED)

# activations (F and the mg/Tensor names above)
for _n in ["relu", "sigmoid", "tanh", "gelu", "silu", "logsigmoid", "softplus"]:
    case(f"F.{_n}", getattr(F, _n), getattr(tF, _n), floats())
case("F.gelu", lambda x: F.gelu(x, approximate="tanh"),
     lambda x: tF.gelu(x, approximate="tanh"), floats())

# dropout family: deterministic settings compare values; random ones compare shape/dtype
for _p, _tr in [(0.0, True), (0.5, False), (1.0, True)]:
    case("F.dropout", lambda x, pp=_p, tr=_tr: F.dropout(x, pp, tr),
         lambda x, pp=_p, tr=_tr: tF.dropout(x, pp, tr), floats())
case("F.dropout", lambda x: F.dropout(x, 0.5), lambda x: tF.dropout(x, 0.5), floats(),
     values=False)
case("F.drop_path", lambda x: F.drop_path(x, 0.5, training=False), lambda x: x * 1, floats())
case("F.drop_path", lambda x: F.drop_path(x, 0.0, training=True), lambda x: x * 1, floats())
case("F.drop_path", lambda x: F.drop_path(x, 0.5, training=True), lambda x: x * 1,
     floats()[1:], values=False)
case("F.gumbel_softmax", lambda x: F.gumbel_softmax(x), lambda x: tF.gumbel_softmax(x),
     [(f(0, 5),), (f(3, 0, 2),), (f(4, 3, layout="t"),), (f(),)], values=False)
case("F.gumbel_softmax", lambda x: F.gumbel_softmax(x, hard=True),
     lambda x: tF.gumbel_softmax(x, hard=True), [(f(0, 5),), (f(4, 3, layout="t"),)],
     values=False)

# normalisation
case("F.layer_norm", lambda x, w, bb: F.layer_norm(x, (4,), w, bb),
     lambda x, w, bb: tF.layer_norm(x, (4,), w, bb),
     [(f(0, 4), f(4), f(4)), (f(3, 0, 4), f(4), f(4)), (f(4, 4, layout="t"), f(4), f(4)),
      (f(2, 8, layout="s"), f(4, layout="n"), f(4))])
case("F.layer_norm", lambda x: F.layer_norm(x, (0,)), lambda x: tF.layer_norm(x, (0,)),
     [(f(3, 0),), (f(0),)])
case("F.layer_norm", lambda x: F.layer_norm(x, ()), lambda x: tF.layer_norm(x, ()),
     [(f(),), (f(0, 4),)])
case("F.layer_norm", lambda x: F.layer_norm(x, (4,)), lambda x: tF.layer_norm(x, (4,)),
     [(f(),), (f(0, 4),)])
for _tr in [True, False]:
    case("F.batch_norm", lambda x, w, bb, tr=_tr: F.batch_norm(
        x, mg.zeros(x.shape[1], dtype=mg.float64), mg.ones(x.shape[1], dtype=mg.float64), w, bb,
        training=tr), lambda x, w, bb, tr=_tr: tF.batch_norm(
        x, torch.zeros(x.shape[1]), torch.ones(x.shape[1]), w, bb, training=tr),
        [(f(0, 4), f(4), f(4)), (f(0, 4, 3), f(4), f(4)), (f(2, 4, 0), f(4), f(4)),
         (f(5, 4, layout="t"), f(4), f(4))])

# losses
for _red in ["mean", "sum", "none"]:
    for _n in ["cross_entropy", "nll_loss"]:
        case(f"F.{_n}", lambda x, t, n=_n, r=_red: getattr(F, n)(x, t, reduction=r),
             lambda x, t, n=_n, r=_red: getattr(tF, n)(x, t, reduction=r),
             [(f(0, 5), i(0)), (f(0, 5, 2), i(0, 2)), (f(3, 5, 0), i(3, 0)),
              (f(5), i()), (f(5, 4, layout="t"), i(5, layout="s")), (f(3, 0), i(3))])
    case("F.cross_entropy", lambda x, t, r=_red: F.cross_entropy(x, t, reduction=r),
         lambda x, t, r=_red: tF.cross_entropy(x, t, reduction=r),
         [(f(0, 5), p(0, 5)), (f(0, 5, 2), p(0, 5, 2)), (f(5), p(5)),
          (f(4, 3, layout="t"), p(4, 3))])
    case("F.cross_entropy", lambda x, t, r=_red: F.cross_entropy(x, t, reduction=r,
                                                                 label_smoothing=0.1),
         lambda x, t, r=_red: tF.cross_entropy(x, t, reduction=r, label_smoothing=0.1),
         [(f(0, 5), i(0)), (f(5, 4, layout="t"), i(5))])
    for _n in ["mse_loss", "l1_loss", "smooth_l1_loss", "binary_cross_entropy_with_logits"]:
        case(f"F.{_n}", lambda x, t, n=_n, r=_red: getattr(F, n)(x, t, reduction=r),
             lambda x, t, n=_n, r=_red: getattr(tF, n)(x, t, reduction=r),
             [(f(*s), f(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), f(4, 3, layout="s"))])
    case("F.binary_cross_entropy", lambda x, t, r=_red: F.binary_cross_entropy(x, t, reduction=r),
         lambda x, t, r=_red: tF.binary_cross_entropy(x, t, reduction=r),
         [(p(*s), p(*s)) for s in EMPTY] + [(p(4, 3, layout="t"), p(4, 3, layout="s"))])
    case("F.kl_div", lambda x, t, r=_red: F.kl_div(x, t, reduction=r),
         lambda x, t, r=_red: tF.kl_div(x, t, reduction=r),
         [(f(*s), p(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), p(4, 3, layout="s"))])
case("F.kl_div", lambda x, t: F.kl_div(x, t, reduction="batchmean"),
     lambda x, t: tF.kl_div(x, t, reduction="batchmean"), [(f(0, 5), p(0, 5)), (f(), p())])

# conv and pooling
CONV = [(f(0, 3, 5, 5), f(4, 3, 3, 3), f(4)), (f(2, 3, 5, 5, layout="t"), f(4, 3, 3, 3), f(4)),
        (f(2, 3, 5, 10, layout="s"), f(4, 3, 3, 3, layout="t"), f(4)),
        (f(3, 5, 5), f(4, 3, 3, 3), f(4)),
        (f(2, 3, 0, 5), f(4, 3, 3, 3), f(4)), (f(2, 3, 5, 5), f(0, 3, 3, 3), f(0))]
# Not compared: conv2d with 0 input channels (torch returns an empty (N, 0, H, W) result, which
# looks like a torch quirk; minigrad gives the bias-filled (N, C_out, H, W) result).
case("F.conv2d", F.conv2d, tF.conv2d, CONV)
case("F.conv2d", lambda x, w, bb: F.conv2d(x, w, bb, padding=1),
     lambda x, w, bb: tF.conv2d(x, w, bb, padding=1), CONV[:3])
POOL = [(f(0, 3, 4, 4),), (f(2, 3, 4, 4, layout="t"),), (f(2, 2, 4, 8, layout="s"),),
        (f(3, 4, 4),), (f(2, 0, 4, 4),), (f(2, 3, 0, 4),), (f(2, 3, 1, 1),)]
case("F.max_pool2d", lambda x: F.max_pool2d(x, 2), lambda x: tF.max_pool2d(x, 2), POOL)
case("F.avg_pool2d", lambda x: F.avg_pool2d(x, 2), lambda x: tF.avg_pool2d(x, 2), POOL)
# torch's adaptive_avg_pool2d backward refuses an empty channel dim: values only there
POOL_ADAPTIVE = [r for r in POOL if r[0].shape[1] != 0]
case("F.adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, 2),
     lambda x: tF.adaptive_avg_pool2d(x, 2), POOL_ADAPTIVE)
case("F.adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, 2),
     lambda x: tF.adaptive_avg_pool2d(x, 2), [(f(2, 0, 4, 4),)], grad=False)
case("F.adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (0, 2)),
     lambda x: tF.adaptive_avg_pool2d(x, (0, 2)), POOL[:2], grad=False)   # torch: no backward

# attention and embedding
case("F.scaled_dot_product_attention", F.scaled_dot_product_attention,
     tF.scaled_dot_product_attention,
     [(f(0, 2, 3, 4), f(0, 2, 5, 4), f(0, 2, 5, 4)), (f(2, 0, 4), f(2, 5, 4), f(2, 5, 4)),
      (f(2, 3, 4), f(2, 0, 4), f(2, 0, 4)), (f(2, 3, 0), f(2, 5, 0), f(2, 5, 6)),
      (f(2, 4, 3, layout="t"), f(2, 5, 3, layout="n"), f(2, 5, 3, layout="s"))])
case("F.scaled_dot_product_attention", lambda q, k, v: F.scaled_dot_product_attention(
    q, k, v, is_causal=True), lambda q, k, v: tF.scaled_dot_product_attention(q, k, v,
                                                                              is_causal=True),
     [(f(0, 3, 4), f(0, 3, 4), f(0, 3, 4)), (f(2, 4, 3, layout="t"), f(2, 4, 3), f(2, 4, 3))])
case("F.embedding", F.embedding, tF.embedding,
     [(i(0, high=4), f(4, 3)), (i(high=4), f(4, 3)), (i(2, 0, high=4), f(4, 3)),
      (i(3, high=4), f(4, 0)), (i(2, 3, high=4, layout="t"), f(3, 4, layout="t"))])


# ---- nn modules: same construction, parameters copied from torch ---------------------------
def module_case(name, make, specs, train=True, **opts):
    """make(ns) builds the module from namespace ns (mg.nn or torch.nn)."""
    def pair():
        tm = make(torch.nn).double().train(train)
        mm = make(mg.nn).to(mg.float64).train(train)
        mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
        return mm, tm
    case(f"nn.{name}", None, None, specs, module=pair, **opts)


module_case("Linear", lambda nn: nn.Linear(3, 4),
            [(f(0, 3),), (f(2, 0, 3),), (f(3),), (f(4, 3, layout="s"),), (f(),)])
module_case("Linear", lambda nn: nn.Linear(0, 4), [(f(2, 0),)])
module_case("Identity", lambda nn: nn.Identity(), floats())
module_case("Flatten", lambda nn: nn.Flatten(), [(f(0, 2, 3),), (f(2, 0, 3),), (f(0),),
                                                 (f(2, 3, 4, layout="t"),)])
module_case("Conv2d", lambda nn: nn.Conv2d(3, 4, 3, padding=1), CONV[:3] and
            [(f(0, 3, 5, 5),), (f(2, 3, 5, 5, layout="t"),), (f(3, 5, 5),), (f(2, 3, 0, 5),)])
for _n, _a in [("MaxPool2d", (2,)), ("AvgPool2d", (2,)), ("AdaptiveAvgPool2d", (2,))]:
    module_case(_n, lambda nn, n=_n, a=_a: getattr(nn, n)(*a),
                POOL_ADAPTIVE if _n.startswith("Adaptive") else POOL)
module_case("Embedding", lambda nn: nn.Embedding(4, 3), [(i(0, high=4),), (i(2, 0, high=4),),
                                                         (i(high=4),)])
module_case("Embedding", lambda nn: nn.Embedding(4, 3, padding_idx=0),
            [(i(0, high=4),), (i(3, 2, high=4, layout="t"),)])
for _n in ["ReLU", "Sigmoid", "Tanh", "GELU", "SiLU"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(), floats())
for _n in ["Softmax", "LogSoftmax"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(dim=-1),
                [(f(),), (f(0, 10),), (f(4, 3, layout="t"),)])
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(), [(f(0, 10),), (f(3, 0, 2),)])
module_case("Dropout", lambda nn: nn.Dropout(0.5), floats(), train=False)
module_case("Dropout", lambda nn: nn.Dropout(0.5), floats(), values=False)
module_case("LayerNorm", lambda nn: nn.LayerNorm(4),
            [(f(0, 4),), (f(3, 0, 4),), (f(4, 4, layout="t"),)])
for _tr in [True, False]:
    module_case("BatchNorm1d", lambda nn: nn.BatchNorm1d(4),
                [(f(0, 4),), (f(0, 4, 3),), (f(5, 4, layout="t"),), (f(2, 4, 0),)], train=_tr)
    module_case("BatchNorm2d", lambda nn: nn.BatchNorm2d(3),
                [(f(0, 3, 2, 2),), (f(2, 3, 0, 2),), (f(2, 3, 2, 2, layout="t"),)], train=_tr)
for _n in ["MSELoss", "L1Loss", "SmoothL1Loss", "BCEWithLogitsLoss"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(),
                [(f(*s), f(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), f(4, 3))])
module_case("BCELoss", lambda nn: nn.BCELoss(), [(p(*s), p(*s)) for s in EMPTY])
module_case("KLDivLoss", lambda nn: nn.KLDivLoss(reduction="sum"),
            [(f(*s), p(*s)) for s in EMPTY])
for _n in ["CrossEntropyLoss", "NLLLoss"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(),
                [(f(0, 5), i(0)), (f(5), i()), (f(5, 4, layout="t"), i(5))])
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(reduction="sum"), [(f(0, 5), i(0))])
module_case("MultiheadAttention", lambda nn: nn.MultiheadAttention(4, 2, batch_first=True),
            [(f(0, 3, 4), f(0, 5, 4), f(0, 5, 4)), (f(2, 0, 4), f(2, 5, 4), f(2, 5, 4)),
             (f(2, 3, 4, layout="n"), f(2, 5, 4), f(2, 5, 4, layout="s"))], train=False)
module_case("MultiheadAttention", lambda nn: nn.MultiheadAttention(4, 2),
            [(f(3, 4), f(5, 4), f(5, 4)), (f(0, 4), f(5, 4), f(5, 4))], train=False)
module_case("TransformerEncoderLayer", lambda nn: nn.TransformerEncoderLayer(
    4, 2, 8, dropout=0.0, batch_first=True), [(f(0, 3, 4),), (f(2, 3, 4, layout="s"),)],
    train=False)
module_case("TransformerEncoder", lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(
    4, 2, 8, dropout=0.0, batch_first=True), 2, enable_nested_tensor=False)
    if nn is torch.nn else nn.TransformerEncoder(nn.TransformerEncoderLayer(
        4, 2, 8, dropout=0.0, batch_first=True), 2),
    [(f(0, 3, 4),), (f(2, 3, 4, layout="s"),)], train=False)
module_case("Sequential", lambda nn: nn.Sequential(nn.Linear(3, 2), nn.ReLU()),
            [(f(0, 3),), (f(4, 3, layout="s"),)])
module_case("DropPath", lambda nn: nn.DropPath(0.5) if nn is mg.nn else nn.Identity(),
            floats(), train=False)

# ---- issue 15: elementwise unary math ----
UNARY_MATH = ["log1p", "expm1", "log2", "log10", "exp2", "rsqrt", "reciprocal", "square", "sign",
              "sgn", "erf", "erfc", "erfinv", "floor", "ceil", "round", "trunc", "frac", "sinh",
              "cosh", "asinh", "acosh", "atanh", "asin", "acos", "atan", "tan"]
UNARY_MATH_INTS = [(i(3, 4, high=5),), (i(high=5),), (i(0, 2),), (b(3, 4),), (b(),)]
# integer/bool inputs: only for the ops that keep integer dtypes (or refuse them, frac); the
# others give the default float dtype, which differs here (torch's is float64 in the tests)
for _n in UNARY_MATH:
    _keeps = _n in ("square", "sign", "sgn", "floor", "ceil", "round", "trunc", "frac")
    # sgn: torch's gradient is a ZeroTensor, which the runner cannot read (zeros: see
    # tests/test_unary_math.py), so its rows compare values only
    both(_n, [(floats() + (UNARY_MATH_INTS if _keeps else []), {})], grad=_n != "sgn")
    inplace(f"{_n}_", floats() + UNARY_MATH_INTS)
for _n in ["log1p", "log2", "log10", "rsqrt", "erfinv", "atanh", "asin", "acos"]:
    both(_n, [([(p(*s),) for s in EMPTY] + [(p(4, 3, layout="t"),)], {})])
both("round", [(floats() + UNARY_MATH_INTS[:3], {"decimals": 2}),
               (floats(), {"decimals": -1})])
inplace("round_", floats() + UNARY_MATH_INTS[:3], decimals=1)
for _n in ["floor_", "log1p_"]:
    inplace_base(_n, f(4, 4))
# ---- issue 15: matrix products, matrix structure, creation ----
both("mm", [([(f(0, 3), f(3, 4)), (f(3, 0), f(0, 4)), (f(4, 3, layout="t"), f(3, 5, layout="s")),
              (f(3), f(3, 4)), (f(2, 3), f(4, 2)), (f(2, 3), i(3, 2))], {})])
both("bmm", [([(f(0, 2, 3), f(0, 3, 4)), (f(2, 0, 3), f(2, 3, 4)), (f(2, 3, 0), f(2, 0, 4)),
               (f(2, 3, 4, layout="t"), f(2, 4, 5, layout="n")), (f(2, 3), f(3, 4)),
               (f(2, 3, 4), f(3, 4, 5))], {})])
both("mv", [([(f(0, 3), f(3)), (f(3, 0), f(0)), (f(4, 3, layout="t"), f(3, layout="n")),
              (f(3), f(3)), (f(2, 3), f(4))], {})])
for _n in ["dot", "vdot"]:
    both(_n, [([(f(0), f(0)), (f(3), f(3, layout="n")), (f(), f()), (f(3), f(4)),
                (f(2, 3), f(2, 3)), (i(3), i(3)), (f(3), i(3))], {})])
_ADD = {"addmm": [(f(4), f(2, 3), f(3, 4)), (f(0, 4), f(0, 3), f(3, 4)), (f(), f(3, 0), f(0, 2)),
                  (f(3, 2, layout="t"), f(3, 4, layout="s"), f(4, 2)), (f(5), f(2, 3), f(3, 4))],
        "addbmm": [(f(2, 4), f(5, 2, 3), f(5, 3, 4)), (f(1, 4), f(0, 2, 3), f(0, 3, 4)),
                   (f(), f(3, 2, 0), f(3, 0, 4)), (f(2, 4, layout="t"), f(2, 2, 3, layout="n"),
                                                   f(2, 3, 4))],
        "baddbmm": [(f(5, 2, 4), f(5, 2, 3), f(5, 3, 4)), (f(4), f(0, 2, 3), f(0, 3, 4)),
                    (f(2, 1, 4, layout="t"), f(2, 1, 3), f(2, 3, 4, layout="s"))],
        "addmv": [(f(2), f(2, 3), f(3)), (f(), f(2, 3), f(3)), (f(0), f(0, 3), f(3)),
                  (f(2), f(2, 0), f(0)), (f(4, layout="n"), f(4, 3, layout="t"), f(3)),
                  (f(3), f(2, 3), f(3))]}
# Not compared: addmv with an empty mat and an input that broadcasts (torch returns the input
# unbroadcast, minigrad raises; tests/test_products.py)
for _n, _rows in _ADD.items():
    both(_n, [(_rows, {}), (_rows[:3], {"beta": 0.5, "alpha": 2.0}), (_rows[:2], {"beta": 0})])
case("mg.addmm", lambda x, a, b: mg.addmm(x * np.nan, a, b, beta=0),
     lambda x, a, b: torch.addmm(x * np.nan, a, b, beta=0), [(f(4), f(2, 3), f(3, 4))],
     tag="nan,beta=0")
for _n in ["addmm_", "addbmm_", "baddbmm_", "addmv_"]:
    case(f"Tensor.{_n}", lambda x, a, b, n=_n: getattr(x.detach().clone(), n)(a, b, alpha=2),
         lambda x, a, b, n=_n: getattr(x.detach().clone(), n)(a, b, alpha=2),
         [r for r in _ADD[_n[:-1]] if r[0].shape != () and r[0].shape != (1, 4)][:2])
both("outer", [([(f(0), f(3)), (f(3), f(0)), (f(3, layout="n"), f(4)), (f(3), i(2)),
                 (f(), f(3)), (f(2, 3), f(3))], {})])
both("kron", [([(f(2, 3), f(4, 2)), (f(0, 3), f(2, 2)), (f(2), f(3, 2)), (f(), f(3)), (f(), f()),
                (f(3, 2, layout="t"), f(2, 4, layout="s")), (i(2, 2), f(2)),
                (f(2, 1, 3), f(2, 2))], {})])
for _dims, _rows in [(2, [(f(2, 3, 4), f(3, 4, 5)), (f(0, 3, 4), f(3, 4)), (f(3, 4), f(3, 4)),
                          (f(2, 3, 4, layout="t"), f(4, 3, layout="n")), (f(3), f(3, 4))]),
                     (0, [(f(2), f(3)), (f(), f(3)), (f(0, 2), f(2))]),
                     (1, [(f(2, 3), f(3, 4)), (f(2, 3), f(4, 4)), (f(0), f(0, 3))]),
                     (([1, 0], [0, 2]), [(f(2, 3, 4), f(3, 5, 2)), (f(0, 3), f(3, 4, 0))]),
                     (([-1], [0]), [(f(2, 3, layout="t"), f(3, 2, layout="s"))])]:
    case("mg.tensordot", lambda a, b, d=_dims: mg.tensordot(a, b, dims=d),
         lambda a, b, d=_dims: torch.tensordot(a, b, dims=d), _rows, tag=f"dims={_dims}")
_EINSUM = [("ij,jk->ik", [(f(2, 3), f(3, 4)), (f(0, 3), f(3, 4)), (f(2, 3, layout="t"), f(3, 0))]),
           ("ii->i", [(f(3, 3),), (f(0, 0),), (f(3, 3, layout="t"),), (f(2, 3),)]),
           ("ii", [(f(3, 3),), (f(0, 0),)]),
           ("ij->", [(f(2, 3),), (f(0, 3),)]),
           ("i,j", [(f(2), f(3)), (f(0), f(3))]),
           ("...ij,...jk", [(f(5, 2, 3), f(3, 4)), (f(0, 2, 3), f(1, 3, 4)), (f(2, 3), f(3, 4))]),
           ("bij,bjk->bik", [(f(2, 3, 4), f(2, 4, 5)), (f(2, 3, 4, layout="t"), f(1, 4, 5))]),
           ("iij,jk->ki", [(f(3, 3, 2), f(2, 4))]),
           ("...", [(f(),), (f(0, 2),)]),
           ("i,i->", [(f(3), i(3)), (f(3), f(4))]),
           ("ij->ji", [(f(2, 3, 4),)])]
for _eq, _rows in _EINSUM:
    case("mg.einsum", lambda *xs, e=_eq: mg.einsum(e, *xs),
         lambda *xs, e=_eq: torch.einsum(e, *xs), _rows, tag=_eq)
case("mg.einsum", lambda a, c: mg.einsum("ij,jk", [a, c]),
     lambda a, c: torch.einsum("ij,jk", [a, c]), [(f(2, 3), f(3, 4))], tag="list")
_TRI = [(f(3, 4),), (f(4, 3, layout="t"),), (f(0, 3),), (f(2, 3, 4),), (f(2, 0, 3),), (f(3),),
        (f(),), (i(3, 3),), (b(3, 3),)]
for _n in ["tril", "triu"]:
    both(_n, [(_TRI, {}), (_TRI[:5], {"diagonal": 1}), (_TRI[:2], {"diagonal": -2}),
              (_TRI[:1], {"diagonal": 9})])
    case(f"Tensor.{_n}_", lambda x, n=_n: getattr(x.detach().clone(), n + "_")(1),
         lambda x, n=_n: getattr(x.detach().clone(), n + "_")(1), _TRI[:3])
both("diag", [([(f(3),), (f(0),), (f(3, layout="n"),), (f(3, 4),), (f(4, 3, layout="t"),),
                (f(0, 3),), (f(),), (f(2, 2, 2),), (i(3),)], {}),
               ([(f(3),), (f(3, 4),)], {"diagonal": 1}), ([(f(3),), (f(3, 4),)], {"diagonal": -2}),
               ([(f(3, 4),)], {"diagonal": 7})])
both("diagonal", [([(f(3, 4),), (f(0, 3),), (f(2, 3, 4, layout="t"),), (f(3),), (i(3, 3),)], {}),
                   ([(f(2, 3, 4),), (f(2, 0, 4),)], {"offset": 1, "dim1": 2, "dim2": 0}),
                   ([(f(2, 3, 4),)], {"offset": -1, "dim1": -1, "dim2": -2}),
                   ([(f(2, 3, 4),)], {"dim1": 1, "dim2": 1}),
                   ([(f(3, 4),)], {"offset": 5})])
both("diag_embed", [([(f(3),), (f(0),), (f(2, 3),), (f(2, 3, layout="t"),), (f(),), (i(2),)], {}),
                     ([(f(2, 3),), (f(0, 2),)], {"offset": 1, "dim1": 0, "dim2": 2}),
                     ([(f(2, 3),)], {"offset": -2, "dim1": -1, "dim2": 0}),
                     ([(f(3),)], {"dim1": 0, "dim2": 0})])
both("trace", [([(f(3, 4),), (f(0, 3),), (f(4, 3, layout="t"),), (f(3),), (f(),), (i(3, 3),)],
                {})])
case("mg.block_diag", lambda *xs: mg.block_diag(*xs), lambda *xs: torch.block_diag(*xs),
     [(f(2, 3), f(3), f()), (f(0, 2), f(2, 0)), (f(3, 2, layout="t"), f(2, 2, layout="s")),
      (f(2), i(2, 2)), (f(2, 2, 2),)])
case("mg.cartesian_prod", lambda *xs: mg.cartesian_prod(*xs),
     lambda *xs: torch.cartesian_prod(*xs),
     [(f(2), f(3)), (f(2), f(0)), (f(3, layout="n"), f(2), f(2)), (f(3),), (i(2), i(3)),
      (f(2, 2), f(2))])
for _ix in ["ij", "xy"]:
    case("mg.meshgrid", lambda *xs, ix=_ix: mg.meshgrid(*xs, indexing=ix),
         lambda *xs, ix=_ix: torch.meshgrid(*xs, indexing=ix),
         [(f(2), f(3)), (f(2), f(0), f(4)), (f(), f(3)), (f(3, layout="n"),), (f(2, 2), f(2)),
          (f(2), i(3))], tag=_ix)
case("mg.meshgrid", lambda a, c: mg.meshgrid([a, c], indexing="ij"),
     lambda a, c: torch.meshgrid([a, c], indexing="ij"), [(f(2), f(3))], tag="list")
for _n, _a in [("linspace", (-1.0, 2.0, 7)), ("linspace", (0, 1, 0)), ("linspace", (3, -2, 1)),
               ("logspace", (-1.0, 2.0, 7)), ("logspace", (0, 1, 0))]:
    case(f"mg.{_n}", lambda n=_n, a=_a: getattr(mg, n)(*a, dtype=mg.float64),
         lambda n=_n, a=_a: getattr(torch, n)(*a, dtype=torch.float64), [()], tag=f"{_a}")
case("mg.linspace", lambda: mg.linspace(0, 1, -1), lambda: torch.linspace(0, 1, -1), [()])
case("mg.linspace", lambda: mg.linspace(0, 10, 4, dtype=mg.int64),
     lambda: torch.linspace(0, 10, 4, dtype=torch.int64), [()])
case("mg.logspace", lambda: mg.logspace(0, 3, 4, base=2.0, dtype=mg.float64),
     lambda: torch.logspace(0, 3, 4, base=2.0, dtype=torch.float64), [()])
case("mg.eye", lambda: mg.eye(-1), lambda: torch.eye(-1), [()])
case("mg.eye", lambda: mg.eye(3, 2, dtype=mg.int64), lambda: torch.eye(3, 2, dtype=torch.int64),
     [()])
case("mg.randint_like", lambda x: mg.randint_like(x, 5), lambda x: torch.randint_like(x, 5),
     SHAPED + [(i(2, 3),)], values=False)
case("mg.randint_like", lambda x: mg.randint_like(x, 2, 5, dtype=mg.int32),
     lambda x: torch.randint_like(x, 2, 5, dtype=torch.int32), [(f(0, 5),), (f(2, 3),)],
     values=False)
for _n in ["new_zeros", "new_ones", "new_empty"]:
    for _s in [(), (0,), (2, 3)]:
        case(f"Tensor.{_n}", lambda x, n=_n, s=_s: getattr(x, n)(s),
             lambda x, n=_n, s=_s: getattr(x, n)(s), [(f(2),), (i(2),)],
             values=_n != "new_empty", tag=f"{_s}")
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n)(2, 3, dtype=mg.int32),
         lambda x, n=_n: getattr(x, n)(2, 3, dtype=torch.int32), [(f(2),)],
         values=_n != "new_empty")
case("Tensor.new_full", lambda x: x.new_full((2, 3), 1.5), lambda x: x.new_full((2, 3), 1.5),
     [(f(2),), (i(2),), (b(2),)])
case("Tensor.new_tensor", lambda x: x.new_tensor([[1, 2.5]]),
     lambda x: x.new_tensor([[1, 2.5]]), [(f(2),), (i(2),)])
case("Tensor.new_tensor", lambda x: x.new_tensor([], dtype=mg.int64),
     lambda x: x.new_tensor([], dtype=torch.int64), [(f(2),)])
# ---- issue 15: elementwise binary/ternary math and predicates ----
SAME_SHAPE = [(f(*s), f(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), f(4, 3, layout="s"))]
TERNARY = [(f(*s), f(*s), f(*s)) for s in EMPTY] + [
    (f(5), f(0, 5), f(1)), (f(4, 3, layout="t"), f(4, 3, layout="s"), f(4, 3, layout="n"))]
TERNARY_POS = [(x, y, p(*z.shape, layout=z.layout)) for x, y, z in TERNARY]
both("lerp", [(BINARY_SHAPES, {"weight": 0.3}), (BINARY_SHAPES[:3], {"weight": 0.7}),
              (TERNARY, {})])
both("addcmul", [(TERNARY, {}), (TERNARY[:3], {"value": -0.5})])
both("addcdiv", [(TERNARY_POS, {}), (TERNARY_POS[:3], {"value": 2})])
both("xlogy", [(POS_DIVISOR, {})])
for _n in ["logaddexp", "logaddexp2", "hypot", "atan2", "arctan2", "clamp_min", "clamp_max"]:
    both(_n, [(BINARY_SHAPES, {})])
both("clamp_min", [(floats(), {"min": 0.1})])
both("clamp_max", [(floats(), {"max": 0.1})])
both("rsub", [(BINARY_SHAPES, {}), (BINARY_SHAPES[:3], {"alpha": 2})], method=False)
both("nan_to_num", [(floats(), {}), (floats(), {"nan": 1.0, "posinf": 2.0})])
for _n in ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "logical_not"]:
    both(_n, [(floats() + [(i(3, 4),), (b(0, 2),), (i(),)], {})])
for _n in ["logical_and", "logical_or", "logical_xor"]:
    both(_n, [(BINARY_SHAPES + BITWISE + BITWISE_BOOL, {})])
for _n in ["isclose", "allclose"]:
    both(_n, [(BINARY_SHAPES, {}), (BINARY_SHAPES[:3], {"rtol": 0.5, "atol": 0.5}),
              (BITWISE[:4], {})])
both("equal", [(BINARY_SHAPES + BITWISE + [(f(3), f(3, 1))], {})])
inplace("lerp_", SAME_SHAPE, 0.3)
inplace("lerp_", [(x, y, z) for x, y, z in TERNARY if x.shape == y.shape])
inplace("addcmul_", [(x, y, z) for x, y, z in TERNARY if x.shape == y.shape])
inplace("addcdiv_", [(x, y, z) for x, y, z in TERNARY_POS if x.shape == y.shape])
inplace("xlogy_", POS_DIVISOR[:4] + POS_DIVISOR[5:])
for _n in ["hypot_", "atan2_", "arctan2_", "logical_and_", "logical_or_", "logical_xor_"]:
    inplace(_n, SAME_SHAPE)
inplace("nan_to_num_", floats())
inplace("logical_not_", floats() + [(i(3, 4),), (b(0, 2),)])

# ---- issue 15: reductions and scans ----
SCAN_ROWS = floats()
for _n in ["cumsum", "cumprod", "logcumsumexp"]:
    both(_n, [(SCAN_ROWS, {"dim": -1}), (REDUCE_DIM + [(f(),)], {"dim": 0})])
for _n in ["cummax", "cummin"]:     # torch's gradient of an empty cummax requires grad: no grad
    both(_n, [(SCAN_ROWS[:1] + SCAN_ROWS[4:], {"dim": -1}), ([(f(4, 3, layout="t"),), (f(),)],
                                                               {"dim": 0})])
    both(_n, [(SCAN_ROWS[1:4], {"dim": -1}), ([(f(0, 5),), (f(3, 0, 2),)], {"dim": 0})],
         grad=False)
for _n in ["cumsum", "cumprod"]:
    both(_n, [([(i(*s),) for s in EMPTY] + [(b(3, 4, layout="t"),)], {"dim": 0})])
both("logcumsumexp", [([(i(2, 3),)], {"dim": 0})])
for _n in ["cumsum_", "cumprod_"]:
    inplace(_n, floats() + [(i(3, 4, layout="t"),)], 0)
    inplace_base(_n, f(4, 4), -1)
both("cummax", [([(i(*s),) for s in EMPTY] + [(b(3, 4, layout="s"),)], {"dim": 0})])
both("prod", [(REDUCE_ALL, {}), (REDUCE_DIM + [(f(),)], {"dim": 0}),
              (REDUCE_DIM, {"dim": -1, "keepdim": True}), ([(i(3, 4),), (b(0, 2),)], {})])
LOGICAL = [(f(*s),) for s in EMPTY] + [(b(*s),) for s in EMPTY] + [
    (i(3, 4, layout="t"),), (b(3, 4, layout="s"),), (f(2, 5, layout="n"),)]
for _n in ["all", "any"]:
    both(_n, [(LOGICAL, {}), (LOGICAL, {"dim": 0}), (LOGICAL[4:], {"dim": -1, "keepdim": True}),
              ([(f(3, 0, 2),), (b(2, 3, 4, layout="t"),)], {"dim": (0, 2)}),
              ([(b(2, 3),)], {"dim": ()})])
both("count_nonzero", [(LOGICAL, {}), (LOGICAL, {"dim": 0}),
                       ([(f(3, 0, 2),), (b(2, 3, 4, layout="t"),)], {"dim": (0, 2)})])
for _n in ["nansum", "nanmean"]:
    both(_n, [(REDUCE_ALL, {}), (REDUCE_DIM + [(f(),)], {"dim": 0}),
              (REDUCE_DIM, {"dim": -1, "keepdim": True}), ([(f(3, 0, 2),)], {"dim": (0, 2)})])
both("nansum", [([(i(3, 4),), (b(0, 2),)], {})])
both("nanmean", [([(i(3, 4),)], {})])
both("norm", [(floats(), {}), (floats(), {"p": 1}), (REDUCE_DIM + [(f(),)], {"p": 3, "dim": 0}),
              (REDUCE_DIM, {"p": float("inf"), "dim": -1, "keepdim": True}),
              ([(f(3, 0, 2),), (f(4, 3, layout="t"),), (f(),)], {"p": "nuc"}),
              ([(f(3, 0, 2),), (f(2, 3, 4, layout="t"),)], {"p": "fro", "dim": (0, 2)}),
              ([(i(3, 4),)], {})])
both("dist", [(BINARY_SHAPES, {}), (BINARY_SHAPES[:3] + BINARY_SHAPES[5:], {"p": 1}),
              ([(f(3), f(3)), (f(0), f(0))], {"p": float("inf")})])
CDIST = [(f(3, 2), f(4, 2)), (f(0, 2), f(4, 2)), (f(3, 0), f(4, 0)), (f(2, 3, 2), f(4, 2)),
         (f(4, 3, layout="t"), f(2, 3, layout="s")), (f(3), f(4, 3)), (f(3, 2), f(4, 3))]
both("cdist", [(CDIST, {}), (CDIST[:5], {"p": 1.0}), (CDIST[:2], {"p": float("inf")})],
     method=False)
for _n, _kws in [("vector_norm", [{}, {"ord": 1, "dim": 0}, {"ord": -2.5, "dim": -1}]),
                 ("matrix_norm", [{}, {"ord": 1}, {"ord": float("inf"), "keepdim": True}]),
                 ("norm", [{}, {"ord": 2, "dim": 0}, {"dim": (0, -1)}])]:
    for _kw in _kws:
        case(f"mg.linalg.{_n}", lambda x, n=_n, kw=_kw: getattr(mg.linalg, n)(x, **kw),
             lambda x, n=_n, kw=_kw: getattr(torch.linalg, n)(x, **kw),
             [(f(3, 4),), (f(0, 3),), (f(3, 0, 2),), (f(4, 3, layout="t"),), (f(),)],
             tag=",".join(f"{k}={v}" for k, v in _kw.items()))
case("mg.linalg.matrix_norm", lambda x: mg.linalg.matrix_norm(x, "nuc"),
     lambda x: torch.linalg.matrix_norm(x, "nuc"), [(f(3, 4),), (f(2, 3, 2, layout="t"),)],
     tag="nuc")
# ---- issue 15: shape ops ----
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


_S15 = SHAPED + [(f(2, 5, layout="n"),), (f(2, 3, 4, layout="t"),)]
for _a in [(2,), (1, -1)]:
    _pos15("split", _S15, *_a)
_pos15("split", [(f(4, 3, layout="t"),), (f(0, 5),)], [0, 1, 2], -1)
_pos15("split", [(f(4, 3, layout="t"),), (f(0, 5),)], [4, 0])
for _a in [(2,), (3, -1)]:
    _pos15("chunk", _S15, *_a)
for _a in [(), (-1,)]:
    _pos15("unbind", _S15, *_a)
for _a in [(2,), ([1, 3], -1), ([3, 1],)]:
    _pos15("tensor_split", _S15, *_a)
for _n in ["hsplit", "vsplit", "dsplit"]:
    _pos15(_n, _S15, 1)
    _pos15(_n, _S15, [1])
for _a in [(0, 0, 0), (-1, 1, 1), (0, -1, 1)]:
    _pos15("narrow", _S15, *_a)
_pos15("repeat", _S15, 2, 1, 3, function=False)
_pos15("repeat", _S15, (1, 0, 2), function=False)
for _a in [((2, 1),), ((2, 1, 1, 2),)]:
    _pos15("tile", _S15, *_a)
for _a, _kw in [((2,), {}), ((2, 0), {}), ((3, -1), {}), ((2, -1), {"output_size": 2})]:
    _pos15("repeat_interleave", _S15, *_a, **_kw)
case("mg.repeat_interleave", lambda x, r: mg.repeat_interleave(x, r, 0),
     lambda x, r: torch.repeat_interleave(x, r, 0),
     [(f(4, 3, layout="t"), i(4)), (f(0, 5), i(0)), (f(3), i(1)), (f(3, 0, 2), i())])
case("mg.repeat_interleave", mg.repeat_interleave, torch.repeat_interleave,
     [(i(5),), (i(0),), (i(),), (i(4, 3, layout="t"),)])
for _a in [(1,), ((1, 2), (0, -1)), (-3, 0)]:
    _pos15("roll", _S15, *_a)
for _a in [((0,),), ((0, -1),), ((),)]:
    _pos15("flip", _S15, *_a)
for _n in ["fliplr", "flipud"]:
    _pos15(_n, _S15)
for _a in [(), (2, (1, 0)), (-1, (0, -1))]:
    _pos15("rot90", _S15, *_a)
for _n in ["movedim", "moveaxis"]:
    _pos15(_n, _S15, 0, -1)
    _pos15(_n, [(f(3, 0, 2),), (f(2, 3, 4, layout="t"),)], (0, 1), (2, 0))
for _n in ["swapaxes", "swapdims"]:
    _pos15(_n, _S15, 0, -1)
for _a in [((2, -1, -1),), ((1, 0, 5),), ((4, 3),), ((),)]:
    _pos15("broadcast_to", _S15, *_a)
case("mg.broadcast_tensors", mg.broadcast_tensors, torch.broadcast_tensors,
     [(f(4, 3, layout="t"), f(3)), (f(), f(0, 5)), (f(3, 0, 2), f(0, 1)), (f(0),),
      (f(2, 5, layout="n"), f(), f(3, 1, 1)), (f(3), f(4))])
for _n in ["atleast_1d", "atleast_2d", "atleast_3d"]:
    _pos15(_n, _S15, method=False)
    case(f"mg.{_n}", _cat(getattr(mg, _n)), _cat(getattr(torch, _n)),
         [(f(), f(0, 5)), (f(4, 3, layout="t"), f(3))])
for _a in [(0, (1, -1)), (-1, [-1, 1]), (1, (2, 0))]:
    _pos15("unflatten", _S15, *_a)
for _n in ["hstack", "vstack", "dstack", "column_stack"]:
    case(f"mg.{_n}", _cat(getattr(mg, _n)), _cat(getattr(torch, _n)),
         [(f(), f()), (f(0), f(0)), (f(0, 5), f(0, 5)), (f(3), f(3)), (f(3, 0, 2), f(3, 0, 2)),
          (f(4, 3, layout="t"), f(4, 3, layout="s")), (f(3, 2), f(3)), (f(2, 3), f(2, 3, 1))])
module_case("Unflatten", lambda nn: nn.Unflatten(1, (1, -1)),
            [(f(0, 2, 3),), (f(2, 0),), (f(4, 3, layout="t"),)])
module_case("Unflatten", lambda nn: nn.Unflatten(-1, (2, 2)), [(f(3, 4),), (f(0, 4),), (f(),)])

# Names with no row, and why. Everything else public must have a row above.
SKIP = {
    "mg.Function": "autograd API (tests/test_autograd.py)",
    "mg.Tensor": "the class itself", "mg.device": "a type",
    "mg.grad": "autograd API", "mg.no_grad": "grad mode", "mg.enable_grad": "grad mode",
    "mg.set_grad_enabled": "grad mode", "mg.is_grad_enabled": "grad mode",
    "mg.manual_seed": "random state", "mg.save": "I/O", "mg.load": "I/O",
    "Tensor.backward": "autograd API", "Tensor.retain_grad": "autograd API",
    "Tensor.requires_grad_": "autograd API", "Tensor.grad": "autograd attribute",
    "Tensor.grad_fn": "autograd attribute", "Tensor.requires_grad": "autograd attribute",
    "Tensor.is_leaf": "autograd attribute", "Tensor.data": "the raw array (differs from torch "
                                                          "by design)",
    "Tensor.cuda": "needs a GPU (tests/test_cuda_dispatch.py)", "Tensor.is_cuda": "attribute",
    "Tensor.device": "attribute", "Tensor.uniform_": "random fill",
    "Tensor.normal_": "random fill",
    "nn.Module": "base class", "nn.ModuleList": "container", "nn.ModuleDict": "container",
    "nn.Parameter": "a Tensor subclass",
    "nn.WindowAttention": "no torch counterpart (tests/test_mha.py)",
    "mg.can_cast": "dtype rules (tests/test_promotion.py)",
    "mg.promote_types": "dtype rules (tests/test_promotion.py)",
    "mg.result_type": "dtype rules (tests/test_promotion.py)",
    "mg.finfo": "dtype info (tests/test_promotion.py)",
    "mg.iinfo": "dtype info (tests/test_promotion.py)",
    "mg.get_default_dtype": "global state (tests/test_promotion.py)",
    "mg.set_default_dtype": "global state (tests/test_promotion.py)",
    "mg.inference_mode": "grad mode (tests/test_grad_mode.py)",
    "mg.is_inference_mode_enabled": "grad mode (tests/test_grad_mode.py)",
}

# Failures the sweep finds in files other engineers own: case id -> (owner, what differs).
# These rows are xfail (not strict) until the owner's fix lands; then delete the entry.
OWNED_ELSEWHERE = {}


def _owned(owner, why, ids):
    OWNED_ELSEWHERE.update({k: (owner, why) for k in ids})


def public_names():
    names = {f"mg.{n}" for n in dir(mg) if not n.startswith("_")
             and callable(getattr(mg, n)) and not inspect.ismodule(getattr(mg, n))
             and not isinstance(getattr(mg, n), np.dtype)}
    names |= {f"Tensor.{n}" for n in dir(mg.Tensor) if not n.startswith("_")}
    names |= {f"F.{n}" for n in dir(F) if not n.startswith("_")
              and callable(getattr(F, n)) and not inspect.ismodule(getattr(F, n))}
    names |= {f"nn.{n}" for n in dir(mg.nn) if inspect.isclass(getattr(mg.nn, n))}
    return names


def test_sweep_covers_every_op():
    covered = {c[0] for c in CASES}
    missing = public_names() - covered - set(SKIP)
    assert not missing, f"public names without a sweep row (add one, or a SKIP reason): " \
                        f"{sorted(missing)}"
    stale = set(SKIP) - public_names()
    assert not stale, f"SKIP entries for names that no longer exist: {sorted(stale)}"
    ids = {_case_id(c) for c in CASES}
    stale = set(OWNED_ELSEWHERE) - ids
    assert not stale, f"OWNED_ELSEWHERE entries that match no case: {sorted(stale)}"


# ---- the runner ---------------------------------------------------------------------------
def _run(fn, args):
    try:
        return fn(*args), None
    except Exception as e:     # noqa: BLE001 (both frameworks' errors are compared below)
        return None, e


def _builtin_kind(exc):
    return next(k for k in type(exc).__mro__ if k.__module__ == "builtins")


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _np(x):
    if isinstance(x, mg.Tensor):
        return x.detach().numpy()
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return x


def _dtype_name(d):
    return str(d).replace("torch.", "")


def _compare(mo, to, what, values=True):
    if isinstance(to, torch.Tensor):
        assert isinstance(mo, mg.Tensor), f"{what}: torch gives a tensor, minigrad {type(mo)}"
        assert tuple(mo.shape) == tuple(to.shape), f"{what}: shape {mo.shape} vs {to.shape}"
        assert _dtype_name(mo.dtype) == _dtype_name(to.dtype), \
            f"{what}: dtype {mo.dtype} vs {to.dtype}"
        if values:
            np.testing.assert_allclose(_np(mo), _np(to), rtol=1e-7, atol=1e-9, equal_nan=True,
                                       err_msg=what)
    elif isinstance(to, (torch.Size, tuple, list)) and not isinstance(to, str):
        assert isinstance(mo, (tuple, list)), f"{what}: {type(mo)} vs {type(to)}"
        assert len(mo) == len(to), f"{what}: {mo} vs {to}"
        for k, (a, t) in enumerate(zip(mo, to)):
            _compare(a, t, f"{what}[{k}]", values)
    elif isinstance(to, torch.dtype):
        assert _dtype_name(mo) == _dtype_name(to), f"{what}: {mo} vs {to}"
    elif isinstance(to, np.ndarray):
        assert mo.shape == to.shape and mo.dtype == to.dtype, f"{what}: {mo!r} vs {to!r}"
        np.testing.assert_array_equal(mo, to)
    else:
        assert type(mo) is type(to) or (values is False), f"{what}: {mo!r} vs {to!r}"
        if values:
            both_nan = isinstance(to, float) and np.isnan(to) and np.isnan(mo)
            assert mo == to or both_nan, f"{what}: {mo!r} vs {to!r}"


def _case_id(c):
    name, _, _, specs, opts = c
    tag = f"[{opts['tag']}]" if opts.get("tag") else ""
    return f"{name}{tag}-{','.join(map(repr, specs))}" + (
        "-train" if opts.get("module") and opts.get("train", True) else "")


def _params(c):
    owned = OWNED_ELSEWHERE.get(_case_id(c))
    marks = [pytest.mark.xfail(strict=False, reason=f"{owned[0]}: {owned[1]}")] if owned else []
    return pytest.param(c, id=_case_id(c), marks=marks)


@pytest.mark.parametrize("c", [_params(c) for c in CASES])
def test_sweep(c):
    _, mg_fn, torch_fn, specs, opts = c
    rng = np.random.default_rng(zlib.crc32(_case_id(c).encode()))
    arrays = [s.array(rng) for s in specs]
    grad = opts.get("grad", True)
    xs = [mg.Tensor._make(a) for a in arrays]
    ts = [torch.tensor(a.copy()) for a in arrays]
    for x, t, s in zip(xs, ts, specs):
        if grad and s.grad:
            x.requires_grad_()
            t.requires_grad_()
    mg_extra, t_extra = [], []
    if "module" in opts:
        mm, tm = opts["module"]()
        mg_fn, torch_fn = mm, tm
        named = dict(tm.named_parameters())
        for n, prm in mm.named_parameters():
            mg_extra.append(prm)
            t_extra.append(named[n])
    values = opts.get("values", True)
    tout, terr = _run(torch_fn, ts)
    mout, merr = _run(mg_fn, xs)
    if terr is not None:
        assert merr is not None, f"torch raises {terr!r}; minigrad returns {mout!r}"
        kind = _builtin_kind(terr)
        assert isinstance(merr, kind), f"torch raises {kind.__name__} ({terr}); minigrad " \
                                       f"{type(merr).__name__} ({merr})"
        last = traceback.extract_tb(merr.__traceback__)[-1].filename
        assert "/numpy/" not in last and "/cupy/" not in last, \
            f"minigrad's error comes from inside NumPy ({last}): {merr!r}"
        return
    if merr is not None:
        raise AssertionError(f"torch works, minigrad raises {merr!r}") from merr
    mouts, touts = _as_list(mout), _as_list(tout)
    if not isinstance(tout, (tuple, list)) or isinstance(tout, torch.Size):
        mouts, touts = [mout], [tout]
    assert len(mouts) == len(touts), (mout, tout)
    for k, (a, t) in enumerate(zip(mouts, touts)):
        _compare(a, t, f"output {k}", values)
    # gradients for a random upstream gradient (only where the values are deterministic)
    if not values:
        return
    diff = [(a, t) for a, t in zip(mouts, touts) if isinstance(t, torch.Tensor)
            and t.requires_grad]
    wrt_t = [t for t, s in zip(ts, specs) if t.requires_grad] + t_extra
    wrt_m = [x for x, s in zip(xs, specs) if x.requires_grad] + mg_extra
    if not diff or not wrt_t:
        return
    for a, t in diff:
        assert a.requires_grad, "torch's output requires grad, minigrad's does not"
    # the upstream gradient in each output's dtype (torch's engine casts it; see the report)
    ws = [rng.standard_normal(tuple(t.shape)).astype(_dtype_name(t.dtype)) for _, t in diff]
    g_t = torch.autograd.grad([t for _, t in diff], wrt_t, [torch.tensor(w) for w in ws],
                              allow_unused=True)
    g_m = mg.grad([a for a, _ in diff], wrt_m, [mg.tensor(w) for w in ws], allow_unused=True)
    for k, (gm, gt, x) in enumerate(zip(g_m, g_t, wrt_m)):
        gt = np.zeros(x.shape) if gt is None else gt.numpy()
        gm = np.zeros(x.shape) if gm is None else gm.numpy()
        assert gm.shape == gt.shape, f"grad {k}: shape {gm.shape} vs {gt.shape}"
        np.testing.assert_allclose(gm, gt, rtol=1e-7, atol=1e-9, equal_nan=True,
                                   err_msg=f"grad of input {k}")
