"""Rows of the bad-argument sweep: the in-place view ops (t_, transpose_, squeeze_, ...,
as_strided_, resize_), as_strided, the scatter forms, the view-copy functions, the unsafe
splits and empty_strided.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, Arr, X, Dt, SKIP, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

X31 = Arr(3, 1, 4)
V3 = Arr(3, seed=2)
S24 = Arr(2, 4, seed=3)
S32 = Arr(3, 2, seed=4)

# ---- in-place view ops ----
row("Tensor.t_", X)
row("Tensor.transpose_", X, 0, 1)
row("Tensor.swapdims_", X, 0, 1)
row("Tensor.swapaxes_", X, 0, 1)
row("Tensor.squeeze_", X31, 1)
row("Tensor.unsqueeze_", X, 1)
row("Tensor.as_strided_", X, (2, 2), (1, 2), 1)
# (values=False: the elements a resize_ adds are uninitialized in torch)
row("Tensor.resize_", X, 2, 3, values=False)
row("Tensor.resize_as_", X, S32, values=False)
row("Tensor.resize", X, 2, 6)
row("Tensor.resize_as", X, Arr(4, 3))
# ---- as_strided and the scatter forms ----
both("as_strided", X, (2, 2), (1, 2), 1)
both("as_strided_scatter", X, S32, (3, 2), (1, 3), 1)
both("diagonal_scatter", X, V3, 0, 0, 1)
both("select_scatter", X, Arr(4, seed=5), 0, 1)
both("slice_scatter", X, S24, 0, 1, 3, 1)
# ---- the view-copy functions ----
row("mg.alias_copy", X)
row("mg.detach_copy", X)
row("mg.as_strided_copy", X, (2, 2), (1, 2), 1)
row("mg.diagonal_copy", X, 0, 0, 1)
row("mg.expand_copy", X1, (3, 4))
row("mg.permute_copy", X, (1, 0))
row("mg.select_copy", X, 0, 1)
row("mg.slice_copy", X, 1, 0, 3, 2)
row("mg.split_copy", X, 2, 1)
row("mg.split_with_sizes_copy", X, [1, 3], 1)
row("mg.squeeze_copy", X31, 1)
row("mg.t_copy", X)
row("mg.transpose_copy", X, 0, 1)
row("mg.unbind_copy", X, 1)
row("mg.unfold_copy", X, 1, 2, 1)
row("mg.unsqueeze_copy", X, 1)
row("mg.view_copy", X, (4, 3))
both("narrow_copy", X, 1, 1, 2)
# ---- splits ----
both("split_with_sizes", X, [1, 3], 1)
both("unsafe_split_with_sizes", X, [1, 3], 1)
both("unsafe_split", X, 2, 1)
both("unsafe_chunk", X, 2, 1)
row("mg.empty_strided", (2, 3), (1, 2), dtype=Dt("float32"), values=False)
row("Tensor.new_empty_strided", X, (2, 3), (1, 2), values=False)
