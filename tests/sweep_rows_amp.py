"""Sweep entries for the mixed-precision names (no shaped tensor results; their behaviour
is compared with torch in tests/test_grad_scaler.py).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

for _n in ("autocast", "is_autocast_enabled", "get_autocast_dtype", "set_autocast_enabled",
           "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
           "clear_autocast_cache", "is_autocast_cpu_enabled", "get_autocast_cpu_dtype"):
    SKIP_MORE[f"mg.{_n}"] = "autocast state, no tensor result (tests/test_autocast.py; one " \
        "float row per swept name runs under autocast in tests/test_autocast_sweep.py)"
