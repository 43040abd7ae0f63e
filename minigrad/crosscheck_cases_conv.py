"""Crosscheck cases for issue 15's convolutions and padding: conv1d/conv3d, the transposed
convolutions and F.pad in each mode (tiny shapes; second derivatives too). Same table format
and helpers as crosscheck_cases.py, which appends CASES_conv to its CASES."""
from __future__ import annotations

from .crosscheck_cases import R, fn

CASES_conv = [
    fn("conv1d", R(2, 4, 7), R(6, 2, 3), R(6), stride=2, padding=1, dilation=2, groups=2),
    fn("conv1d", R(1, 2, 6), R(3, 2, 4), padding="same"),
    fn("conv3d", R(1, 2, 4, 3, 4), R(3, 2, 2, 2, 2), R(3), stride=(1, 2, 1), padding=(1, 0, 1)),
    fn("conv_transpose1d", R(2, 4, 5), R(4, 3, 3), R(6), stride=2, padding=1,
       output_padding=1, groups=2),
    fn("conv_transpose2d", R(1, 2, 3, 4), R(2, 3, 3, 2), R(3), stride=(2, 1), padding=(1, 0),
       dilation=(1, 2)),
    fn("conv_transpose3d", R(1, 2, 2, 3, 2), R(2, 2, 2, 2, 2), stride=2, output_padding=1),
    fn("pad", R(2, 3, 4), pad=(1, -1, 2, 0), value=1.5),
    fn("pad", R(2, 3, 4), pad=(2, 1), mode="reflect"),
    fn("pad", R(1, 2, 3, 4), pad=(1, 2, 2, 0), mode="replicate"),
    fn("pad", R(2, 3, 3), pad=(1, 2, 0, 3), mode="circular"),
]
