"""Sweep rows: printing and global settings. They return no shaped tensor of their own
(cond, while_loop, compile and vmap run the user's functions): tests/test_tensor_repr.py and
tests/test_settings.py compare them with torch.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

for _n in ("are_deterministic_algorithms_enabled", "get_default_device",
           "get_deterministic_debug_mode", "get_float32_matmul_precision",
           "get_num_interop_threads", "get_num_threads", "is_anomaly_check_nan_enabled",
           "is_anomaly_enabled", "is_deterministic_algorithms_warn_only_enabled",
           "is_warn_always_enabled", "set_anomaly_enabled", "set_default_device",
           "set_deterministic_debug_mode", "set_float32_matmul_precision",
           "set_flush_denormal", "set_num_interop_threads", "set_num_threads",
           "set_warn_always", "use_deterministic_algorithms"):
    SKIP_MORE[f"mg.{_n}"] = "global setting, no tensor result (tests/test_settings.py)"
SKIP_MORE["mg.set_printoptions"] = "print options, no tensor result (tests/test_tensor_repr.py)"
for _n in ("compile", "cond", "while_loop"):
    SKIP_MORE[f"mg.{_n}"] = "runs the user's functions eagerly (tests/test_settings.py)"
SKIP_MORE["mg.vmap"] = "mg.func.vmap under torch's top-level name (tests/test_vmap*.py)"
