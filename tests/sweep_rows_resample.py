"""Sweep rows: issue 15 resampling, rearrangement and dropout variants (interpolate, Upsample,
pixel/channel shuffle, fold/unfold, dropout1d/2d/3d, alpha dropouts).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

from sweep_table import *


def _quiet(fn):
    """fn with warnings silenced (dropout2d/3d warn on some ranks, both frameworks alike)."""
    def call(*a, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*a, **kw)
    return call


# ---- issue 15: resample ----
_R3 = [(f(2, 3, 5),), (f(0, 3, 5),), (f(2, 3, 5, layout="t"),), (f(2, 3, 10, layout="s"),),
       (f(2, 3, 5, layout="n"),), (f(),), (f(5),), (f(2, 0, 5),), (f(2, 3, 0),)]
_R4 = [(f(1, 2, 4, 5),), (f(0, 2, 4, 5),), (f(1, 2, 4, 5, layout="t"),),
       (f(1, 2, 4, 5, layout="n"),), (f(1, 0, 4, 5),), (f(1, 2, 0, 5),), (f(3, 4, 5),)]
_R5 = [(f(1, 2, 3, 4, 5),), (f(0, 2, 3, 4, 5),), (f(1, 2, 3, 4, 5, layout="s"),)]
for _mode, _rows, _kws in [
        ("nearest", _R3 + _R4 + _R5, [{"size": 7}, {"scale_factor": 1.7}, {"scale_factor": 0.5}]),
        ("nearest-exact", _R3 + _R4, [{"size": 3}, {"scale_factor": 2.5}]),
        ("linear", _R3 + _R4, [{"size": 7}, {"size": 3, "align_corners": True},
                               {"scale_factor": 1.5, "recompute_scale_factor": True}]),
        ("bilinear", _R4 + _R3, [{"size": (3, 7)}, {"scale_factor": 1.5, "align_corners": True},
                                 {"size": (2, 3), "antialias": True}]),
        ("bicubic", _R4, [{"size": (6, 3)}, {"scale_factor": 2.0, "align_corners": True},
                          {"size": (2, 7), "antialias": True}]),
        ("trilinear", _R5 + _R4, [{"size": (2, 5, 3)}, {"scale_factor": 1.5}]),
        ("area", _R3 + _R4 + _R5, [{"size": 3}, {"scale_factor": 0.5}, {"size": 0}])]:
    for _kw in _kws:
        # torch's adaptive pooling has no backward for an empty output: values only there
        _empty = _mode == "area" and (_kw.get("size") == 0)
        for _part, _grad in [([r for r in _rows if _empty or r[0].shape[1:2] != (0,)], True),
                             ([] if _empty else [r for r in _rows if r[0].shape[1:2] == (0,)],
                              False)]:
            case("F.interpolate", lambda x, m=_mode, kw=_kw: F.interpolate(x, mode=m, **kw),
                 lambda x, m=_mode, kw=_kw: tF.interpolate(x, mode=m, **kw), _part,
                 tag=f"{_mode},{_kw}", grad=_grad and not _empty)
for _n, _a in [("upsample", (None, 2.0, "bilinear", True)), ("upsample", ((3, 7),)),
               ("upsample_nearest", (None, 1.5)), ("upsample_bilinear", ((3, 7),))]:
    case(f"F.{_n}", _quiet(lambda x, n=_n, a=_a: getattr(F, n)(x, *a)),
         _quiet(lambda x, n=_n, a=_a: getattr(tF, n)(x, *a)), _R4)
module_case("Upsample", lambda nn: nn.Upsample(scale_factor=2), _R3 + _R4)
module_case("Upsample", lambda nn: nn.Upsample(size=(3, 7), mode="bilinear"), _R4)
module_case("UpsamplingNearest2d", lambda nn: nn.UpsamplingNearest2d(scale_factor=2), _R4)
module_case("UpsamplingBilinear2d", lambda nn: nn.UpsamplingBilinear2d(size=(3, 7)), _R4)

_SHUF = [(f(2, 8, 3, 2),), (f(0, 8, 3, 2),), (f(8, 3, 2, layout="t"),),
         (f(2, 8, 3, 2, layout="s"),), (f(2, 3, 8, 2, 2),), (f(2, 0, 3, 2),),
         (f(2, 8, 0, 2),), (f(),), (f(8, 4),), (f(2, 6, 2, 2),)]
# torch's backward of both fails on empty inputs (pixel_shuffle: pixel_unshuffle of the empty
# gradient keeps its shape; channel_shuffle: groups C / g = 0): values only there
_SHUF_E = [r for r in _SHUF if 0 in r[0].shape]
_SHUF = [r for r in _SHUF if 0 not in r[0].shape]
for _n in ["pixel_shuffle", "channel_shuffle"]:
    for _scope in ("mg", "F"):
        for _rows, _grad in [(_SHUF, True), (_SHUF_E, False)]:
            case(f"{_scope}.{_n}",
                 lambda x, n=_n, s=_scope: getattr(mg if s == "mg" else F, n)(x, 2),
                 lambda x, n=_n, s=_scope: getattr(torch if s == "mg" else tF, n)(x, 2), _rows,
                 grad=_grad)
# (no empty rows: torch returns an empty input unchanged, minigrad raises; tests/test_resample.py)
_UNSHUF = [(f(2, 2, 4, 6),), (f(2, 4, 6, layout="t"),), (f(2, 2, 4, 6, layout="n"),), (f(),),
           (f(4, 6),), (f(2, 2, 3, 6),)]
for _scope in ("mg", "F"):
    case(f"{_scope}.pixel_unshuffle",
         lambda x, s=_scope: (mg if s == "mg" else F).pixel_unshuffle(x, 2),
         lambda x, s=_scope: (torch if s == "mg" else tF).pixel_unshuffle(x, 2), _UNSHUF)
case("mg.pixel_shuffle", lambda x: mg.pixel_shuffle(x, 1), lambda x: torch.pixel_shuffle(x, 1),
     [(i(2, 4, 2, 2),), (b(2, 4, 2, 2),)])
module_case("PixelShuffle", lambda nn: nn.PixelShuffle(2), _SHUF)
module_case("PixelShuffle", lambda nn: nn.PixelShuffle(2), _SHUF_E, grad=False)
module_case("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2), _UNSHUF)
module_case("ChannelShuffle", lambda nn: nn.ChannelShuffle(2), _SHUF)
module_case("ChannelShuffle", lambda nn: nn.ChannelShuffle(2), _SHUF_E, grad=False)

_UNF = [(f(2, 3, 4, 5),), (f(0, 3, 4, 5),), (f(3, 4, 5, layout="t"),),
        (f(2, 3, 4, 10, layout="s"),), (f(2, 0, 4, 5),), (f(2, 3, 0, 5),), (f(),), (f(4, 5),),
        (f(2, 3, 1, 1),)]
case("F.unfold", lambda x: F.unfold(x, 2), lambda x: tF.unfold(x, 2), _UNF)
case("F.unfold", lambda x: F.unfold(x, (2, 3), 2, 1, (2, 1)),
     lambda x: tF.unfold(x, (2, 3), 2, 1, (2, 1)), _UNF[:4])
_FOLD = [(f(2, 12, 6),), (f(0, 12, 6),), (f(12, 6, layout="t"),), (f(2, 12, 12, layout="s"),),
         (f(2, 0, 6),), (f(2, 12, 0),), (f(),), (f(12),), (f(2, 12, 5),), (f(2, 11, 6),)]
case("F.fold", lambda x: F.fold(x, (3, 4), 2), lambda x: tF.fold(x, (3, 4), 2), _FOLD)
case("F.fold", lambda x: F.fold(x, (4, 5), 2, 1, 1, 2),
     lambda x: tF.fold(x, (4, 5), 2, 1, 1, 2), [(f(2, 12, 9),), (f(12, 9, layout="t"),)])
module_case("Unfold", lambda nn: nn.Unfold(2), _UNF)
module_case("Fold", lambda nn: nn.Fold((3, 4), 2), _FOLD)

# dropout variants: deterministic settings compare values; random ones shapes and dtypes
_DROP = floats((2, 3, 4), (2, 3, 4, 5), (2, 3, 4, 5, 6), (2, 3, 4, 5, 6, 2))
for _n in ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]:
    for _p, _tr in [(0.0, True), (0.5, False), (1.0, True)]:
        case(f"F.{_n}", _quiet(lambda x, n=_n, pp=_p, tr=_tr: getattr(F, n)(x, pp, tr)),
             _quiet(lambda x, n=_n, pp=_p, tr=_tr: getattr(tF, n)(x, pp, tr)), _DROP,
             tag=f"p={_p},training={_tr}")
    case(f"F.{_n}", _quiet(lambda x, n=_n: getattr(F, n)(x, 0.5, True)),
         _quiet(lambda x, n=_n: getattr(tF, n)(x, 0.5, True)), _DROP, values=False)
    case(f"F.{_n}", _quiet(lambda x, n=_n: getattr(F, n)(x, 0.5, True)),
         _quiet(lambda x, n=_n: getattr(tF, n)(x, 0.5, True)),
         [(i(2, 3, 4),), (i(0, 3, 4),)], values=False)
for _n in ["Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]:
    module_case(_n, _quiet(lambda nn, n=_n: getattr(nn, n)(0.5)), _DROP, train=False)
    module_case(_n, _quiet(lambda nn, n=_n: getattr(nn, n)(0.5)), _DROP, values=False)
