"""Rows of the bad-argument sweep: sampling (bernoulli, multinomial, normal, poisson and the
in-place bernoulli_ / exponential_); their results are random, so only shapes and dtypes
are compared.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

both("bernoulli", P, values=False)
both("multinomial", P, 2, values=False)
row("Tensor.multinomial", P, 5, True, values=False)
row("mg.normal", X, 1.0, values=False)
row("mg.normal", 0.0, P, values=False)
row("mg.poisson", P, values=False)
row("Tensor.bernoulli_", X, 0.5, values=False)
row("Tensor.exponential_", X, 2.0, values=False)
SKIP["mg.Generator"] = "its seeds, states and device errors: tests/test_generator.py"
SKIP["mg.seed"] = "takes no arguments"
SKIP["mg.initial_seed"] = "takes no arguments"
