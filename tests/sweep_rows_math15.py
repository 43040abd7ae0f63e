"""Sweep rows: issue 15 elementwise math, products, matrix structure, reductions and scans.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *
from sweep_table import _cat, _pos15  # noqa: F401
from sweep_rows_core import *


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
