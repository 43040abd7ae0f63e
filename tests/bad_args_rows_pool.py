"""Rows of the bad-argument sweep: issue 15's pooling (1-3 D max/avg, adaptive, unpool, LP).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

import numpy as np

# ---- issue 15: pool ----
P1, P3 = Arr(2, 3, 7), Arr(2, 2, 4, 5, 4)
# unpooling inputs: values and distinct valid indices (kernel 2: outputs 8, 8x8, 4x4x4)
U1, U2, U3 = Arr(2, 3, 4), Arr(1, 2, 4, 4), Arr(1, 2, 2, 2, 2)
I1 = Arr(2, 3, 4, kind="i", fixed=(np.arange(4) * 2 + np.arange(6).reshape(2, 3, 1) % 2))
I2 = Arr(1, 2, 4, 4, kind="i", fixed=(np.arange(16) * 4 + np.arange(2).reshape(1, 2, 1)
                                      ).reshape(1, 2, 4, 4))
I3 = Arr(1, 2, 2, 2, 2, kind="i", fixed=(np.arange(8) * 8 + np.arange(2).reshape(1, 2, 1)
                                         ).reshape(1, 2, 2, 2, 2))
row("F.max_pool1d", P1, 2, 2, 0, 1, False, False)
row("F.max_pool3d", P3, 2, 2, 0, 1, False, False)
for _n, _x in [("max_pool1d", P1), ("max_pool2d", X4), ("max_pool3d", P3)]:
    row(f"F.{_n}_with_indices", _x, 2, 2, 0, 1, False, True, aka=(_n,))
row("F.avg_pool1d", P1, 2, 2, 0, False, True)
row("F.avg_pool3d", P3, 2, 2, 0, False, True, None)
for _n, _x in [("1d", P1), ("2d", X4), ("3d", P3)]:
    row(f"F.adaptive_max_pool{_n}", _x, 3, False)
    row(f"F.adaptive_max_pool{_n}_with_indices", _x, 3, True, aka=(f"adaptive_max_pool{_n}",))
row("F.adaptive_avg_pool1d", P1, 3)
row("F.adaptive_avg_pool3d", P3, (2, 3, 2))
row("F.lp_pool1d", P1, 2.0, 2, 2, False, aka=("avg_pool1d", "max_pool1d"))
row("F.lp_pool2d", X4, 2.0, 2, 2, False, aka=("avg_pool2d", "max_pool2d"))
row("F.lp_pool3d", P3, 2.0, 2, 2, False, aka=("avg_pool3d", "max_pool3d"))
row("F.max_unpool1d", U1, I1, 2, 2, 0, None)
row("F.max_unpool2d", U2, I2, 2, 2, 0, None)
row("F.max_unpool3d", U3, I3, 2, 2, 0, None)

ALIASES.update({"MaxPool1d": ("max_pool1d",), "MaxPool3d": ("max_pool3d",),
                "AvgPool1d": ("avg_pool1d",), "AvgPool3d": ("avg_pool3d",),
                "MaxUnpool1d": ("max_unpool1d",), "MaxUnpool2d": ("max_unpool2d",),
                "MaxUnpool3d": ("max_unpool3d",),
                "AdaptiveMaxPool1d": ("adaptive_max_pool1d",),
                "AdaptiveMaxPool2d": ("adaptive_max_pool2d",),
                "AdaptiveMaxPool3d": ("adaptive_max_pool3d",),
                "AdaptiveAvgPool1d": ("adaptive_avg_pool1d",),
                "AdaptiveAvgPool3d": ("adaptive_avg_pool3d",),
                "LPPool1d": ("lp_pool1d", "avg_pool1d", "max_pool1d"),
                "LPPool2d": ("lp_pool2d", "avg_pool2d", "max_pool2d"),
                "LPPool3d": ("lp_pool3d", "avg_pool3d", "max_pool3d")})
module("MaxPool1d", (2, 2, 0, 1, False, False), inputs=(P1,))
module("MaxPool3d", (2, 2, 0, 1, False, False), inputs=(P3,))
module("AvgPool1d", (2, 2, 0, False, True), inputs=(P1,))
module("AvgPool3d", (2, 2, 0, False, True, None), inputs=(P3,))
module("MaxUnpool1d", (2, 2, 0), inputs=(U1, I1))
module("MaxUnpool2d", (2, 2, 0), inputs=(U2, I2))
module("MaxUnpool3d", (2, 2, 0), inputs=(U3, I3))
for _n, _x in [("1d", P1), ("2d", X4), ("3d", P3)]:
    module(f"AdaptiveMaxPool{_n}", (3, False), inputs=(_x,))
    module(f"LPPool{_n}", (2.0, 2, 2, False), inputs=(_x,))
module("AdaptiveAvgPool1d", (3,), inputs=(P1,))
module("AdaptiveAvgPool3d", ((2, 3, 2),), inputs=(P3,))
