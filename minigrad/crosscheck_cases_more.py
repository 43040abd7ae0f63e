"""More crosscheck cases (issue 15's ops): elementwise math, matrix products and structure,
reductions and scans, selection and indexing, shape ops. Same table format and helpers as
crosscheck_cases.py, which appends MORE_CASES to its CASES."""
from __future__ import annotations

from .crosscheck_cases import B, I, P, Q, R, Spec, U, op

MORE_CASES = []

# ---- elementwise unary math ----
def _above_one(*s): return Spec(s, lambda r, s: r.uniform(1.1, 3.0, s))


def _unary(name, spec, options="(3,4)"):
    return op(name, options, lambda L, a: getattr(L, name)(a), spec)


UNARY_MATH_CASES = [
    _unary("log1p", U(3, 4)), _unary("expm1", R(3, 4)), _unary("log2", P(3, 4)),
    _unary("log10", P(3, 4)), _unary("exp2", R(3, 4)), _unary("rsqrt", P(3, 4)),
    _unary("reciprocal", P(3, 4)), _unary("square", R(3, 4)), _unary("sign", R(3, 4)),
    _unary("sgn", R(3, 4)), _unary("erf", R(3, 4)), _unary("erfc", R(3, 4)),
    _unary("erfinv", U(3, 4)), _unary("floor", R(3, 4, scale=3.0)),
    _unary("ceil", R(3, 4, scale=3.0)), _unary("trunc", R(3, 4, scale=3.0)),
    _unary("round", R(3, 4, scale=3.0)), _unary("frac", R(3, 4, scale=3.0)),
    op("round", "decimals=2", lambda L, a: L.round(a, decimals=2), R(3, 4, scale=3.0)),
    _unary("sinh", R(3, 4)), _unary("cosh", R(3, 4)), _unary("asinh", R(3, 4)),
    _unary("acosh", _above_one(3, 4)), _unary("atanh", U(3, 4)), _unary("asin", U(3, 4)),
    _unary("acos", U(3, 4)), _unary("atan", R(3, 4)), _unary("tan", R(3, 4, scale=0.5)),
    op("log1p_", "in place on a non-leaf view", lambda L, a: (a * 1.0)[1:].log1p_(), U(3, 4)),
    _unary("expm1", R(), "0-d"), _unary("erf", R(3, 0, 2), "(3,0,2)"),
]
MORE_CASES += UNARY_MATH_CASES
# ---- matrix products, matrix structure ----
PRODUCTS = [
    op("mm", "(3,4),(4,5)", lambda L, a, b: L.mm(a, b), R(3, 4), R(4, 5)),
    op("bmm", "(2,3,4),(2,4,5)", lambda L, a, b: L.bmm(a, b), R(2, 3, 4), R(2, 4, 5)),
    op("mv", "(3,4),(4,)", lambda L, a, b: L.mv(a, b), R(3, 4), R(4)),
    op("dot", "(5,),(5,)", lambda L, a, b: L.dot(a, b), R(5), R(5)),
    op("vdot", "(5,),(5,)", lambda L, a, b: L.vdot(a, b), R(5), R(5)),
    op("addmm", "(4,),(3,2),(2,4), beta=0.5, alpha=2",
       lambda L, x, a, b: L.addmm(x, a, b, beta=0.5, alpha=2), R(4), R(3, 2), R(2, 4)),
    op("addbmm", "(3,4),(2,3,2),(2,2,4), alpha=-1",
       lambda L, x, a, b: L.addbmm(x, a, b, alpha=-1), R(3, 4), R(2, 3, 2), R(2, 2, 4)),
    op("baddbmm", "(2,1,4),(2,3,2),(2,2,4), beta=0",
       lambda L, x, a, b: L.baddbmm(x, a, b, beta=0), R(2, 1, 4), R(2, 3, 2), R(2, 2, 4)),
    op("addmv", "(3,),(3,4),(4,), beta=2", lambda L, x, a, b: L.addmv(x, a, b, beta=2), R(3),
       R(3, 4), R(4)),
    op("outer", "(3,),(4,)", lambda L, a, b: L.outer(a, b), R(3), R(4)),
    op("kron", "(2,3),(3,2)", lambda L, a, b: L.kron(a, b), R(2, 3), R(3, 2)),
    op("tensordot", "(2,3,4),(4,3,5), dims=([1,2],[1,0])",
       lambda L, a, b: L.tensordot(a, b, dims=([1, 2], [1, 0])), R(2, 3, 4), R(4, 3, 5)),
    op("einsum", "bij,bjk->bik", lambda L, a, b: L.einsum("bij,bjk->bik", a, b), R(2, 3, 4),
       R(2, 4, 5)),
    op("einsum", "iij,jk->ki (diagonal)", lambda L, a, b: L.einsum("iij,jk->ki", a, b),
       R(3, 3, 2), R(2, 4)),
    op("einsum", "...ij->...j", lambda L, a: L.einsum("...ij->...j", a), R(2, 3, 4)),
    op("tril", "(3,4), diagonal=1", lambda L, a: L.tril(a, 1), R(3, 4)),
    op("triu", "(2,3,4), diagonal=-1", lambda L, a: L.triu(a, -1), R(2, 3, 4)),
    op("diag", "(4,), diagonal=1", lambda L, a: L.diag(a, 1), R(4)),
    op("diag", "(3,5), diagonal=-1", lambda L, a: L.diag(a, -1), R(3, 5)),
    op("diagonal", "(3,4,5), offset=1, dim1=2, dim2=0",
       lambda L, a: L.diagonal(a, 1, 2, 0), R(3, 4, 5)),
    op("diagonal", "written in place through the view",
       lambda L, a: _diag_written(a), R(3, 4)),
    op("diag_embed", "(2,3), offset=-1", lambda L, a: L.diag_embed(a, -1), R(2, 3)),
    op("trace", "(3,5)", lambda L, a: L.trace(a), R(3, 5)),
    op("block_diag", "(2,3),(3,),()", lambda L, a, b, c: L.block_diag(a, b, c), R(2, 3), R(3),
       R()),
    op("cartesian_prod", "(2,),(3,)", lambda L, a, b: L.cartesian_prod(a, b), R(2), R(3)),
    op("meshgrid", "(2,),(3,), indexing='xy'",
       lambda L, a, b: L.meshgrid(a, b, indexing="xy"), R(2), R(3)),
]


