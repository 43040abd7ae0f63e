"""Rows of the bad-argument sweep: issue 16's SyncBatchNorm (in one process, without a
process group, it is BatchNorm in both frameworks, so torch's CPU module is the reference).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (module, Arr, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 16: dist ----
module("SyncBatchNorm", (4, 1e-5, 0.1, True, True), inputs=(Arr(2, 4, 3),))
ALIASES.update({"SyncBatchNorm": ("batch_norm",)})
