"""Bad-argument entries for the mixed-precision names: their argument errors are compared
with torch's in tests/test_grad_scaler.py.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

for _n in ("autocast", "is_autocast_enabled", "get_autocast_dtype", "set_autocast_enabled",
           "set_autocast_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled",
           "clear_autocast_cache", "is_autocast_cpu_enabled", "get_autocast_cpu_dtype"):
    SKIP[f"mg.{_n}"] = "autocast state: its device_type, dtype and enabled errors are " \
        "compared with torch's in tests/test_autocast.py"