def _diag_written(a):
    y = a * 2
    y.diagonal(1).mul_(3)
    return y


MORE_CASES += PRODUCTS
# ---- elementwise binary/ternary math and predicates ----
MORE_CASES += [
    op("lerp", "number weight, broadcast", lambda L, a, b: L.lerp(a, b, 0.3), R(3, 4), R(4)),
    op("lerp", "tensor weight", lambda L, a, b, w: L.lerp(a, b, w), R(3, 4), R(3, 4), U(4)),
    op("addcmul", "value=0.5, broadcast", lambda L, x, a, b: L.addcmul(x, a, b, value=0.5),
       R(3, 4), R(3, 4), R(4)),
    op("addcdiv", "value=-2", lambda L, x, a, b: L.addcdiv(x, a, b, value=-2), R(3, 4),
       R(3, 4), P(4)),
    op("xlogy", "tensor, tensor", lambda L, a, b: L.xlogy(a, b), R(3, 4), P(3, 4)),
    op("xlogy", "number, tensor", lambda L, b: L.xlogy(2.5, b), P(3, 4)),
    op("logaddexp", "broadcast", lambda L, a, b: L.logaddexp(a, b), R(3, 4, scale=30), R(4)),
    op("logaddexp2", "broadcast", lambda L, a, b: L.logaddexp2(a, b), R(3, 4), R(4)),
    op("hypot", "broadcast", lambda L, a, b: L.hypot(a, b), R(3, 4), R(4)),
    op("atan2", "broadcast", lambda L, a, b: L.atan2(a, b), R(3, 4), R(4)),
    op("rsub", "alpha=2", lambda L, a, b: L.rsub(a, b, alpha=2), R(3, 4), R(4)),
    op("clamp_min", "tensor min", lambda L, a, b: L.clamp_min(a, b), R(3, 4), R(4)),
    op("clamp_max", "number max", lambda L, a: a.clamp_max(0.2), R(3, 4)),
    op("nan_to_num", "of log(x): NaNs for x < 0", lambda L, a: L.nan_to_num(a.log(), nan=-1.0),
       R(3, 4)),
    op("isclose", "as a where mask", lambda L, a, b: L.where(L.isclose(a, b, atol=0.5), a, b),
       R(3, 4), R(3, 4)),
    op("logical_xor", "as a where mask", lambda L, a, b: L.where(L.logical_xor(a > 0, b), a, b),
       R(3, 4), R(3, 4)),
]
# ---- reductions and scans ----
def _with_zeros(*s):
    """Normal values with about a third of them exactly 0 (prod/cumprod's special case)."""
    return Spec(s, lambda r, s: r.standard_normal(s) * (r.random(s) < 0.7))


