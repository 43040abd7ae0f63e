"""Sweep rows: the first ops: arithmetic, reductions, shape, indexing, in-place.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *
from sweep_table import _cat, _pos15  # noqa: F401


UNARY = ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sin", "cos", "neg",
         "negative", "absolute", "ravel"]
for _n in UNARY:
    both(_n, [(floats(), {})])
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
    both(_n, [(BINARY_SHAPES, {})])
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
case("mg.t", lambda x: mg.t(x), lambda x: torch.t(x), SHAPED)
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
case("mg.clone", lambda x: mg.clone(x), lambda x: torch.clone(x), SHAPED)
case("Tensor.detach", lambda x: x.detach(), lambda x: x.detach(), SHAPED)
case("Tensor.select", lambda x: x.select(0, 0), lambda x: x.select(0, 0),
     [(f(),), (f(0),), (f(3, 0, 2),), (f(4, 3, layout="t"),)])
case("Tensor.select", lambda x: x.select(1, -1), lambda x: x.select(1, -1),
     [(f(3, 0, 2),), (f(4, 3, layout="t"),)])
case("mg.select", lambda x: mg.select(x, 1, -1), lambda x: torch.select(x, 1, -1),
     [(f(3, 0, 2),), (f(4, 3, layout="t"),)])
case("Tensor.__getitem__", lambda x: x[...], lambda x: x[...], SHAPED)
case("Tensor.__getitem__", lambda x: x[None], lambda x: x[None], SHAPED)
case("Tensor.__getitem__", lambda x: x[1:], lambda x: x[1:], SHAPED[1:])
case("Tensor.__getitem__", lambda x, m: x[m], lambda x, m: x[m],
     [(f(*s), b(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), b(4, 3, layout="s"))])
case("Tensor.__getitem__", lambda x, k: x[k], lambda x, k: x[k],
     [(f(0, 5), i(0)), (f(3, 0, 2), i(2, 2)), (f(3), i()), (f(4, 3, layout="t"), i(0, 3))])


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
