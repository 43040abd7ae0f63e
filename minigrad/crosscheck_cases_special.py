"""Crosscheck cases for the special functions (torch.special and the top-level lgamma,
digamma, polygamma, mvlgamma, i0, logit, sinc, igamma, igammac): same table format and
helpers as crosscheck_cases.py, which appends CASES_special to its CASES. Tiny shapes.
igamma, igammac and zeta have no case: torch has no forward derivative for them, which the
forward-mode sweeps over this table assume (tests/test_special_args.py checks them, and that
both libraries refuse their forward mode)."""
from __future__ import annotations

from .crosscheck_cases import P, R, U, op

CASES_special = [
    op("lgamma", "(3,4)", lambda L, a: L.lgamma(a), R(3, 4, scale=2.0)),
    op("digamma", "(3,4)", lambda L, a: L.digamma(a), P(3, 4)),
    op("polygamma", "n=2", lambda L, a: L.polygamma(2, a), P(3, 4)),
    op("mvlgamma", "p=3", lambda L, a: L.mvlgamma(a + 1.5, 3), P(3, 4)),
    op("i0", "(3,4)", lambda L, a: L.i0(a), R(3, 4)),
    op("logit", "eps=0.2", lambda L, a: L.logit(a, 0.2), U(3, 4)),
    op("sinc", "(3,4)", lambda L, a: L.sinc(a), R(3, 4)),
    op("special.i0e", "(3,4)", lambda L, a: L.special.i0e(a), R(3, 4)),
    op("special.i1", "(3,4)", lambda L, a: L.special.i1(a), R(3, 4)),
    op("special.i1e", "(3,4)", lambda L, a: L.special.i1e(a), R(3, 4)),
    op("special.erfcx", "(3,4)", lambda L, a: L.special.erfcx(a), R(3, 4)),
    op("special.ndtr", "(3,4)", lambda L, a: L.special.ndtr(a), R(3, 4)),
    op("special.ndtri", "(3,4)", lambda L, a: L.special.ndtri(a), U(3, 4)),
    op("special.log_ndtr", "(3,4)", lambda L, a: L.special.log_ndtr(a), R(3, 4, scale=3.0)),
    op("special.entr", "(3,4)", lambda L, a: L.special.entr(a), P(3, 4)),
    op("special.xlog1py", "(3,4),(4,)", lambda L, a, b: L.special.xlog1py(a, b), R(3, 4),
       P(4)),
]
