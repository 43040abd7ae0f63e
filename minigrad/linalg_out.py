"""torch.linalg's out= (see out_param.py): minigrad/linalg.py imports these wrapped functions
in place of its own. Each name has torch's dtype rule for its out (checked against torch in
tests/test_out_param.py). eig and eigvals (complex results), matrix_exp, vander and
diagonal take no out."""
from __future__ import annotations

from . import linalg as _linalg
from .out_param import with_out

_EXACT = """
cholesky cholesky_ex cross det eigh eigvalsh inv inv_ex lu lu_factor lu_factor_ex lu_solve matmul
matrix_norm matrix_power multi_dot norm qr slogdet solve solve_ex solve_triangular svd svdvals
vecdot vector_norm ldl_factor ldl_factor_ex ldl_solve
"""
_CAST = "cond householder_product lstsq matrix_rank pinv tensorinv tensorsolve"

RULES = {**{n: "exact" for n in _EXACT.split()}, **{n: "cast" for n in _CAST.split()}}

for _name, _rule in RULES.items():
    globals()[_name] = with_out(getattr(_linalg, _name), f"linalg.{_name}", _rule)

__all__ = sorted(RULES)
