"""Sweep rows: issue 16's SyncBatchNorm (without a process group it is BatchNorm in both
frameworks; the multi-process behaviour is tested in tests/test_dist_mpi.py).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

# ---- issue 16: dist ----
for _tr in [True, False]:
    module_case("SyncBatchNorm", lambda nn: nn.SyncBatchNorm(3),
                [(f(0, 3, 2),), (f(2, 3, 0, 2),), (f(2, 3, 2, 2, layout="t"),), (f(4, 3),)],
                train=_tr)
