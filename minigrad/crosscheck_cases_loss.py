"""Crosscheck cases for issue 15's losses and distances (huber, gaussian/poisson NLL, the
margin, embedding, triplet and multi-class hinge losses, cosine_similarity,
pairwise_distance). Same table format and helpers as crosscheck_cases.py, which appends
CASES_loss to its CASES. multi_margin_loss and multilabel_margin_loss: torch has no second
derivative there (double=False)."""
from __future__ import annotations

import numpy as np

from .crosscheck_cases import I, P, R, Spec, U, const, fn, op


def _pm(*s):
    """-1/+1 labels (no gradient)."""
    return Spec(s, lambda r, s: np.where(r.random(s) < 0.5, -1.0, 1.0), grad=False)


def _padded(n, c):
    """multilabel_margin_loss targets: a few class indices per row, then -1 padding."""
    def sample(r, s):
        t = np.array([r.permutation(c) for _ in range(n)])
        t[:, 1 + r.integers(0, c - 1)] = -1
        return t
    return Spec((n, c), sample, grad=False)


CASES_loss = []
for _red in ("mean", "sum", "none"):
    CASES_loss += [
        fn("huber_loss", R(4, 5), R(4, 5), reduction=_red, delta=0.5),
        fn("huber_loss", R(4, 5), R(5), reduction=_red, delta=1.5, weight=P(4, 5)),
        fn("gaussian_nll_loss", R(4, 5), R(4, 5), P(4, 5), reduction=_red, full=True),
        fn("gaussian_nll_loss", R(4, 5), R(4, 5), P(4, 1), reduction=_red),
        fn("poisson_nll_loss", R(4, 5), P(4, 5), reduction=_red, full=True),
        fn("poisson_nll_loss", P(4, 5), P(4, 5), reduction=_red, log_input=False),
        fn("margin_ranking_loss", R(6), R(6), _pm(6), reduction=_red, margin=0.3),
        fn("hinge_embedding_loss", R(4, 5), _pm(4, 5), reduction=_red, margin=0.5),
        fn("soft_margin_loss", R(4, 5), _pm(4, 5), reduction=_red),
        fn("multilabel_soft_margin_loss", R(4, 5), const(U(4, 5)), reduction=_red,
           weight=P(5)),
        fn("cosine_embedding_loss", R(4, 5), R(4, 5), _pm(4), reduction=_red, margin=0.2),
        fn("triplet_margin_loss", R(4, 5), R(4, 5), R(4, 5), reduction=_red, p=3.0,
           swap=True),
        fn("triplet_margin_with_distance_loss", R(4, 5), R(4, 5), R(4, 5), reduction=_red,
           margin=2.0),
        fn("multi_margin_loss", R(4, 5), I(5, 4), reduction=_red, p=2, margin=0.5,
           double=False),
        fn("multilabel_margin_loss", R(4, 5), _padded(4, 5), reduction=_red, double=False),
    ]
CASES_loss += [
    fn("gaussian_nll_loss", R(4, 5), R(4, 5), P(4), eps=0.1),
    fn("multi_margin_loss", R(4, 5), I(5, 4), weight=const(P(5)), double=False),
    fn("cosine_similarity", R(4, 5), R(4, 5)),
    fn("cosine_similarity", R(3, 1, 5), R(4, 5), dim=-1, eps=0.1),
    fn("pairwise_distance", R(4, 5), R(4, 5)),
    fn("pairwise_distance", R(4, 5), R(5), p=1.0, keepdim=True),
    op("cosine_similarity", "mg./torch. (3,4),(3,4)",
       lambda L, a, b: L.cosine_similarity(a, b), R(3, 4), R(3, 4)),
    op("pairwise_distance", "mg./torch. (3,4),(4,), p=inf",
       lambda L, a, b: L.pairwise_distance(a, b, float("inf")), R(3, 4), R(4)),
]
