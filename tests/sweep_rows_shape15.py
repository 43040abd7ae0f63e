"""Sweep rows: issue 15 shape ops.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *
from sweep_table import _cat, _pos15  # noqa: F401
from sweep_rows_core import *


# ---- issue 15: shape ops ----
_S15 = SHAPED + [(f(2, 5, layout="n"),), (f(2, 3, 4, layout="t"),)]
for _a in [(2,), (1, -1)]:
    _pos15("split", _S15, *_a)
_pos15("split", [(f(4, 3, layout="t"),), (f(0, 5),)], [0, 1, 2], -1)
_pos15("split", [(f(4, 3, layout="t"),), (f(0, 5),)], [4, 0])
for _a in [(2,), (3, -1)]:
    _pos15("chunk", _S15, *_a)
for _a in [(), (-1,)]:
    _pos15("unbind", _S15, *_a)
for _a in [(2,), ([1, 3], -1), ([3, 1],)]:
    _pos15("tensor_split", _S15, *_a)
for _n in ["hsplit", "vsplit", "dsplit"]:
    _pos15(_n, _S15, 1)
    _pos15(_n, _S15, [1])
for _a in [(0, 0, 0), (-1, 1, 1), (0, -1, 1)]:
    _pos15("narrow", _S15, *_a)
_pos15("repeat", _S15, 2, 1, 3, function=False)
_pos15("repeat", _S15, (1, 0, 2), function=False)
for _a in [((2, 1),), ((2, 1, 1, 2),)]:
    _pos15("tile", _S15, *_a)
for _a, _kw in [((2,), {}), ((2, 0), {}), ((3, -1), {}), ((2, -1), {"output_size": 2})]:
    _pos15("repeat_interleave", _S15, *_a, **_kw)
case("mg.repeat_interleave", lambda x, r: mg.repeat_interleave(x, r, 0),
     lambda x, r: torch.repeat_interleave(x, r, 0),
     [(f(4, 3, layout="t"), i(4)), (f(0, 5), i(0)), (f(3), i(1)), (f(3, 0, 2), i())])
case("mg.repeat_interleave", mg.repeat_interleave, torch.repeat_interleave,
     [(i(5),), (i(0),), (i(),), (i(4, 3, layout="t"),)])
for _a in [(1,), ((1, 2), (0, -1)), (-3, 0)]:
    _pos15("roll", _S15, *_a)
for _a in [((0,),), ((0, -1),), ((),)]:
    _pos15("flip", _S15, *_a)
for _n in ["fliplr", "flipud"]:
    _pos15(_n, _S15)
for _a in [(), (2, (1, 0)), (-1, (0, -1))]:
    _pos15("rot90", _S15, *_a)
for _n in ["movedim", "moveaxis"]:
    _pos15(_n, _S15, 0, -1)
    _pos15(_n, [(f(3, 0, 2),), (f(2, 3, 4, layout="t"),)], (0, 1), (2, 0))
for _n in ["swapaxes", "swapdims"]:
    _pos15(_n, _S15, 0, -1)
for _a in [((2, -1, -1),), ((1, 0, 5),), ((4, 3),), ((),)]:
    _pos15("broadcast_to", _S15, *_a)
case("mg.broadcast_tensors", mg.broadcast_tensors, torch.broadcast_tensors,
     [(f(4, 3, layout="t"), f(3)), (f(), f(0, 5)), (f(3, 0, 2), f(0, 1)), (f(0),),
      (f(2, 5, layout="n"), f(), f(3, 1, 1)), (f(3), f(4))])
for _n in ["atleast_1d", "atleast_2d", "atleast_3d"]:
    _pos15(_n, _S15, method=False)
    case(f"mg.{_n}", _cat(getattr(mg, _n)), _cat(getattr(torch, _n)),
         [(f(), f(0, 5)), (f(4, 3, layout="t"), f(3))])
for _a in [(0, (1, -1)), (-1, [-1, 1]), (1, (2, 0))]:
    _pos15("unflatten", _S15, *_a)
for _n in ["hstack", "vstack", "dstack", "column_stack"]:
    case(f"mg.{_n}", _cat(getattr(mg, _n)), _cat(getattr(torch, _n)),
         [(f(), f()), (f(0), f(0)), (f(0, 5), f(0, 5)), (f(3), f(3)), (f(3, 0, 2), f(3, 0, 2)),
          (f(4, 3, layout="t"), f(4, 3, layout="s")), (f(3, 2), f(3)), (f(2, 3), f(2, 3, 1))])
module_case("Unflatten", lambda nn: nn.Unflatten(1, (1, -1)),
            [(f(0, 2, 3),), (f(2, 0),), (f(4, 3, layout="t"),)])
module_case("Unflatten", lambda nn: nn.Unflatten(-1, (2, 2)), [(f(3, 4),), (f(0, 4),), (f(),)])
