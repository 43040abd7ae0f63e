"""Sweep rows: issue 17's RNG state (no rows: they take no tensors of a shape to sweep).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *

# ---- issue 17: ckpt ----
SKIP_MORE["mg.get_rng_state"] = "RNG API, no arguments (tests/test_checkpoint.py)"
SKIP_MORE["mg.set_rng_state"] = ("RNG API: a state, not a shaped tensor "
                                 "(tests/test_checkpoint.py)")
