"""Crosscheck cases for issue 15's activations (elu ... prelu): same table format and helpers
as crosscheck_cases.py, which appends CASES_act to its CASES. Tiny shapes: the whole table
must stay fast."""
from __future__ import annotations

from .crosscheck_cases import R, fn, op

CASES_act = [
    fn("elu", R(3, 4), alpha=0.5),
    fn("selu", R(3, 4)),
    fn("celu", R(3, 4), alpha=2.0),
    fn("leaky_relu", R(3, 4), negative_slope=0.2),
    fn("rrelu", R(3, 4), lower=0.1, upper=0.3),
    fn("relu6", R(3, 4, scale=4.0)),
    fn("hardtanh", R(3, 4), min_val=-0.5, max_val=0.8),
    fn("hardswish", R(3, 4, scale=3.0)),
    fn("hardsigmoid", R(3, 4, scale=3.0), double=False),  # torch has no double backward
    fn("mish", R(3, 4)),
    fn("softsign", R(3, 4)),
    fn("softmin", R(3, 4), dim=1),
    fn("tanhshrink", R(3, 4)),
    fn("threshold", R(3, 4), threshold=0.1, value=-1.0),
    fn("hardshrink", R(3, 4), lambd=0.3),
    fn("softshrink", R(3, 4), lambd=0.3),
    fn("glu", R(3, 4), dim=1),
    fn("prelu", R(2, 3, 2), R(3)),
    fn("softplus", R(3, 4), beta=2.0, threshold=1.0),
    op("elu_", "in place on a non-leaf", lambda L, a: L.F.elu_(a * 1.0, 0.5), R(3, 4),
       needs="elu_"),
    op("leaky_relu_", "in place on a view", lambda L, a: L.F.leaky_relu_((a * 1.0)[1:], 0.2),
       R(3, 4), needs="leaky_relu_"),
]
