"""Crosscheck cases for issue 15's resampling ops: interpolate (every mode), pixel/channel
shuffle, unfold/fold and channel-wise dropout. Same table format and helpers as
crosscheck_cases.py, which appends CASES_resample to its CASES."""
from __future__ import annotations

from .crosscheck_cases import MaskCase, R, fn

CASES_resample = [
    fn("interpolate", R(1, 2, 5), size=7, mode="nearest"),
    fn("interpolate", R(1, 2, 5), scale_factor=1.5, mode="nearest-exact"),
    fn("interpolate", R(1, 2, 5), size=8, mode="linear", align_corners=True),
    fn("interpolate", R(1, 2, 3, 4), size=(5, 3), mode="bilinear"),
    fn("interpolate", R(1, 2, 3, 4), scale_factor=1.5, mode="bicubic"),
    fn("interpolate", R(1, 2, 6, 7), size=(3, 4), mode="bilinear", antialias=True),
    fn("interpolate", R(1, 1, 6, 5), size=(4, 2), mode="bicubic", antialias=True),
    fn("interpolate", R(1, 1, 2, 3, 4), size=(3, 2, 5), mode="trilinear"),
    fn("interpolate", R(1, 2, 5, 7), size=(3, 4), mode="area"),
    fn("pixel_shuffle", R(2, 8, 2, 3), upscale_factor=2),
    fn("pixel_unshuffle", R(2, 2, 4, 6), downscale_factor=2),
    fn("channel_shuffle", R(2, 6, 3), groups=3),
    fn("unfold", R(2, 2, 4, 5), kernel_size=(2, 3), padding=1, stride=(2, 1)),
    fn("fold", R(2, 12, 6), output_size=(3, 4), kernel_size=2),
    MaskCase("dropout2d", "(4,3,2,2), p=0.4 (mask shared)",
             lambda L, x: L.F.dropout2d(x, 0.4), [R(4, 3, 2, 2)], 1 / 0.6),
]
