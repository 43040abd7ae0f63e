"""Rows of the bad-argument sweep: issue 17's tensor hooks (none: they take functions; their
errors are tested in tests/test_hooks.py).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, SKIP, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

# ---- issue 17: hooks ----
SKIP["Tensor.register_hook"] = "takes a function (tests/test_hooks.py tests its errors)"
SKIP["Tensor.register_post_accumulate_grad_hook"] = "takes a function (tests/test_hooks.py)"
