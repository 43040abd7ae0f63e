"""Rows of the bad-argument sweep: issue 17's RNG state (none: see the reasons below; their
errors are tested in tests/test_checkpoint.py).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (SKIP, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

# ---- issue 17: ckpt ----
SKIP["mg.get_rng_state"] = "takes no arguments"
SKIP["mg.set_rng_state"] = ("no state is valid in both libraries (torch's is 5056 bytes of "
                            "Mersenne Twister, minigrad's 40 of PCG64); errors tested in "
                            "tests/test_checkpoint.py")
