"""Rows of the bad-argument sweep: issue 15's resampling, rearrangement and dropout variants.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 15: resample ----
ALIASES.update({"Upsample": ("interpolate",), "UpsamplingNearest2d": ("interpolate",),
                "UpsamplingBilinear2d": ("interpolate",), "PixelShuffle": ("pixel_shuffle",),
                "PixelUnshuffle": ("pixel_unshuffle",), "ChannelShuffle": ("channel_shuffle",),
                "Fold": ("fold",), "Unfold": ("unfold",), "Dropout1d": ("dropout1d",),
                "Dropout2d": ("dropout2d",), "Dropout3d": ("dropout3d",),
                "AlphaDropout": ("alpha_dropout",),
                "FeatureAlphaDropout": ("feature_alpha_dropout",)})
IMG = Arr(1, 2, 4, 5)
SEQ = Arr(2, 3, 5)
row("F.interpolate", IMG, (3, 7), None, "bilinear", False, None, False)
row("F.interpolate", SEQ, None, 1.5, "linear", True, True, False)
row("F.interpolate", IMG, None, 2.0, "nearest")
row("F.interpolate", IMG, (2, 3), None, "bicubic", False, None, True)
row("F.interpolate", Arr(1, 2, 3, 4, 5), (2, 3, 4), None, "area")
ALIASES.update({"upsample": ("interpolate",), "upsample_nearest": ("interpolate",),
                "upsample_bilinear": ("interpolate",)})
row("F.upsample", IMG, (3, 7), None, "bilinear", False)
row("F.upsample_nearest", IMG, None, 2.0)
row("F.upsample_bilinear", IMG, (3, 7), None)
for _scope in ("mg", "F"):
    row(f"{_scope}.pixel_shuffle", Arr(2, 8, 3, 2), 2)
    row(f"{_scope}.pixel_unshuffle", Arr(2, 2, 4, 6), 2)
    row(f"{_scope}.channel_shuffle", Arr(2, 6, 3), 3)
row("F.unfold", Arr(2, 3, 4, 5), (2, 3), 1, (1, 0), (2, 1))
row("F.fold", Arr(2, 12, 6), (3, 4), 2, 1, 0, 1)
for _n, _x in [("dropout1d", SEQ), ("dropout2d", IMG), ("dropout3d", Arr(1, 2, 3, 4, 5)),
               ("alpha_dropout", IMG), ("feature_alpha_dropout", IMG)]:
    row(f"F.{_n}", _x, 0.5, True, False, values=False)

module("Upsample", ((3, 7), None, "bilinear", False, None), inputs=(IMG,))
module("UpsamplingNearest2d", (None, 2.0), inputs=(IMG,))
module("UpsamplingBilinear2d", ((3, 7), None), inputs=(IMG,))
module("PixelShuffle", (2,), inputs=(Arr(2, 8, 3, 2),))
module("PixelUnshuffle", (2,), inputs=(Arr(2, 2, 4, 6),))
module("ChannelShuffle", (3,), inputs=(Arr(2, 6, 3),))
module("Unfold", ((2, 3), 1, (1, 0), (2, 1)), inputs=(Arr(2, 3, 4, 5),))
module("Fold", ((3, 4), 2, 1, 0, 1), inputs=(Arr(2, 12, 6),))
# (eval mode: a bad p that happens to be valid must not make results random)
for _n, _x in [("Dropout1d", SEQ), ("Dropout2d", IMG), ("Dropout3d", Arr(1, 2, 3, 4, 5)),
               ("AlphaDropout", IMG), ("FeatureAlphaDropout", IMG)]:
    module(_n, (0.5, False), inputs=(_x,), train=False)
