"""Bad-argument entries for the mixed-precision names: their argument errors are compared
with torch's in tests/test_grad_scaler.py.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

SKIP["mg.autocast"] = "raises NotImplementedError unless enabled=False; its device_type " \
    "errors: tests/test_grad_scaler.py"
SKIP["mg.is_autocast_enabled"] = "always False; its device_type errors: " \
    "tests/test_grad_scaler.py"