REDUCTIONS_SCANS = [
    op("cumsum", "dim=1", lambda L, a: L.cumsum(a, 1), R(3, 5)),
    op("cumprod", "dim=0", lambda L, a: L.cumprod(a, 0), R(4, 3)),
    op("cumprod", "dim=1, zeros", lambda L, a: a.cumprod(1), _with_zeros(3, 6)),
    op("cummax", "dim=1, values", lambda L, a: L.cummax(a, 1).values, R(3, 5)),
    op("cummin", "dim=0, values", lambda L, a: a.cummin(0)[0], R(4, 3)),
    op("logcumsumexp", "dim=1", lambda L, a: L.logcumsumexp(a, 1), R(3, 5, scale=10.0)),
    op("prod", "dim=1", lambda L, a: L.prod(a, 1), R(3, 4)),
    op("prod", "all, zeros", lambda L, a: a.prod(), _with_zeros(2, 3)),
    op("all", "dim=1 (bool)", lambda L, a: L.all(a > 0, 1), R(3, 4)),
    op("any", "dim=(0,1), keepdim", lambda L, a: L.any(a > 1, (0, 1), keepdim=True), R(3, 4)),
    op("count_nonzero", "dim=0", lambda L, a: L.count_nonzero(a > 0, 0), R(3, 4)),
    op("nansum", "dim=1", lambda L, a: L.nansum(a.log(), 1), R(3, 4)),
    op("nanmean", "all", lambda L, a: L.nanmean(a.log()), R(3, 4)),
    op("norm", "p=fro", lambda L, a: L.norm(a), R(3, 4)),
    op("norm", "p=3, dim=1", lambda L, a: a.norm(3, dim=1), R(3, 4)),
    op("norm", "p=nuc", lambda L, a: L.norm(a, "nuc"), R(3, 4), double=False),
    op("vector_norm", "ord=inf, dim=0", lambda L, a: L.linalg.vector_norm(a, float("inf"), 0),
       R(3, 4)),
    op("vector_norm", "ord=0.5", lambda L, a: L.linalg.vector_norm(a, 0.5), R(3, 4)),
    op("matrix_norm", "ord=1", lambda L, a: L.linalg.matrix_norm(a, 1), R(2, 3, 4)),
    op("matrix_norm", "ord=-inf", lambda L, a: L.linalg.matrix_norm(a, -float("inf")),
       R(3, 4)),
    op("matrix_norm", "ord=2", lambda L, a: L.linalg.matrix_norm(a, 2), R(3, 4), double=False),
    op("linalg.norm", "dim=(0,1)", lambda L, a: L.linalg.norm(a, dim=(0, 1)), R(3, 4, 2)),
    op("dist", "p=2, broadcast", lambda L, a, b: L.dist(a, b), R(3, 4), R(4)),
    op("cdist", "p=2 (torch has no double backward)", lambda L, a, b: L.cdist(a, b), R(3, 4),
       R(5, 4), double=False),
    op("cdist", "p=1, batched", lambda L, a, b: L.cdist(a, b, p=1.0), R(2, 3, 4), R(2, 5, 4),
       double=False),
]
MORE_CASES += REDUCTIONS_SCANS
# ---- sorting, selection and indexing ----
MORE_CASES += [
    op("msort", "(4,3)", lambda L, a: L.msort(a), R(4, 3)),
    op("masked_select", "(3,4), mask (4,)", lambda L, a, m: L.masked_select(a, m), R(3, 4), B(4)),
    op("take", "(3,4), index (5,)", lambda L, a, k: L.take(a, k), R(3, 4), I(12, 5)),
    op("take_along_dim", "dim=1", lambda L, a, k: L.take_along_dim(a, k, dim=1), R(3, 4),
       I(4, 3, 2)),
    op("index_select", "dim=0, repeats", lambda L, a, k: L.index_select(a, 0, k), R(3, 4),
       I(3, 5)),
    op("index_add", "dim=0, alpha=2", lambda L, a, k, s: a.index_add(0, k, s, alpha=2),
       R(3, 4), I(3, 5), R(5, 4)),
    op("index_copy", "dim=1", lambda L, a, k, s: a.index_copy(1, k, s), R(3, 4), Q(4, 2),
       R(3, 2)),
    op("index_fill", "dim=1, 0-d tensor value", lambda L, a, k, v: a.index_fill(1, k, v),
       R(3, 4), Q(4, 2), R()),
    op("index_put", "accumulate", lambda L, a, k, v: a.index_put((k,), v, accumulate=True),
       R(3, 4), I(3, 5), R(4)),
    op("masked_scatter", "(3,4)", lambda L, a, m, s: a.masked_scatter(m, s), R(3, 4), B(3, 4),
       R(12)),
    op("scatter_reduce", "sum", lambda L, a, k, s: a.scatter_reduce(1, k, s, "sum"), R(3, 4),
       I(4, 3, 6), R(3, 6)),
    op("scatter_reduce", "prod, include_self=False",
       lambda L, a, k, s: a.scatter_reduce(1, k, s, "prod", include_self=False), P(3, 4),
       I(4, 3, 6), P(3, 6)),
    op("scatter_reduce", "mean", lambda L, a, k, s: a.scatter_reduce(1, k, s, "mean"), R(3, 4),
       I(4, 3, 6), R(3, 6)),
    op("scatter_reduce", "amax", lambda L, a, k, s: a.scatter_reduce(1, k, s, "amax"), R(3, 4),
       I(4, 3, 6), R(3, 6)),
    op("scatter_reduce", "amin, include_self=False",
       lambda L, a, k, s: a.scatter_reduce(1, k, s, "amin", include_self=False), R(3, 4),
       I(4, 3, 6), R(3, 6)),
    op("searchsorted", "rows, right=True",
       lambda L, s, v: L.searchsorted(s.sort().values, v, right=True) * 1.0, R(3, 5), R(3, 4)),
    op("index_add_", "on a non-leaf", lambda L, a, k, s: (a * 1).index_add_(0, k, s), R(3, 4),
       I(3, 5), R(5, 4)),
]
# ---- shape ops ----
SHAPE_OPS = [
    op("split", "[1,3], dim=1", lambda L, a: L.split(a, [1, 3], dim=1), R(3, 4)),
    op("chunk", "3, dim=0", lambda L, a: L.chunk(a, 3), R(5, 2)),
    op("unbind", "dim=1", lambda L, a: L.unbind(a, 1), R(2, 3)),
    op("tensor_split", "[1,3], dim=-1", lambda L, a: L.tensor_split(a, [1, 3], -1), R(2, 5)),
    op("hsplit", "2", lambda L, a: L.hsplit(a, 2), R(3, 4)),
    op("vsplit", "[1]", lambda L, a: L.vsplit(a, [1]), R(3, 4)),
    op("dsplit", "2", lambda L, a: L.dsplit(a, 2), R(2, 3, 4)),
    op("narrow", "dim=1, start=-3, length=2", lambda L, a: L.narrow(a, 1, -3, 2), R(3, 4)),
    op("repeat", "(2,1,3)", lambda L, a: a.repeat(2, 1, 3) ** 2, R(3, 4)),
    op("tile", "(2,)", lambda L, a: L.tile(a, (2,)) ** 2, R(3, 4)),
    op("repeat_interleave", "2, dim=0", lambda L, a: L.repeat_interleave(a, 2, 0) ** 2, R(3, 4)),
    op("repeat_interleave", "tensor repeats, dim=1",
       lambda L, a, r: L.repeat_interleave(a, r, 1) ** 2, R(3, 4), I(3, 4)),
    op("roll", "(1,-2), dims=(0,1)", lambda L, a: L.roll(a, (1, -2), (0, 1)) ** 2, R(3, 4)),
    op("flip", "(0,-1)", lambda L, a: L.flip(a, (0, -1)) ** 2, R(3, 4)),
    op("fliplr", "(3,4)", lambda L, a: L.fliplr(a) ** 2, R(3, 4)),
    op("flipud", "(3,4)", lambda L, a: L.flipud(a) ** 2, R(3, 4)),
    op("rot90", "k=1", lambda L, a: L.rot90(a) ** 2, R(3, 4)),
    op("rot90", "k=3, dims=(2,0)", lambda L, a: L.rot90(a, 3, (2, 0)) ** 2, R(2, 3, 4)),
    op("movedim", "(0,1)->(2,0)", lambda L, a: L.movedim(a, (0, 1), (2, 0)), R(2, 3, 4)),
    op("moveaxis", "0->-1", lambda L, a: L.moveaxis(a, 0, -1), R(2, 3, 4)),
    op("swapaxes", "0,2", lambda L, a: L.swapaxes(a, 0, 2), R(2, 3, 4)),
    op("swapdims", "1,0", lambda L, a: L.swapdims(a, 1, 0), R(2, 3)),
    op("broadcast_to", "(3,1)->(2,3,4)", lambda L, a: L.broadcast_to(a, (2, 3, 4)) ** 2, R(3, 1)),
    op("broadcast_tensors", "(3,1),(4,)", lambda L, a, b: L.broadcast_tensors(a, b), R(3, 1),
       R(4)),
    op("atleast_1d", "0-d", lambda L, a: L.atleast_1d(a), R()),
    op("atleast_2d", "(3,)", lambda L, a: L.atleast_2d(a), R(3)),
    op("atleast_3d", "(2,3)", lambda L, a: L.atleast_3d(a), R(2, 3)),
    op("unflatten", "dim=1, (2,-1)", lambda L, a: L.unflatten(a, 1, (2, -1)), R(3, 6)),
    op("hstack", "(3,2),(3,1)", lambda L, a, b: L.hstack([a, b]), R(3, 2), R(3, 1)),
    op("vstack", "(3,),(2,3)", lambda L, a, b: L.vstack([a, b]), R(3), R(2, 3)),
    op("dstack", "(3,2),(3,2,2)", lambda L, a, b: L.dstack([a, b]), R(3, 2), R(3, 2, 2)),
    op("column_stack", "(3,),(3,2)", lambda L, a, b: L.column_stack([a, b]), R(3), R(3, 2)),
]
MORE_CASES += SHAPE_OPS
