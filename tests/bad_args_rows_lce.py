"""Rows of the bad-argument sweep: issue 18's linear_cross_entropy and its module and options.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 18: fused linear cross-entropy ----
_W54 = Arr(5, 4, seed=7)
_T5 = Arr(3, kind="i", high=5, seed=8)
ALIASES.update({"LinearCrossEntropyLoss": ("linear_cross_entropy", "Linear"),
                "linear_cross_entropy": ("cross_entropy",)})
row("F.linear_cross_entropy", X, _W54, _T5, linear_bias=Arr(5, seed=9), weight=Arr(5, kind="p"),
    reduction="mean", ignore_index=None, label_smoothing=0.1,
    options=Expr(lambda L: L.nn.LinearCrossEntropyOptions(batch_chunk_size=2)))
module("LinearCrossEntropyLoss", (4, 5), {"bias": True, "reduction": "sum"}, inputs=(X, _T5))
row("nn.LinearCrossEntropyOptions", False, 2, None, "auto", None,
    call=lambda L, *a: L.nn.LinearCrossEntropyOptions(*a))
