"""Crosscheck cases for the elementwise binary special math, aliases and array utilities
(ops/binary_special.py, elementwise_aliases.py, array_utils.py, array_build.py,
integrate.py). Same table format and helpers as crosscheck_cases.py, which appends
CASES_misc to its CASES."""
from __future__ import annotations

from .crosscheck_cases import B, I, P, R, U, const, op

CASES_misc = [
    op("copysign", "(3,4),(4,)", lambda L, a, b: L.copysign(a, b), R(3, 4), R(4)),
    op("copysign", "other=-1.5", lambda L, a: L.copysign(a, -1.5), R(3, 4)),
    op("fmax", "(3,4),(3,4)", lambda L, a, b: L.fmax(a, b), R(3, 4), R(3, 4)),
    op("fmin", "(3,4),(4,)", lambda L, a, b: L.fmin(a, b), R(3, 4), R(4)),
    op("nextafter", "(3,4),(3,4)", lambda L, a, b: L.nextafter(a, b), R(3, 4), R(3, 4)),
    op("float_power", "(3,4),(3,4)", lambda L, a, b: L.float_power(a, b), P(3, 4), R(3, 4)),
    op("float_power", "2.5", lambda L, a: L.float_power(a, 2.5), P(3, 4)),
    op("ldexp", "(3,4), int exponent", lambda L, a, e: L.ldexp(a, e), R(3, 4), I(5, 3, 4)),
    op("frexp", "mantissa", lambda L, a: L.frexp(a).mantissa, R(3, 4, scale=10.0)),
    op("heaviside", "(3,4),(4,)", lambda L, a, v: L.heaviside(a, v), const(R(3, 4)),
       const(R(4))),
    op("gcd", "int64", lambda L, a, b: L.gcd(a, b), I(12, 3, 4), I(12, 4)),
    op("lcm", "int64", lambda L, a, b: L.lcm(a, b), I(12, 3, 4), I(12, 4)),
    op("signbit", "(3,4)", lambda L, a: L.signbit(a), R(3, 4)),
    op("deg2rad", "(3,4)", lambda L, a: L.deg2rad(a), R(3, 4, scale=90.0)),
    op("rad2deg", "(3,4)", lambda L, a: L.rad2deg(a), R(3, 4)),
    op("arccos", "(3,4)", lambda L, a: L.arccos(a), U(3, 4)),
    op("diff", "n=2, dim=0, prepend", lambda L, a, p: L.diff(a, 2, 0, prepend=p), R(4, 3),
       R(1, 3)),
    op("argwhere", "(3,4) bool", lambda L, m: L.argwhere(m), B(3, 4)),
    op("isin", "(3,4) in (5,)", lambda L, a, b: L.isin(a, b), I(8, 3, 4), I(8, 5)),
    op("bincount", "weights", lambda L, a, w: L.bincount(a, w), I(5, 8), const(R(8))),
    op("histc", "bins=5", lambda L, a: L.histc(a, 5), const(R(30))),
    op("unique_consecutive", "counts", lambda L, a: L.unique_consecutive(
        a, return_inverse=True, return_counts=True), I(3, 12)),
    op("unravel_index", "(2,3,4)", lambda L, a: L.unravel_index(a, (2, 3, 4)), I(24, 5)),
    op("combinations", "r=2", lambda L, a: L.combinations(a), R(5)),
    op("diagflat", "offset=1", lambda L, a: L.diagflat(a, 1), R(2, 2)),
    op("renorm", "p=2, dim=0, maxnorm=1", lambda L, a: L.renorm(a, 2, 0, 1.0), R(3, 4)),
    op("trapezoid", "x (4,)", lambda L, y, x: L.trapezoid(y, x), R(3, 4), R(4)),
    op("trapezoid", "dx=0.5, dim=0", lambda L, y: L.trapezoid(y, dx=0.5, dim=0), R(3, 4)),
    op("cumulative_trapezoid", "x (3,4)", lambda L, y, x: L.cumulative_trapezoid(y, x),
       R(3, 4), R(3, 4)),
    op("cov", "(3,5)", lambda L, a: L.cov(a), R(3, 5)),
    op("cov", "aweights, correction=0", lambda L, a, w: L.cov(a, correction=0, aweights=w),
       R(3, 5), P(5)),
    op("corrcoef", "(3,5)", lambda L, a: L.corrcoef(a), R(3, 5)),
    op("quantile", "q=0.3, dim=1", lambda L, a: L.quantile(a, 0.3, 1), R(3, 6)),
    op("quantile", "q (4,), all, midpoint", lambda L, a, q: L.quantile(
        a, q, interpolation="midpoint"), R(3, 6), U(4)),
    op("nanquantile", "q=0.6, dim=0, keepdim", lambda L, a: L.nanquantile(a, 0.6, 0, True),
       R(5, 3)),
    op("pdist", "p=2 (torch has no double backward)", lambda L, a: L.pdist(a), R(5, 3),
       double=False),
]
