"""Sweep rows: issue 15 convolutions (conv1d/3d, conv_transpose1d/2d/3d, mg.conv*), F.pad and
the conv and padding modules.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *

# ---- issue 15: conv ----
# (x, weight, bias) for 1-, 2- and 3-d: empty batch, non-contiguous x and weight, unbatched,
# an empty spatial dim (torch's error), no out channels (torch's error)
CONV_ROWS = {
    1: [(f(0, 3, 5), f(4, 3, 3), f(4)), (f(2, 3, 5, layout="t"), f(4, 3, 3), f(4)),
        (f(2, 3, 5, layout="s"), f(4, 3, 3, layout="n"), f(4)), (f(3, 5), f(4, 3, 3), f(4)),
        (f(2, 3, 0), f(4, 3, 3), f(4)), (f(2, 3, 5), f(0, 3, 3), f(0))],
    2: [(f(0, 3, 5, 5), f(4, 3, 3, 3), f(4)), (f(2, 3, 5, 5, layout="t"), f(4, 3, 3, 3), f(4)),
        (f(3, 5, 5), f(4, 3, 3, 3), f(4)), (f(2, 3, 0, 5), f(4, 3, 3, 3), f(4))],
    3: [(f(0, 2, 3, 3, 3), f(4, 2, 2, 2, 2), f(4)),
        (f(1, 2, 3, 4, 3, layout="t"), f(4, 2, 2, 2, 2, layout="s"), f(4)),
        (f(2, 3, 3, 3), f(4, 2, 2, 2, 2), f(4)), (f(1, 2, 0, 3, 3), f(4, 2, 2, 2, 2), f(4))],
}
for _nd, _rows in CONV_ROWS.items():
    _n = f"conv{_nd}d"
    if _nd != 2:
        case(f"F.{_n}", getattr(F, _n), getattr(tF, _n), _rows)
    case(f"mg.{_n}", getattr(mg, _n), getattr(torch, _n), _rows)
    for _kw in [{"padding": 1, "stride": 2}, {"padding": "same", "dilation": 2}]:
        _tag = ",".join(f"{k}={v}" for k, v in _kw.items())
        for _lib, _name in [("F", _n), ("mg", _n)]:
            if _lib == "F" and _nd == 2:
                continue
            _m, _t = (F, tF) if _lib == "F" else (mg, torch)
            case(f"{_lib}.{_name}", lambda x, w, bb, fn=getattr(_m, _n), kw=_kw: fn(x, w, bb,
                                                                                     **kw),
                 lambda x, w, bb, fn=getattr(_t, _n), kw=_kw: fn(x, w, bb, **kw), _rows[:3],
                 tag=_tag)

# transposed: weight (C_in, C_out/G, *k); an empty spatial dim is torch's error
CT_ROWS = {
    1: [(f(0, 3, 5), f(3, 2, 3), f(2)), (f(2, 3, 5, layout="t"), f(3, 2, 3), f(2)),
        (f(2, 3, 5, layout="n"), f(3, 2, 3, layout="s"), f(2)), (f(3, 5), f(3, 2, 3), f(2)),
        (f(2, 3, 0), f(3, 2, 3), f(2))],
    2: [(f(0, 3, 4, 4), f(3, 2, 3, 3), f(2)), (f(2, 3, 4, 4, layout="t"), f(3, 2, 3, 3), f(2)),
        (f(3, 4, 4), f(3, 2, 3, 3), f(2)), (f(2, 3, 0, 4), f(3, 2, 3, 3), f(2))],
    3: [(f(0, 2, 2, 2, 2), f(2, 3, 2, 2, 2), f(3)),
        (f(1, 2, 2, 3, 2, layout="t"), f(2, 3, 2, 2, 2), f(3)),
        (f(2, 2, 2, 2), f(2, 3, 2, 2, 2), f(3))],
}
for _nd, _rows in CT_ROWS.items():
    _n = f"conv_transpose{_nd}d"
    case(f"F.{_n}", getattr(F, _n), getattr(tF, _n), _rows)
    case(f"mg.{_n}", getattr(mg, _n), getattr(torch, _n), _rows)
    _kw = {"stride": 2, "padding": 1, "output_padding": 1}
    case(f"F.{_n}", lambda x, w, bb, fn=getattr(F, _n): fn(x, w, bb, **_kw),
         lambda x, w, bb, fn=getattr(tF, _n): fn(x, w, bb, **_kw), _rows[:3], tag="s2,p1,op1")

# F.pad: constant on any rank (0-d with no padding, negative amounts crop), the other modes
PAD_CONST = [(f(),), (f(0, 5),), (f(3, 0, 2),), (f(4, 3, layout="t"),), (f(2, 5, layout="n"),)]
for _p in [(), (1, 2), (-1, 2, 0, 1)]:
    case("F.pad", lambda x, p=_p: F.pad(x, p), lambda x, p=_p: tF.pad(x, p),
         [r for r in PAD_CONST if len(r[0].shape) * 2 >= len(_p)], tag=f"{_p}")
case("F.pad", lambda x: F.pad(x, (2, 1), value=1.5), lambda x: tF.pad(x, (2, 1), value=1.5),
     PAD_CONST[1:], tag="value=1.5")
PAD_MODE = [(f(0, 3, 4),), (f(2, 3, 4, layout="t"),), (f(3, 4, layout="s"),), (f(3, 0),),
            (f(4),), (f(2, 3, 4, 5),)]
for _m in ["reflect", "replicate", "circular"]:
    case("F.pad", lambda x, m=_m: F.pad(x, (2, 1), m), lambda x, m=_m: tF.pad(x, (2, 1), m),
         PAD_MODE, tag=_m)
    case("F.pad", lambda x, m=_m: F.pad(x, (1, 0, 2, 1), m),
         lambda x, m=_m: tF.pad(x, (1, 0, 2, 1), m),
         [(f(2, 3, 4, layout="t"),), (f(0, 2, 3, 4),), (f(3, 4),)], tag=_m)

# ---- modules ----
for _nd, _rows in CONV_ROWS.items():
    _xs = [(r[0],) for r in _rows[:4] if r[0].shape[-1] != 0 or _nd == 1]
    if _nd != 2:
        module_case(f"Conv{_nd}d", lambda nn, d=_nd: getattr(nn, f"Conv{d}d")(3 - (d == 3), 4,
                                                                              2, padding=1),
                    _xs)
    for _pm in ["reflect", "circular"]:
        module_case(f"Conv{_nd}d", lambda nn, d=_nd, pm=_pm: getattr(nn, f"Conv{d}d")(
            3 - (d == 3), 4, 2, padding=1, padding_mode=pm), _xs[1:3], tag=_pm)
for _nd, _rows in CT_ROWS.items():
    module_case(f"ConvTranspose{_nd}d", lambda nn, d=_nd: getattr(nn, f"ConvTranspose{d}d")(
        3 - (d == 3), 4, 2, stride=2, padding=1, output_padding=1), [(r[0],) for r in _rows])
for _nd in (1, 2, 3):
    _xs = [(f(0, *([3] * (_nd + 1))),), (f(*([3] * (_nd + 1))),),
           (f(2, *([3] * _nd), 4, layout="t"),)]
    for _k in ["ZeroPad", "ReflectionPad", "ReplicationPad", "CircularPad"]:
        module_case(f"{_k}{_nd}d", lambda nn, k=_k, d=_nd: getattr(nn, f"{k}{d}d")(
            (2, 1, 1, 0, 1, 2)[:2 * d]), _xs)
    module_case(f"ConstantPad{_nd}d", lambda nn, d=_nd: getattr(nn, f"ConstantPad{d}d")(
        (2, 1, -1, 0, 1, 2)[:2 * d], 2.5), _xs + [(f(*([3] * _nd)),)])
