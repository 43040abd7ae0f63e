"""Rows of the bad-argument sweep: torch.Size, the legacy typed constructors and Tensor.new,
empty_permuted, set_default_tensor_type, geqrf / ormqr / Tensor.orgqr and linalg's LDL^T
functions.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, Arr, Expr, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

warnings.filterwarnings("ignore", message=".*set_default_tensor_type.*")

row("mg.Size", [2, 3])
for _n in ("Float", "Double", "Half", "Long", "Int", "Short", "Char", "Byte", "Bool"):
    row(f"mg.{_n}Tensor", [1.0, 2.0, 0.0])
    row(f"mg.{_n}Tensor", 2, 3, values=False)
row("Tensor.new", X, [1.0, 2.0])
row("Tensor.new", X, 2, 3, values=False)
row("mg.empty_permuted", (2, 3, 4), (0, 2, 1), dtype=Dt("float64"), values=False)
row("mg.set_default_tensor_type", "torch.DoubleTensor")
SKIP["mg.dtype"] = "a type, not constructible (as torch.dtype): tests/test_gaps_types.py"
SKIP["mg.layout"] = "a type, not constructible (as torch.layout): tests/test_gaps_types.py"

SYM = Arr(3, 3, fixed=[[1.0, 2.0, 0.5], [2.0, -3.0, 0.2], [0.5, 0.2, 2.0]])
RHS3 = Arr(3, 2, seed=5)
LD = Expr(lambda L, a: L.linalg.ldl_factor(a).LD, SYM)
LDP = Expr(lambda L, a: L.linalg.ldl_factor(a).pivots, SYM)
row("mg.linalg.ldl_factor", SYM)
row("mg.linalg.ldl_factor_ex", SYM)
row("mg.linalg.ldl_solve", LD, LDP, RHS3)
TALL = Arr(4, 3, seed=3)
QA = Expr(lambda L, a: L.geqrf(a).a, TALL)
QT = Expr(lambda L, a: L.geqrf(a).tau, TALL)
both("geqrf", TALL)
both("ormqr", QA, QT, Arr(4, 2, seed=4))
row("Tensor.orgqr", QA, QT)
