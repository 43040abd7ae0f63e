"""Crosscheck cases for issue 18's linear_cross_entropy: minigrad's chunked path (blocks of 2
rows) against torch's reference path, every option, with second derivatives (torch's own
chunked path has none). Appended to CASES by crosscheck_cases.py."""
from __future__ import annotations

from .crosscheck_cases import I, R, S, U, op


def _chunked(L):
    """minigrad: blocks of 2 rows; torch: options=None, its reference path."""
    return L.nn.LinearCrossEntropyOptions(batch_chunk_size=2) if "minigrad" in L.__name__ \
        else None


def _lce(options, *inputs, **kw):
    def f(L, x, w, t, *b):
        return L.F.linear_cross_entropy(x, w, t, linear_bias=b[0] if b else None,
                                        options=_chunked(L), **kw)
    return op("linear_cross_entropy", options, f, *inputs)


CASES_LCE = [
    _lce("(5,4)x(6,4), chunked by 2", R(5, 4), R(6, 4), I(6, 5)),
    _lce("with bias, reduction='sum'", R(5, 4), R(6, 4), I(6, 5), R(6), reduction="sum"),
    _lce("reduction='none'", R(5, 4), R(6, 4), I(6, 5), reduction="none"),
    _lce("label_smoothing=0.2, ignore_index=1", R(5, 4), R(6, 4), I(6, 5), R(6),
         label_smoothing=0.2, ignore_index=1),
    _lce("probability targets", R(5, 4), R(6, 4), S(5, 6), R(6)),
    _lce("(4,3)x(5,2,3): K-dimensional", R(4, 3), R(5, 2, 3), I(5, 4, 2), R(5, 2)),
    _lce("unbatched (4,)x(6,4)", R(4), R(6, 4), I(6), U(6)),
]
