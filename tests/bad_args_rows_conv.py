"""Rows of the bad-argument sweep: issue 15's convolutions, F.pad and their modules.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 15: conv ----
_X = {1: Arr(2, 3, 6), 2: Arr(2, 3, 5, 5), 3: Arr(1, 2, 4, 4, 4)}
_W = {1: Arr(4, 3, 3), 2: Arr(4, 3, 3, 3), 3: Arr(4, 2, 2, 2, 2)}
_WT = {1: Arr(3, 2, 3), 2: Arr(3, 2, 3, 3), 3: Arr(2, 3, 2, 2, 2)}
for _nd in (1, 2, 3):
    _c = 3 if _nd < 3 else 2
    for _lib in ("F", "mg"):
        if not (_lib == "F" and _nd == 2):          # F.conv2d: tests/bad_args_rows_core.py
            row(f"{_lib}.conv{_nd}d", _X[_nd], _W[_nd], Arr(4), 1, 1, 1, 1)
        row(f"{_lib}.conv_transpose{_nd}d", _X[_nd].like(shape=(2, _c) + (4,) * _nd),
            _WT[_nd], Arr(_WT[_nd].shape[1]), 2, 1, 1, 1, 1)
    module(f"Conv{_nd}d", (_c, 4, 2, 1, 1, 1, 1, True, "zeros"), inputs=(_X[_nd],))
    module(f"ConvTranspose{_nd}d", (_c, 4, 2, 2, 1, 1, 1, True, 1, "zeros"),
           inputs=(_X[_nd],))
    ALIASES.update({f"Conv{_nd}d": (f"conv{_nd}d",),
                    f"ConvTranspose{_nd}d": (f"conv_transpose{_nd}d",)})
    _xp = Arr(2, *([3] * (_nd + 1)))
    for _k in ["ZeroPad", "ReflectionPad", "ReplicationPad", "CircularPad"]:
        module(f"{_k}{_nd}d", ((1, 2, 1, 0, 2, 1)[:2 * _nd],), inputs=(_xp,))
        ALIASES[f"{_k}{_nd}d"] = ("pad",)
    module(f"ConstantPad{_nd}d", ((1, 2, 1, 0, 2, 1)[:2 * _nd], 1.5), inputs=(_xp,))
    ALIASES[f"ConstantPad{_nd}d"] = ("pad",)
row("F.conv1d", _X[1], _W[1], None, 1, "same", 2, 1)
row("F.pad", Arr(2, 3, 4), (1, 2, 0, 1), "constant", 0.5)
row("F.pad", Arr(2, 3, 4), (1, 2), "reflect")
row("F.pad", Arr(2, 3, 4), (1, 2, 2, 1), "circular")
row("F.pad", Arr(2, 3, 4), (2, 1), "replicate", None)
