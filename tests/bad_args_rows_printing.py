"""Rows of the bad-argument sweep: printing and global settings. They change process-wide
state (print options, threads, determinism, the default device, anomaly mode), so random bad
values are not thrown at them here: tests/test_settings.py and tests/test_tensor_repr.py
check each one's errors (type and message) against torch's.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (SKIP, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

for _n in ("are_deterministic_algorithms_enabled", "get_default_device",
           "get_deterministic_debug_mode", "get_float32_matmul_precision",
           "get_num_interop_threads", "get_num_threads", "is_anomaly_check_nan_enabled",
           "is_anomaly_enabled", "is_deterministic_algorithms_warn_only_enabled",
           "is_warn_always_enabled"):
    SKIP[f"mg.{_n}"] = "takes no arguments (values: tests/test_settings.py)"
for _n in ("set_anomaly_enabled", "set_default_device", "set_deterministic_debug_mode",
           "set_float32_matmul_precision", "set_flush_denormal", "set_num_interop_threads",
           "set_num_threads", "set_warn_always", "use_deterministic_algorithms"):
    SKIP[f"mg.{_n}"] = "global state; its errors against torch's: tests/test_settings.py"
SKIP["mg.set_printoptions"] = "global state; its errors: tests/test_tensor_repr.py"
for _n in ("compile", "cond", "while_loop"):
    SKIP[f"mg.{_n}"] = ("takes functions (torch compiles them); its errors against torch's: "
                        "tests/test_settings.py")
SKIP["mg.vmap"] = "mg.func.vmap (its rows and tests: tests/test_vmap*.py)"
