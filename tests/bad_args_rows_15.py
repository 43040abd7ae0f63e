"""Rows of the bad-argument sweep: issue 15's tensor ops.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 15's ops -------------------------------------------------------------------------
V, V2, V3 = Arr(4), Arr(4, seed=1), Arr(3)
M32, BA, BB = Arr(3, 2, seed=4), Arr(2, 3, 4), Arr(2, 4, 2)
B2 = Arr(3, 4, kind="b", seed=1)
IV = Arr(2, kind="i", fixed=[0, 2])
SRC2 = Arr(3, 2, seed=3)
SORTED = Arr(5, fixed=[-1.0, -0.5, 0.0, 0.5, 1.0])
X44 = Arr(4, 4)
_UNARY15 = ["acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cosh", "erf", "erfc",
            "erfinv", "exp2", "expm1", "floor", "frac", "log10", "log1p", "log2", "reciprocal",
            "round", "rsqrt", "sgn", "sign", "sinh", "square", "tan", "trunc"]
for _n in _UNARY15:
    both(_n, X)
    row(f"Tensor.{_n}_", X)
for _n in ["isfinite", "isinf", "isnan", "isneginf", "isposinf", "msort", "fliplr", "flipud",
           "trace"]:
    both(_n, X)
both("logical_not", B)
row("Tensor.logical_not_", B)
both("nonzero", X, as_tuple=False)
both("count_nonzero", X, 1)
for _n in ["atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "xlogy"]:
    both(_n, X, Y)
for _n in ["atan2", "arctan2", "hypot", "xlogy"]:
    row(f"Tensor.{_n}_", X, Y)
for _n in ["logical_and", "logical_or", "logical_xor"]:
    both(_n, B, B2)
    row(f"Tensor.{_n}_", B, B2)
for _n in ["isclose", "allclose"]:
    both(_n, X, Y, 1e-5, 1e-8, False)
both("equal", X, Y)
both("dist", X, Y, 2.0)
both("kron", X, Y)
for _n in ["outer", "dot", "vdot"]:
    both(_n, V, V2)
both("mm", X, W)
both("bmm", BA, BB)
both("mv", X, V)
row("mg.clamp_min", X, 0.1)
row("mg.clamp_max", X, 0.1)
row("Tensor.clamp_min", X, 0.1)
row("Tensor.clamp_max", X, 0.1)
row("mg.rsub", X, Y, alpha=2)
both("lerp", X, Y, 0.5)
row("Tensor.lerp_", X, Y, 0.5)
for _n in ["addcmul", "addcdiv"]:
    both(_n, X, Y, P, value=0.5)
    row(f"Tensor.{_n}_", X, Y, P, value=0.5)
for _n, _a in [("addmm", (M32, X, W)), ("addbmm", (M32, BA, BB)),
               ("baddbmm", (Arr(2, 3, 2), BA, BB)), ("addmv", (V3, X, V))]:
    both(_n, *_a, beta=1, alpha=2)
    row(f"Tensor.{_n}_", *_a, beta=1, alpha=2)
for _n in ["all", "any"]:
    both(_n, X, 1, False)
for _n in ["prod", "nansum", "nanmean"]:
    both(_n, X, 1, False, dtype=Dt("float64"))
both("norm", X, 2, 1, False)
for _n in ["cumsum", "cumprod"]:
    both(_n, X, 1, dtype=Dt("float64"))
    row(f"Tensor.{_n}_", X, 1)
for _n in ["cummax", "cummin"]:
    both(_n, X, 1, ties=True)
both("logcumsumexp", X, 1)
both("broadcast_to", X1, (3, 4))
both("chunk", X, 2, 1)
both("split", X, 2, 1)
both("tensor_split", X, 2, 1)
both("hsplit", X, 2)
both("vsplit", X44, 2)
both("dsplit", X3, 2)
both("unbind", X, 1)
both("unflatten", X, 1, (2, 2))
row("mg.flip", X3, (0, 2))
row("Tensor.flip", X3, 0, 2, kinds={"dims": "dim"})
both("roll", X, 1, 1)
both("rot90", X, 1, (0, 1))
row("mg.tile", X, (2, 1))
row("Tensor.tile", X, 2, 1, kinds={"dims": "int"})
row("Tensor.repeat", X, 2, 1, kinds={"repeats": "int"})
both("repeat_interleave", X, 2, 1)
for _n in ["moveaxis", "movedim"]:
    both(_n, X3, 0, 2)
both("swapaxes", X, 0, 1, kinds={"axis0": "dim", "axis1": "dim"})
both("swapdims", X, 0, 1)
both("narrow", X, 1, 1, 2, kinds={"start": "int", "length": "int"})
both("diag", X, 0)
both("diag_embed", V, 0, -2, -1)
both("diagonal", X, 0, 0, 1)
for _n in ["tril", "triu"]:
    both(_n, X, 0)
    row(f"Tensor.{_n}_", X, 0)
both("take", X, IDX)
both("take_along_dim", X, IDX, 1)
both("index_select", X, 1, IV)
both("index_add", X, 1, IV, SRC2, alpha=2)
row("Tensor.index_add_", X, 1, IV, SRC2, alpha=2)
both("index_copy", X, 1, IV, SRC2)
row("Tensor.index_copy_", X, 1, IV, SRC2)
both("index_fill", X, 1, IV, 2.0)
row("Tensor.index_fill_", X, 1, IV, 2.0)
_IDXS = (Arr(2, kind="i", fixed=[0, 2]), Arr(2, kind="i", fixed=[1, 3]))
for _n in ["index_put", "index_put_"]:
    both(_n, X, _IDXS, Arr(2, seed=5), False, kinds={"indices": "tensors"})
both("masked_scatter", X, B, Arr(12, seed=6))
row("Tensor.masked_scatter_", X, B, Arr(12, seed=6))
both("masked_select", X, B)
both("scatter_reduce", X, 1, IDX, SRC, "sum", include_self=True)
row("Tensor.scatter_reduce_", X, 1, IDX, SRC, "sum", include_self=True)
both("unique", X, True, False, False, None)
for _n in ["hstack", "vstack", "dstack", "column_stack"]:
    row(f"mg.{_n}", [X, Y])
for _n in ["atleast_1d", "atleast_2d", "atleast_3d"]:
    row(f"mg.{_n}", X)
row("mg.block_diag", X, Y)
row("mg.broadcast_tensors", X, X1)
row("mg.cartesian_prod", V, V2)
row("mg.meshgrid", V, V2, indexing="ij")
row("mg.bucketize", X, SORTED, out_int32=False, right=False)
row("mg.searchsorted", SORTED, X, out_int32=False, right=False)
row("mg.cdist", X, Arr(5, 4, seed=2), 2.0)
row("mg.einsum", "ij,jk->ik", X, W)
row("mg.tensordot", X, W, 1)
row("mg.logspace", 0.0, 1.0, 5, 10.0)
row("mg.randint_like", K, 0, 5, values=False)
both("nan_to_num", X, 0.0, 1.0, -1.0)
row("Tensor.nan_to_num_", X, 0.0, 1.0, -1.0)
row("Tensor.new_zeros", X, 2, 3, kinds={"size": "int"})
row("Tensor.new_ones", X, 2, 3, kinds={"size": "int"})
row("Tensor.new_empty", X, 2, 3, kinds={"size": "int"}, values=False)
row("Tensor.new_full", X, (2, 3), 1.5, kinds={"fill_value": "float"})
row("Tensor.new_tensor", X, [[1.0, 2.0]], kinds={"data": "data"})
module("Unflatten", (1, (2, 2)))
