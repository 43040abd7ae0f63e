"""Rows of the bad-argument sweep: the tensor-valued nn.utils functions (the BatchNorm fusion
weights, get_total_norm, parameters_to_vector). The module utilities (weight_norm,
spectral_norm, prune, orthogonal, ...) take modules: tests/test_nn_utils_*.py pins their
errors against torch.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, Arr, X, Y, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

_BN = (Arr(4, seed=1), Arr(4, kind="p"), 1e-5, Arr(4, seed=2), Arr(4, seed=3))
row("mg.nn.utils.fuse_linear_bn_weights", Arr(4, 3), Arr(4), *_BN)
row("mg.nn.utils.fuse_conv_bn_weights", Arr(4, 3, 2, 2), Arr(4), *_BN, False)
row("mg.nn.utils.get_total_norm", [X, Y], 2.0)
row("mg.nn.utils.parameters_to_vector", [X, Y])
