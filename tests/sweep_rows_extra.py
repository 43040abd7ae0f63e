"""Sweep rows: the in-place comparisons, addr, index_reduce, put, nonzero_static, histogram,
the complex-number functions on real tensors, gradient, the top-level forms (fill, detach,
row_stack, ...) and the element-wise callbacks (tensor_extra.py and the ops it calls) over
0-d, empty, non-contiguous and integer inputs against torch. Metadata queries and buffer
interop return no comparable tensor: tests/test_tensor_meta.py covers them.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

_CMP = [(f(3, 4), f(4)), (f(), f()), (f(0, 3), f(3)), (f(4, 3, layout="t"), f(3)),
        (i(3, 4, high=3), i(4, high=3)), (b(3), f(3)), (i(3), f(3)), (f(3), f(2, 3)),
        (b(3), f(2, 3)), (f(2, 5, layout="n"), b(5))]
for _n in ("eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_",
           "less_equal_", "not_equal_"):
    inplace(_n, _CMP)
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x.detach(), n)(0.25),
         lambda x, n=_n: getattr(x.detach(), n)(0.25),
         floats() + [(i(3, 4),), (b(3),)], grad=False, tag="scalar")
inplace("absolute_", floats() + [(i(3, 4),), (b(3),)])

# ---- addr ----
_ADDR = [(f(2, 3), f(2), f(3)), (f(3), f(2), f(3)), (f(), f(4), f(1)), (f(0, 3), f(0), f(3)),
         (f(3, 2, layout="t"), f(2), f(3)), (f(3, 3), f(2), f(3)), (f(2, 3), f(2, 1), f(3)),
         (i(2, 3), i(2), i(3)), (b(2, 3), b(2), b(3)), (i(2, 3), f(2), f(3)),
         (f(2, 3), f(), f(3))]
both("addr", [(_ADDR, {}), (_ADDR, {"beta": 2, "alpha": 3}), (_ADDR, {"beta": 0}),
              (_ADDR, {"beta": 0.5, "alpha": -1.5}), (_ADDR, {"alpha": True})])
inplace("addr_", _ADDR)

# ---- index_reduce, put, nonzero_static ----
_IR = [(f(3, 2), i(4, high=3), f(4, 2)), (f(2, 3, layout="t"), i(5, high=2), f(5, 3)),
       (f(0, 2), i(0), f(0, 2)), (f(3, 2), i(4, high=3), f(3, 2)),
       (i(3, 2, high=5), i(4, high=3), i(4, 2, high=5)), (f(3, 2), i(4, high=3), i(4, 2))]
for _r in ("prod", "mean", "amax", "amin"):
    for _s in (True, False):
        case("Tensor.index_reduce", lambda x, j, s, r=_r, k=_s: x.index_reduce(
            0, j, s, r, include_self=k), lambda x, j, s, r=_r, k=_s: x.index_reduce(
            0, j, s, r, include_self=k), _IR, tag=f"{_r},{_s}")
    case("mg.index_reduce", lambda x, j, s, r=_r: mg.index_reduce(x, -1, j, s.mT, r),
         lambda x, j, s, r=_r: torch.index_reduce(x.mT.mT, -1, j, s.mT, r),
         [(f(2, 3), i(4, high=3), f(4, 2))], tag=_r)
    case("Tensor.index_reduce_", lambda x, j, s, r=_r: x.detach().index_reduce_(0, j, s, r),
         lambda x, j, s, r=_r: x.detach().index_reduce_(0, j, s, r), _IR, grad=False, tag=_r)
_PUT = [(f(2, 3), i(4, high=6), f(4)), (f(), i(1, high=1), f(1)), (f(0), i(0), f(0)),
        (f(3, 2, layout="t"), i(2, 2, high=6), f(4)), (i(2, 3), i(3, high=6), i(3)),
        (f(2, 3), i(2, high=6), f(3)), (f(2, 3), i(2, high=6), i(2))]
case("Tensor.put", lambda x, j, s: x.put(j, s, accumulate=True),
     lambda x, j, s: x.put(j, s, accumulate=True), _PUT, tag="accumulate")
case("mg.put", lambda x, j, s: mg.put(x, j.unique(), s[:j.unique().numel()]),
     lambda x, j, s: torch.put(x, j.unique(), s[:j.unique().numel()]), _PUT[:3])
case("Tensor.put_", lambda x, j, s: x.detach().put_(j - 6 * (j > 2), s, True),
     lambda x, j, s: x.detach().put_(j - 6 * (j > 2), s, True), _PUT, grad=False)
for _k in (0, 2, 9):
    both("nonzero_static", [([(b(3, 4),), (i(5, high=2),), (f(),), (f(0, 3),),
                              (b(4, 3, layout="t"),)], {"size": _k, "fill_value": -7})])

# ---- histograms (not differentiable, as torch's) ----
_H = [(f(50),), (f(4, 5, layout="t"),), (f(),), (f(0),)]
both("histogram", [(_H, {"bins": 6}), (_H, {"bins": 3, "range": (-1.0, 1.0)}),
                   (_H, {"bins": 4, "density": True}), ([(i(5),)], {})], grad=False)
case("Tensor.histogram", lambda x, w: x.histogram(mg.tensor([-1.0, 0.0, 0.5, 2.0]).double(),
                                                  weight=w),
     lambda x, w: x.histogram(torch.tensor([-1.0, 0.0, 0.5, 2.0]).double(), weight=w),
     [(f(3, 4), p(3, 4)), (f(5), f(4))], grad=False, tag="edges,weight")
case("mg.histogramdd", lambda x: mg.histogramdd(x, bins=[3, 2]),
     lambda x: torch.histogramdd(x, bins=[3, 2]),
     [(f(20, 2),), (f(0, 2),), (f(3, 4, 2),), (f(2),), (f(4, 3),)], grad=False)
case("mg.histogramdd", lambda x, w: mg.histogramdd(x, 2, range=[-1., 1., -2., 2.], weight=w,
                                                     density=True),
     lambda x, w: torch.histogramdd(x, 2, range=[-1., 1., -2., 2.], weight=w, density=True),
     [(f(20, 2), p(20)), (f(2, 5, layout="t"), p(5))], grad=False, tag="range,weight")

# ---- complex-number functions on real tensors ----
_ANY = floats() + [(i(3, 4),), (b(3),)]
for _n in ("real", "conj", "resolve_conj", "resolve_neg", "conj_physical", "isreal",
           "is_conj", "is_neg", "imag"):
    both(_n, [(_ANY, {})])
both("angle", [(floats(), {})])     # (integer inputs: tests/test_tensor_extra.py)
for _n in ("real", "imag", "mH", "H"):
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n), lambda x, n=_n: getattr(x, n),
         _ANY + [(f(2, 3, 4),)])
both("adjoint", [(_ANY + [(f(2, 3, 4),)], {})])
both("conj_physical_", [(_ANY, {})], grad=False)

# ---- gradient ----
_G = [(f(5),), (f(4, 3),), (f(3, 4, layout="t"),), (f(2, 5, layout="n"),), (f(),), (f(0, 3),),
      (f(1, 3),)]     # (integer inputs: the default float dtype, tests/test_tensor_extra.py)
for _kw in ({}, {"edge_order": 2}, {"spacing": 2.5}, {"spacing": 0.5, "dim": 1},
            {"spacing": [2.0, -1.0], "dim": (1, 0), "edge_order": 2}, {"dim": -1}):
    case("mg.gradient", lambda x, kw=_kw: mg.gradient(x, **kw),
         lambda x, kw=_kw: torch.gradient(x, **kw), _G, tag=",".join(map(str, _kw.items())))
for _eo in (1, 2):
    case("mg.gradient", lambda x, c, e=_eo: mg.gradient(x, spacing=[c.cumsum(0) + 5 * mg.arange(
        c.shape[0])], dim=-1, edge_order=e), lambda x, c, e=_eo: torch.gradient(
        x, spacing=[c.cumsum(0) + 5 * torch.arange(c.shape[0])], dim=-1, edge_order=e),
        [(f(4, 5), f(5)), (f(5), f(5)), (f(3, 2), f(2))], tag=f"coords,{_eo}")

# ---- top-level forms ----
case("mg.fill", lambda x, v: mg.fill(x, v), lambda x, v: torch.fill(x, v),
     [(f(3, 4), f()), (f(0, 3), f()), (f(), f()), (f(4, 3, layout="t"), f()), (i(3), f()),
      (f(3), f(3))])
case("mg.fill", lambda x: mg.fill(x, 2.5), lambda x: torch.fill(x, 2.5), _ANY, tag="scalar")
for _n in ("detach", "get_device", "is_inference", "is_distributed", "typename"):
    case(f"mg.{_n}", lambda x, n=_n: getattr(mg, n)(x), lambda x, n=_n: getattr(torch, n)(x),
         _ANY)
case("mg.detach_", lambda x: mg.detach_(x * 1), lambda x: torch.detach_(x * 1), floats())
case("mg.row_stack", lambda *xs: mg.row_stack(xs), lambda *xs: torch.row_stack(xs),
     [(f(3), f(3)), (f(), f()), (f(2, 3), f(3)), (f(0, 2), f(1, 2)), (f(3, 2, layout="t"),)])
for _n in ("i0_", "sinc_", "rad2deg_", "logit_"):
    case(f"mg.{_n}", lambda x, n=_n: getattr(mg, n)(x.detach()),
         lambda x, n=_n: getattr(torch, n)(x.detach()),
         [(p(*s),) for s in EMPTY] + [(p(4, 3, layout="t"),)], grad=False)
case("mg.asarray", lambda x: mg.asarray(x * 1, dtype=mg.float32),
     lambda x: torch.asarray(x * 1, dtype=torch.float32), floats())

# ---- element-wise Python callbacks ----
case("Tensor.apply_", lambda x: x.detach().apply_(lambda v: v * 2 + 1),
     lambda x: x.detach().apply_(lambda v: v * 2 + 1), _ANY, grad=False)
case("Tensor.map_", lambda x, y: x.detach().map_(y, lambda a, b: a - 2 * b),
     lambda x, y: x.detach().map_(y, lambda a, b: a - 2 * b),
     [(f(3, 4), f(4)), (f(), f()), (f(0, 3), f(3)), (f(4, 3, layout="t"), f(3)), (f(3), i(3)),
      (f(3), f(2, 3))], grad=False)
case("Tensor.map2_", lambda x, y, z: x.detach().map2_(y, z, lambda a, b, c: a * b + c),
     lambda x, y, z: x.detach().map2_(y, z, lambda a, b, c: a * b + c),
     [(f(3, 4), f(4), f(3, 1)), (f(), f(), f()), (i(3), i(3), i(1))], grad=False)

for _n in ("data_ptr", "const_data_ptr", "output_nr", "is_inference", "is_sparse",
           "is_sparse_csr", "is_quantized", "is_meta", "is_mkldnn", "is_nested",
           "is_distributed", "layout", "share_memory_", "is_shared", "pin_memory",
           "is_pinned"):
    SKIP_MORE[f"Tensor.{_n}"] = "metadata, no tensor result (tests/test_tensor_meta.py)"
for _n in ("bfloat16", "cfloat", "cdouble", "chalf"):
    SKIP_MORE[f"Tensor.{_n}"] = "a dtype minigrad lacks: a TypeError (tests/test_tensor_meta.py)"
for _n in ("mg.frombuffer", "mg.from_dlpack"):
    SKIP_MORE[_n] = "takes a buffer or DLPack exporter, not a tensor (tests/test_tensor_meta.py)"
SKIP_MORE["mg.binomial"] = "random draws (tests/test_tensor_extra.py: shapes, dtypes, errors, " \
                           "values by their statistics)"
