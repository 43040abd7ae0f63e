"""Crosscheck cases for issue 15's sequence ops: ctc_loss (torch has no double backward for
it), embedding_bag (every mode), pad_sequence. Same table format and helpers as
crosscheck_cases.py, which appends CASES_seq to its CASES."""
from __future__ import annotations

import numpy as np

from .crosscheck_cases import I, R, op

_OFF = np.array([0, 2, 2])


def _ctc(reduction, zero_infinity=False, ilen=(5, 4), tlen=(3, 2)):
    return lambda L, x, t: L.F.ctc_loss(L.log_softmax(x, -1), t, ilen, tlen, 0, reduction,
                                        zero_infinity)


def _bag(mode, **kw):
    return lambda L, x, w: L.F.embedding_bag(x, w, L.tensor(_OFF), mode=mode, **kw)


CASES_seq = [
    op("ctc_loss", "(5,2,4) log_softmax, padded targets, mean", _ctc("mean"), R(5, 2, 4),
       I(4, 2, 3), double=False, needs="ctc_loss"),
    op("ctc_loss", "raw (5,2,4), concatenated targets, sum",
       lambda L, x, t: L.F.ctc_loss(x, t, (5, 3), (3, 2), 1, "sum"), R(5, 2, 4), I(4, 5),
       double=False, needs="ctc_loss"),
    op("ctc_loss", "unbatched (6,3), none", lambda L, x, t: L.F.ctc_loss(
        L.log_softmax(x, -1), t, (6,), (2,), 0, "none"), R(6, 3), I(3, 2), double=False,
       needs="ctc_loss"),
    op("ctc_loss", "infeasible lengths, zero_infinity", _ctc("sum", True, (1, 4)), R(5, 2, 4),
       I(4, 2, 3), double=False, needs="ctc_loss"),
    op("embedding_bag", "1-D + offsets, sum", _bag("sum"), I(6, 5), R(6, 3),
       needs="embedding_bag"),
    op("embedding_bag", "1-D + offsets, mean, padding_idx=1", _bag("mean", padding_idx=1),
       I(6, 5), R(6, 3), needs="embedding_bag"),
    op("embedding_bag", "1-D + offsets, max", _bag("max"), I(6, 5), R(6, 3),
       needs="embedding_bag"),
    op("embedding_bag", "2-D, sum, per_sample_weights", lambda L, x, w, p: L.F.embedding_bag(
        x, w, mode="sum", per_sample_weights=p), I(6, 2, 3), R(6, 3), R(2, 3),
       needs="embedding_bag", double=False),    # torch: no double backward for p
    op("pad_sequence", "(3,2),(1,2), batch_first, left", lambda L, a, b:
       L.nn.utils.rnn.pad_sequence([a, b], True, -1.0, "left"), R(3, 2), R(1, 2)),
]
