"""Rows of the bad-argument sweep: issue 15's normalisation functions and modules.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 15: norm ----
_X243 = Arr(2, 4, 3)
_C4, _C4B = Arr(4, seed=1), Arr(4, seed=2)
row("F.group_norm", _X243, 2, _C4, _C4B, 1e-5)
row("F.instance_norm", _X243, Arr(4, seed=3), Arr(4, kind="p"), _C4, _C4B, True, 0.1, 1e-5)
row("F.rms_norm", _X243, (4, 3), Arr(4, 3, seed=1), 1e-6)
row("F.local_response_norm", _X243, 3, 1e-4, 0.75, 1.0)
row("F.normalize", _X243, 2.0, 1, 1e-12)
module("GroupNorm", (2, 4, 1e-5, True), inputs=(_X243,))
for _n, _x in [("InstanceNorm1d", _X243), ("InstanceNorm2d", Arr(2, 4, 3, 2)),
               ("InstanceNorm3d", Arr(2, 4, 2, 2, 2))]:
    module(_n, (4, 1e-5, 0.1, True, True), inputs=(_x,))
module("BatchNorm3d", (4, 1e-5, 0.1, True, True), inputs=(Arr(2, 4, 2, 2, 2),))
module("RMSNorm", ((4, 3), 1e-6, True), inputs=(_X243,))
module("LocalResponseNorm", (3, 1e-4, 0.75, 1.0), inputs=(_X243,))
ALIASES.update({"GroupNorm": ("group_norm",), "InstanceNorm1d": ("instance_norm",),
                "InstanceNorm2d": ("instance_norm",), "InstanceNorm3d": ("instance_norm",),
                "BatchNorm3d": ("batch_norm",), "RMSNorm": ("rms_norm",),
                "LocalResponseNorm": ("local_response_norm",)})
