"""Rows of the bad-argument sweep: the in-place comparisons, addr, index_reduce, put,
nonzero_static, histogram(dd), the complex-number functions on real tensors, gradient,
binomial, asarray/frombuffer/from_dlpack, the top-level forms and the element-wise callbacks
(tensor_extra.py, tensor_meta.py and the ops they call).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, Arr, X, SKIP, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

for _n in ("eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_",
           "less_equal_", "not_equal_"):
    row(f"Tensor.{_n}", X, Y)
_V2, _V3 = Arr(2), Arr(3, seed=1)
both("addr", Arr(2, 3), _V2, _V3, beta=2.0, alpha=0.5)
row("Tensor.addr_", Arr(2, 3), _V2, _V3, beta=2.0, alpha=0.5)
_IDX4 = Arr(4, kind="i", fixed=[0, 2, 0, 1])
both("index_reduce", Arr(3, 2), 0, _IDX4, Arr(4, 2, seed=1), "amax", include_self=False)
row("Tensor.index_reduce_", Arr(3, 2), 0, _IDX4, Arr(4, 2, seed=1), "prod")
both("put", X, Arr(3, kind="i", fixed=[0, 5, -1]), Arr(3, seed=2), accumulate=True)
row("Tensor.put_", X, Arr(3, kind="i", fixed=[0, 5, 11]), Arr(3, seed=2))
both("nonzero_static", B, size=5, fill_value=-2)
both("histogram", Arr(20), 5, range=(-1.0, 1.0), density=True)
row("mg.histogramdd", Arr(10, 2), [3, 2], weight=Arr(10, kind="p"))
for _n in ("angle", "isreal", "conj", "conj_physical", "resolve_conj", "resolve_neg",
           "is_conj", "is_neg", "adjoint", "conj_physical_"):
    both(_n, X)
row("mg.real", X)
SKIP["mg.imag"] = "raises for every real tensor, as torch (tests/test_tensor_extra.py)"
row("mg.gradient", X, spacing=[2.0, 0.5], dim=(0, 1), edge_order=2)
row("mg.gradient", Arr(5), spacing=[Arr(5, fixed=[0.0, 1.0, 1.5, 3.0, 4.0])], edge_order=1)
row("mg.binomial", Arr(3, 4, fill=5.0), P, values=False)
row("mg.fill", X, 2.5)
for _n in ("detach", "get_device", "is_inference", "is_distributed", "typename"):
    row(f"mg.{_n}", X)
row("mg.detach_", Expr(lambda L: L.ones(3) * 2))
row("mg.row_stack", [X, Y])
for _n in ("i0_", "sinc_", "rad2deg_"):
    row(f"mg.{_n}", P)
row("mg.logit_", P, 1e-3)
row("mg.asarray", X, dtype=Dt("float64"), copy=True)
row("Tensor.map_", X, Y, lambda a, b: a + b)
row("Tensor.map2_", X, Y, Arr(4), lambda a, b, c: a + b * c)
row("Tensor.apply_", X, lambda a: a * 2)
SKIP["Tensor.pin_memory"] = "needs a GPU (torch raises without one; tests/test_tensor_meta.py)"
for _n in ("absolute_", "data_ptr", "const_data_ptr", "is_distributed", "is_inference",
           "share_memory_", "is_shared", "is_pinned", "bfloat16", "cfloat", "cdouble",
           "chalf", "isreal", "angle", "conj", "conj_physical", "conj_physical_",
           "resolve_conj", "resolve_neg", "is_conj", "is_neg", "adjoint"):
    SKIP[f"Tensor.{_n}"] = "takes no arguments (tests/test_tensor_meta.py, test_tensor_extra.py)"
for _n in ("H", "mH", "real", "imag", "layout", "output_nr", "is_sparse", "is_sparse_csr",
           "is_quantized", "is_meta", "is_mkldnn", "is_nested"):
    SKIP[f"Tensor.{_n}"] = "a property (tests/test_tensor_meta.py, test_tensor_extra.py)"
SKIP["mg.frombuffer"] = "takes a Python buffer: its errors in tests/test_tensor_meta.py"
SKIP["mg.from_dlpack"] = "takes a DLPack exporter: its errors in tests/test_tensor_meta.py"
