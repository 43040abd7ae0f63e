"""Rows of the bad-argument sweep: Tensor's layout and metadata methods (tensor_layout.py) and
the in-place random fills random_/geometric_/cauchy_/log_normal_ (random: shapes and dtypes
only).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, Arr, X, P, Dt, SKIP, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

row("Tensor.unfold", X, 1, 2, 1)
row("Tensor.fill_diagonal_", Arr(3, 3), 2.0)
row("Tensor.stride", X, 1)
row("Tensor.type", X, Dt("float64"))
row("Tensor.sum_to_size", X, 1, 4)
row("Tensor.where", X, Arr(3, 4, kind="b"), X)
row("Tensor.multiply_", X, X)
row("Tensor.divide_", X, P)
row("Tensor.subtract_", X, X)
row("Tensor.random_", X, 0, 5, values=False)
row("Tensor.geometric_", X, 0.5, values=False)
row("Tensor.cauchy_", X, 0.0, 1.0, values=False)
row("Tensor.log_normal_", X, 1.0, 2.0, values=False)
for _n in ["byte", "char", "short", "detach_", "element_size", "get_device", "nelement",
           "ndimension", "storage_offset", "is_contiguous"]:
    SKIP[f"Tensor.{_n}"] = "takes no arguments (values: tests/test_tensor_layout.py)"
for _n in ["is_cpu", "itemsize", "nbytes", "retains_grad"]:
    SKIP[f"Tensor.{_n}"] = "a property (tests/test_tensor_layout.py)"
SKIP["mg.memory_format"] = "the memory formats' class (not called); bad memory_format " \
    "arguments: tests/test_memory_format.py"
