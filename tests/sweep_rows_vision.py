"""Sweep rows: grid_sample, affine_grid, bilinear and nn.Bilinear (0-d, empty,
non-contiguous and integer inputs against torch).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

# ---- vision: grid_sample / affine_grid / bilinear ----
_GS = [(f(2, 3, 4, 5), f(2, 3, 2, 2)), (f(0, 3, 4, 5), f(0, 3, 2, 2)),
       (f(2, 0, 4, 5), f(2, 3, 2, 2)), (f(2, 3, 4, 5), f(2, 0, 2, 2)),
       (f(2, 3, 5, 4, layout="t"), f(2, 3, 2, 2, layout="s")),
       (f(2, 3, 4, 5, layout="n"), f(2, 2, 3, 2, layout="t")),
       (f(1, 2, 3, 4, 2), f(1, 2, 2, 1, 3)), (f(1, 2, 3, 4, 2, layout="s"), f(1, 2, 2, 1, 3)),
       (f(), f()), (f(3), f(3)), (f(2, 3, 0, 5), f(2, 3, 2, 2)), (f(2, 3, 4, 5), f(2, 3, 2, 3)),
       (i(2, 3, 4, 5), f(2, 3, 2, 2)), (f(2, 3, 4, 5), i(2, 3, 2, 2)),
       (b(2, 3, 4, 5), b(2, 3, 2, 2))]
for _mode in ("bilinear", "nearest", "bicubic"):
    for _pad, _ac in (("zeros", False), ("border", True), ("reflection", False)):
        _kw = dict(mode=_mode, padding_mode=_pad, align_corners=_ac)
        case("F.grid_sample", lambda x, g, kw=_kw: F.grid_sample(x, g, **kw),
             lambda x, g, kw=_kw: tF.grid_sample(x, g, **kw), _GS, tag=str(_kw))

_TH = [(f(2, 2, 3),), (f(2, 3, 2, layout="t"),), (f(2, 2, 6, layout="s"),), (f(),), (f(2, 6),),
       (i(2, 2, 3),), (b(2, 2, 3),), (f(0, 2, 3),)]
for _size in ((2, 1, 3, 4), (2, 1, 1, 3)):
    for _ac in (False, True):
        case("F.affine_grid", lambda th, s=_size, ac=_ac: F.affine_grid(th, s, align_corners=ac),
             lambda th, s=_size, ac=_ac: tF.affine_grid(th, s, align_corners=ac), _TH,
             tag=f"{_size},{_ac}")
case("F.affine_grid", lambda th: F.affine_grid(th, (2, 1, 2, 3, 4), align_corners=False),
     lambda th: tF.affine_grid(th, (2, 1, 2, 3, 4), align_corners=False),
     [(f(2, 3, 4),), (f(2, 4, 3, layout="t"),), (f(2, 2, 3),)], tag="3-D")

_BL = [(f(5, 3), f(5, 4), f(6, 3, 4), f(6)), (f(3), f(4), f(6, 3, 4), f(6)),
       (f(0, 3), f(0, 4), f(6, 3, 4), f(6)), (f(2, 0, 3), f(2, 0, 4), f(6, 3, 4), f(6)),
       (f(3, 5, layout="t"), f(5, 4), f(6, 4, 3, layout="t"), f(6)),
       (f(5, 3, layout="n"), f(5, 4, layout="s"), f(6, 3, 4, layout="s"), f(6, layout="n")),
       (f(), f(), f(6, 1, 1), f(6)), (f(5, 3), f(5, 4), f(0, 3, 4), f(0)),
       (i(5, 3), i(5, 4), i(6, 3, 4), i(6)), (b(5, 3), b(5, 4), b(6, 3, 4), b(6)),
       (f(5, 3), f(4, 4), f(6, 3, 4), f(6)), (f(5, 3), f(5, 4), f(6, 3, 4), f(2))]
for _scope, _mg, _torch in (("F", F, tF), ("mg", mg, torch)):
    case(f"{_scope}.bilinear", _mg.bilinear, _torch.bilinear, _BL)
    case(f"{_scope}.bilinear", lambda a, b_, w, m=_mg: m.bilinear(a, b_, w),
         lambda a, b_, w, m=_torch: m.bilinear(a, b_, w), [r[:3] for r in _BL], tag="no bias")
module_case("Bilinear", lambda nn: nn.Bilinear(3, 4, 6),
            [(f(5, 3), f(5, 4)), (f(3), f(4)), (f(0, 3), f(0, 4)),
             (f(2, 3, 5, layout="t"), f(2, 5, 4)), (f(5, 2), f(5, 4))])
module_case("Bilinear", lambda nn: nn.Bilinear(3, 4, 6, bias=False), [(f(2, 7, 3), f(2, 7, 4))])
