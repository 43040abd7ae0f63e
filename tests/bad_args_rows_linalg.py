"""Rows of the bad-argument sweep: torch's top-level linalg forms and their Tensor methods
(ops/linalg_*.py).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, Arr, Expr, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

warnings.filterwarnings("ignore", message=".*is deprecated.*")
warnings.filterwarnings("ignore", message="Using torch.cross without")

SQ = Arr(3, 3, fixed=[[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
RHS = Arr(3, 2, seed=5)
V3, V3B = Arr(3, seed=6), Arr(3, seed=7)
TAU = Arr(2, seed=8)
for _n in ["det", "logdet", "slogdet", "inverse", "matrix_exp", "pinverse"]:
    both(_n, SQ)
both("cholesky", SQ, False)
both("qr", SQ, True)
both("svd", SQ, True, True)
both("matrix_power", SQ, 2)
both("cross", V3, V3B, 0)
both("ger", V3, V3B)
both("inner", V3, V3B)
both("triangular_solve", RHS, SQ, True, False, False)
both("cholesky_solve", RHS, SQ, False)
both("cholesky_inverse", SQ, False)
row("mg.chain_matmul", SQ, SQ)
row("mg.orgqr", SQ, TAU)
LU = Expr(lambda L, a: L.linalg.lu_factor(a).LU, SQ)
PIV = Expr(lambda L, a: L.linalg.lu_factor(a).pivots, SQ)
row("mg.lu_unpack", LU, PIV)
row("mg.lu_solve", RHS, LU, PIV)
row("Tensor.lu_solve", RHS, LU, PIV)
