"""mg.linalg: torch.linalg's norms (ops/norms.py), solvers (ops/linalg_solve.py), determinants
(ops/linalg_det.py), decompositions (ops/linalg_decomp.py, ops/linalg_eig.py) and the rest
(ops/linalg_more.py, ops/linalg_lu.py)."""
from .ops.linalg_common import LinAlgError
from .ops.linalg_decomp import cholesky, cholesky_ex, qr, svd, svdvals
from .ops.linalg_det import det, slogdet
from .ops.linalg_eig import eig, eigh, eigvals, eigvalsh
from .ops.linalg_solve import inv, inv_ex, solve, solve_ex, solve_triangular
from .ops.norms import matrix_norm, norm, vector_norm

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "det", "eig", "eigh", "eigvals",
           "eigvalsh", "inv", "inv_ex", "matrix_norm", "norm", "qr", "slogdet", "solve",
           "solve_ex", "solve_triangular", "svd", "svdvals", "vector_norm"]
