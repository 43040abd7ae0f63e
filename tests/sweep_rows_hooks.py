"""Sweep rows: issue 17's tensor hooks (no rows: they take functions, not tensors).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *

# ---- issue 17: hooks ----
SKIP_MORE["Tensor.register_hook"] = "autograd API (tests/test_hooks.py)"
SKIP_MORE["Tensor.register_post_accumulate_grad_hook"] = "autograd API (tests/test_hooks.py)"
