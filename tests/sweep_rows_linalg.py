"""Sweep rows: torch's top-level linalg forms and their Tensor methods (ops/linalg_*.py):
0-d, empty, batched and non-contiguous inputs against torch, values and gradients.

Decompositions are compared through gauge-invariant products (singular vectors and
eigenvectors are unique up to sign only); Cholesky-based rows build a positive-definite
matrix from the input first. Collected by tests/test_shapes_sweep.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

from sweep_table import *

warnings.filterwarnings("ignore", message=".*is deprecated.*")
warnings.filterwarnings("ignore", message="Using torch.cross without")

SQUARE = [(f(3, 3),), (f(2, 4, 4),), (f(0, 0),), (f(2, 0, 0),), (f(3, 3, layout="t"),),
          (f(),), (f(3),), (f(2, 3),)]
ANY = [(f(4, 3),), (f(3, 4),), (f(2, 3, 3, layout="t"),), (f(0, 3),), (f(3, 0),), (f(),),
       (f(3),)]


def lin(name, fn, specs, method=None, **opts):
    """mg.name / torch.name rows from fn(L, *xs); method(L, *xs) adds Tensor.name rows."""
    case(f"mg.{name}", lambda *xs: fn(mg, *xs), lambda *xs: fn(torch, *xs), specs, **opts)
    if method is not None:
        case(f"Tensor.{name}", lambda *xs: method(mg, *xs), lambda *xs: method(torch, *xs),
             specs, **opts)


def spd(L, x):
    return x @ x.mT + x.shape[-1] * L.eye(x.shape[-1], dtype=x.dtype) if x.ndim >= 2 else x


def tri(x):
    return x + 3 * x.new_ones(()) if x.ndim < 2 else x + 3 * x.diagonal(0, -2, -1).diag_embed(
        ).sign().abs() + 3


for _n in ["det", "logdet", "inverse"]:
    lin(_n, lambda L, x, n=_n: getattr(L, n)(spd(L, x) if n == "logdet" else x), SQUARE,
        method=lambda L, x, n=_n: getattr(spd(L, x) if n == "logdet" else x, n)())
lin("slogdet", lambda L, x: tuple(L.slogdet(x)), SQUARE, method=lambda L, x: tuple(x.slogdet()))
lin("cholesky", lambda L, x: L.cholesky(spd(L, x)), SQUARE,
    method=lambda L, x: spd(L, x).cholesky(upper=True))
lin("qr", lambda L, x: tuple(L.qr(x)[1].abs() for _ in (0,)) + (L.qr(x)[0].abs(),), ANY,
    method=lambda L, x: x.qr()[0].abs())
lin("svd", lambda L, x: (lambda u, s, v: ((u * s.unsqueeze(-2)) @ v.mT, s))(*L.svd(x)), ANY,
    method=lambda L, x: x.svd(compute_uv=False)[1])
lin("pinverse", lambda L, x: L.pinverse(x), ANY, method=lambda L, x: x.pinverse())
lin("matrix_power", lambda L, x: L.matrix_power(x, 3), SQUARE,
    method=lambda L, x: x.matrix_power(-2) if x.numel() else x.matrix_power(0))
lin("matrix_exp", lambda L, x: L.matrix_exp(x * 0.3), SQUARE,
    method=lambda L, x: (x * 0.3).matrix_exp())
CROSS = [(f(3), f(3)), (f(4, 3), f(1, 3)), (f(3, 2), f(3, 2, layout="n")), (f(0, 3), f(0, 3)),
         (f(), f()), (f(4), f(4)), (f(2, 3), i(2, 3))]
lin("cross", lambda L, a, b: L.cross(a, b), CROSS, method=lambda L, a, b: a.cross(b, dim=-1))
VEC = [(f(2), f(3)), (f(0), f(3)), (f(3, layout="n"), f(2)), (f(), f(3)), (f(2, 2), f(3))]
lin("ger", lambda L, a, b: L.ger(a, b), VEC, method=lambda L, a, b: a.ger(b))
INNER = [(f(2, 3), f(4, 3)), (f(3), f(3)), (f(), f(2, 3)), (f(0, 3), f(2, 3)),
         (f(2, 3, layout="t"), f(3)), (f(2, 3), f(2, 4))]
lin("inner", lambda L, a, b: L.inner(a, b), INNER, method=lambda L, a, b: a.inner(b))
lin("chain_matmul", lambda L, a, b, c: L.chain_matmul(a, b, c),
    [(f(2, 3), f(3, 4), f(4, 1)), (f(0, 3), f(3, 4), f(4, 2)), (f(2, 3, layout="t"), f(3, 2),
                                                                  f(2, 2)), (f(2), f(2, 2), f(2))])
TRI = [(f(3, 2), f(3, 3)), (f(2, 4, 1), f(2, 4, 4)), (f(0, 2), f(0, 0)), (f(3), f(3, 3)),
       (f(3, 2, layout="t"), f(3, 3, layout="t"))]
lin("triangular_solve", lambda L, b, a: tuple(L.triangular_solve(b, tri(a))), TRI,
    method=lambda L, b, a: tuple(b.triangular_solve(tri(a), upper=False, transpose=True)))
lin("cholesky_solve", lambda L, b, a: L.cholesky_solve(b, L.linalg.cholesky(spd(L, a))), TRI,
    method=lambda L, b, a: b.cholesky_solve(L.linalg.cholesky(spd(L, a)).mT, upper=True))
lin("cholesky_inverse", lambda L, a: L.cholesky_inverse(L.linalg.cholesky(spd(L, a))), SQUARE,
    method=lambda L, a: L.linalg.cholesky(spd(L, a)).mT.cholesky_inverse(upper=True))
LU = [(f(3, 2), f(3, 3)), (f(2, 4, 1), f(2, 4, 4)), (f(0, 2), f(0, 0))]
lin("lu_solve", lambda L, b, a: L.lu_solve(b, *L.linalg.lu_factor(a + 3 * L.eye(a.shape[-1]))),
    LU, method=lambda L, b, a: b.lu_solve(*L.linalg.lu_factor(a + 3 * L.eye(a.shape[-1]))))
lin("lu_unpack", lambda L, a: tuple(L.lu_unpack(*L.linalg.lu_factor(a))),
    [(f(3, 3),), (f(2, 4, 3),), (f(3, 4),), (f(0, 0),)])
lin("orgqr", lambda L, a, t: L.orgqr(a, t), [(f(4, 3), f(2)), (f(2, 3, 3), f(2, 3)),
                                             (f(3, 0), f(0)), (f(3, 4), f(2))])
