"""Sweep rows: issue 18's linear_cross_entropy (the chunked path against torch's reference).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *


# ---- issue 18: fused linear cross-entropy ----
_LCE = [(f(4, 3, layout="t"), f(5, 3), i(4, high=5)), (f(0, 3), f(5, 3), i(0, high=5)),
        (f(3), f(5, 3), i(high=5)), (f(4, 3), f(5, 3, layout="s"), i(4, high=5)),
        (f(4, 0), f(5, 0), i(4, high=5)), (f(4, 3), f(0, 3), i(4, high=1)),
        (f(4, 3), f(5, 2, 3), i(4, 2, high=5)), (f(4, 3), f(5, 3), f(4, 5))]
for _kw in [{}, {"reduction": "none"}, {"reduction": "sum", "label_smoothing": 0.2}]:
    case("F.linear_cross_entropy", lambda x, w, t, kw=_kw: F.linear_cross_entropy(
        x, w, t, options=mg.nn.LinearCrossEntropyOptions(batch_chunk_size=3), **kw),
        lambda x, w, t, kw=_kw: tF.linear_cross_entropy(x, w, t, **kw), _LCE,
        tag=",".join(f"{k}={v}" for k, v in _kw.items()) + ",chunked")
    case("F.linear_cross_entropy", lambda x, w, t, kw=_kw: F.linear_cross_entropy(x, w, t, **kw),
         lambda x, w, t, kw=_kw: tF.linear_cross_entropy(x, w, t, **kw), _LCE,
         tag=",".join(f"{k}={v}" for k, v in _kw.items()))
module_case("LinearCrossEntropyLoss", lambda nn: nn.LinearCrossEntropyLoss(3, 5, bias=True),
            [(f(4, 3, layout="t"), i(4, high=5)), (f(0, 3), i(0, high=5)), (f(3), i(high=5))])
SKIP_MORE["nn.LinearCrossEntropyOptions"] = "an options dataclass, no tensors " \
                                            "(tests/test_linear_cross_entropy.py)"
