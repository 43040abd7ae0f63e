"""Rows of the bad-argument sweep: grid_sample, affine_grid, bilinear and nn.Bilinear.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- vision: grid_sample / affine_grid / bilinear ----
ALIASES.update({"grid_sample": ("grid_sampler",), "affine_grid": ("affine_grid_generator",),
                "Bilinear": ("bilinear",)})
row("F.grid_sample", Arr(2, 3, 4, 5), Arr(2, 3, 2, 2), "bilinear", "zeros", False)
row("F.grid_sample", Arr(1, 2, 3, 4, 2), Arr(1, 2, 2, 1, 3), "nearest", "reflection", True)
row("F.grid_sample", Arr(1, 2, 4, 3), Arr(1, 2, 2, 2), "bicubic", "border", True)
row("F.affine_grid", Arr(2, 2, 3), (2, 1, 3, 4), False)
row("F.affine_grid", Arr(1, 3, 4), (1, 2, 2, 3, 2), True)
for _scope in ("mg", "F"):
    row(f"{_scope}.bilinear", Arr(5, 3), Arr(5, 4), Arr(6, 3, 4), Arr(6))
module("Bilinear", (3, 4, 6), inputs=(Arr(5, 3), Arr(5, 4)))
