"""Sweep entries for the mixed-precision names (no shaped tensor results; their behaviour
is compared with torch in tests/test_grad_scaler.py).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

SKIP_MORE["mg.autocast"] = "a context manager (only enabled=False): tests/test_grad_scaler.py"
SKIP_MORE["mg.is_autocast_enabled"] = "always False, no tensor: tests/test_grad_scaler.py"
