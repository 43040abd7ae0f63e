"""Crosscheck cases for grid_sample, affine_grid and bilinear. Same table format and helpers
as crosscheck_cases.py, which appends CASES_vision to its CASES."""
from __future__ import annotations

from .crosscheck_cases import R, Spec, fn


def G(*s):
    """A sampling grid: coordinates in [-1.3, 1.3], so some points fall outside the image."""
    return Spec(s, lambda r, s: r.uniform(-1.3, 1.3, s))


CASES_vision = [
    fn("grid_sample", R(2, 3, 4, 5), G(2, 3, 2, 2), align_corners=False),
    fn("grid_sample", R(1, 2, 4, 5), G(1, 3, 3, 2), mode="bicubic", padding_mode="reflection",
       align_corners=True),
    fn("grid_sample", R(1, 2, 4, 3), G(1, 2, 3, 2), mode="nearest", padding_mode="border",
       align_corners=False),
    fn("grid_sample", R(1, 2, 3, 4, 3), G(1, 2, 2, 3, 3), padding_mode="border",
       align_corners=False),
    fn("affine_grid", R(2, 2, 3), size=(2, 1, 3, 4), align_corners=False),
    fn("affine_grid", R(1, 3, 4), size=(1, 2, 2, 3, 4), align_corners=True),
    fn("bilinear", R(4, 3), R(4, 5), R(6, 3, 5), R(6)),
    fn("bilinear", R(2, 3, 3), R(2, 3, 2), R(4, 3, 2)),
]
