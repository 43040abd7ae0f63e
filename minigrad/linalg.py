"""mg.linalg: torch.linalg's norms (ops/norms.py), solvers (ops/linalg_solve.py), determinants
(ops/linalg_det.py), decompositions (ops/linalg_decomp.py, linalg_eig.py, linalg_lu.py) and
the functions built on them (ops/linalg_more.py, linalg_extra.py)."""
from .ops.linalg_common import LinAlgError
from .ops.linalg_decomp import cholesky, cholesky_ex, qr, svd, svdvals
from .ops.linalg_det import det, slogdet
from .ops.linalg_eig import eig, eigh, eigvals, eigvalsh
from .ops.linalg_extra import householder_product, lstsq, tensorinv, tensorsolve, vander
from .ops.linalg_ldl import ldl_factor, ldl_factor_ex, ldl_solve
from .ops.linalg_lu import lu, lu_factor, lu_factor_ex, lu_solve
from .ops.linalg_more import (cond, cross, diagonal, matmul, matrix_exp, matrix_power,
                              matrix_rank, multi_dot, pinv, vecdot)
from .ops.linalg_solve import inv, inv_ex, solve, solve_ex, solve_triangular
from .ops.norms import matrix_norm, norm, vector_norm

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig",
           "eigh", "eigvals", "eigvalsh", "householder_product", "inv", "inv_ex", "ldl_factor",
           "ldl_factor_ex", "ldl_solve", "lstsq", "lu",
           "lu_factor", "lu_factor_ex", "lu_solve", "matmul", "matrix_exp", "matrix_norm",
           "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve",
           "solve_ex", "solve_triangular", "svd", "svdvals", "tensorinv", "tensorsolve",
           "vander", "vecdot", "vector_norm"]

# out=: the functions that take torch's out= argument, in place of the plain ones
from .linalg_out import *  # noqa: E402, F401, F403
