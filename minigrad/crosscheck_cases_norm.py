"""Crosscheck cases for issue 15's normalisation functions (group_norm, instance_norm,
rms_norm, local_response_norm, normalize). Same table format and helpers as
crosscheck_cases.py, which appends CASES_norm to its CASES."""
from __future__ import annotations

from .crosscheck_cases import P, R, const, fn, op


def _in_stats(L, x, w, b, rm, rv):
    return L.F.instance_norm(x, rm.clone(), rv.clone(), w, b, momentum=0.3)


CASES_norm = [
    fn("group_norm", R(2, 4, 3), num_groups=2, weight=R(4), bias=R(4)),
    fn("group_norm", R(3, 6), num_groups=3, eps=1e-3),
    fn("instance_norm", R(2, 3, 4), weight=R(3), bias=R(3)),
    op("instance_norm", "(2,3,2,2), running stats, momentum=0.3", _in_stats, R(2, 3, 2, 2),
       R(3), R(3), const(R(3)), const(P(3)), needs="instance_norm"),
    op("instance_norm", "(2,3,4), use_input_stats=False",
       lambda L, x, rm, rv: L.F.instance_norm(x, rm, rv, use_input_stats=False), R(2, 3, 4),
       const(R(3)), const(P(3)), needs="instance_norm"),
    fn("rms_norm", R(3, 4, 5), normalized_shape=(5,), weight=R(5)),
    fn("rms_norm", R(3, 4, 5), normalized_shape=(4, 5), eps=1e-3),
    fn("local_response_norm", R(2, 5, 3), size=3, alpha=0.5, beta=0.75, k=1.0),
    fn("local_response_norm", R(2, 4, 2, 2), size=2, alpha=1.0, beta=0.5, k=2.0),
    fn("normalize", R(3, 4)),
    fn("normalize", R(3, 4), p=1.0, dim=0),
    fn("normalize", R(2, 3, 4), p=3.0, dim=(1, 2)),
]
