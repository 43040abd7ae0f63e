"""Sweep rows: issue 15 sorting, selection and indexing.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *
from sweep_table import _cat, _pos15  # noqa: F401
from sweep_rows_core import *


# ---- issue 15: sorting, selection and indexing ----
both("msort", [(floats((3, 1)), {})])
_uniq = floats() + [(i(*s, high=3),) for s in EMPTY] + [(b(3, 4),), (i(4, 3, layout="t"),)]
both("unique", [(_uniq, {}), (_uniq, {"return_inverse": True, "return_counts": True}),
                ([(i(5, 2, high=2),), (i(0, 3),), (i(3, 0, 2),), (f(),), (i(4, 3, layout="t"),)],
                 {"dim": 0, "return_inverse": True, "return_counts": True})], grad=False)
case("mg.unique", lambda x: mg.grad(mg.unique(x).sum(), [x]),      # no derivative, as torch
     lambda x: torch.autograd.grad(torch.unique(x).sum(), [x]), [(f(3),)], tag="backward")
_ss = [(f(0), f(3)), (f(5), f()), (f(5), f(0, 2)), (f(2, 5), f(2, 3)), (f(3, 0), f(3, 2)),
       (f(4, 3, layout="t"), f(4, 2, layout="s")), (f(2, 5, layout="n"), f(2, 1)),
       (f(2, 5), f(3, 3))]
for _kw in [{}, {"right": True}, {"side": "right", "out_int32": True}]:
    case("mg.searchsorted", lambda s, v, kw=_kw: mg.searchsorted(s.sort().values, v, **kw),
         lambda s, v, kw=_kw: torch.searchsorted(s.sort().values, v, **kw), _ss,
         tag=",".join(_kw))
    case("mg.bucketize", lambda v, s, kw={k: a for k, a in _kw.items() if k != "side"}:
         mg.bucketize(v, s.sort().values, **kw),
         lambda v, s, kw={k: a for k, a in _kw.items() if k != "side"}:
         torch.bucketize(v, s.sort().values, **kw),
         [(v, s) for s, v in _ss if len(s.shape) == 1] + [(f(2), f(2, 2))], tag=",".join(_kw))
_nz = floats() + [(i(*s),) for s in EMPTY] + [(b(*s),) for s in EMPTY] + [(b(3, 4, layout="s"),)]
both("nonzero", [(_nz, {}), (_nz, {"as_tuple": True})])
both("masked_select", [([(f(*s), b(*s)) for s in EMPTY] + [
    (f(0, 5), b(5)), (f(), b(3)), (f(3, 1), b(1, 4)), (f(4, 3, layout="t"), b(4, 3, layout="n")),
    (f(3), b(2)), (f(3), i(3))], {})])
both("take", [([(f(), i(high=1)), (f(0), i(0)), (f(3, 4), i(2, 3, high=12)), (f(), i(0)),
                (f(4, 3, layout="t"), i(5, high=12)), (f(2, 5, layout="n"), i(2, 6, high=10,
                                                                               layout="s")),
                (f(3), i(2, high=9))], {})])
both("take_along_dim", [([(f(), i(high=1)), (f(0), i(0)), (f(3, 4), i(2, 3, high=12)),
                          (f(4, 3, layout="t"), i(5, high=12))], {}),
                        ([(f(3, 4), i(3, 2, high=4)), (f(3, 1), i(1, 5, high=1)),
                          (f(0, 4), i(0, 2, high=4)), (f(4, 3, layout="t"), i(4, 2, high=3)),
                          (f(), i(high=1)), (f(3, 4), i(3, high=4))], {"dim": -1})])
_isel = [(f(3, 4), i(5, high=3)), (f(0, 4), i(0)), (f(), i(1, high=1)), (f(), i(high=1)),
         (f(4, 3, layout="t"), i(2, high=4)), (f(3, 0, 2), i(2, high=3)), (f(3), i(1, 1)),
         (f(3), i(2, high=5))]
both("index_select", [(_isel, {"dim": 0})])
# (index, source) rows for the index_* family along dim 0; repeated indices only for index_add
_iadd = [(f(3, 4), i(5, high=3), f(5, 4)), (f(0, 4), i(0), f(0, 4)), (f(), i(1, high=1), f()),
         (f(4, 3, layout="t"), i(2, high=4), f(2, 3, layout="s")), (f(3, 0, 2), i(2), f(2, 0, 2)),
         (f(3, 4), i(2, high=3), f(3, 4)), (f(3, 4), i(2, high=3), p(2, 4))]
both("index_add", [(_iadd, {"dim": 0}), (_iadd[:4], {"dim": 0, "alpha": -2.5})])
_icopy = [(f(3, 4), i(1, high=3), f(1, 4)), (f(0, 4), i(0), f(0, 4)), (f(), i(1, high=1), f()),
          (f(4, 3, layout="t"), i(1, high=4), f(1, 3, layout="s")), (f(3, 0, 2), i(1), f(1, 0, 2)),
          (f(3, 4), i(2, high=3), f(3, 4))]
both("index_copy", [(_icopy, {"dim": 0})])
both("index_fill", [([(f(3, 4), i(5, high=3)), (f(0, 4), i(0)), (f(), i(1, high=1)),
                      (f(4, 3, layout="t"), i(2, high=4)), (f(3, 0, 2), i(2)),
                      (f(3, 4), i(1, 1))], {"dim": 0, "value": -1.5})])
case("Tensor.index_fill", lambda x, v: x.index_fill(1, mg.tensor([0, 2]), v),
     lambda x, v: x.index_fill(1, torch.tensor([0, 2]), v), [(f(3, 4), f()), (f(2, 3), f(1))])
_iput = [(f(3, 4), i(5, high=3), f(5, 4)), (f(3, 4), i(5, high=3), f()), (f(0, 4), i(0), f(4)),
         (f(4, 3, layout="t"), i(2, high=4), f(3, layout="n")), (f(3, 0, 2), i(2), f(2, 0, 2)),
         (f(3, 4), b(3), f(4)), (f(), b(), f()), (f(3, 4), i(2, high=3), f(3))]
for _acc in [True, False]:
    _rows = _iput if _acc else [r for r in _iput if r[1].kind == "b" or r[1].shape in ((0,),)]
    case("mg.index_put", lambda x, k, v, a=_acc: mg.index_put(x, (k,), v, a),
         lambda x, k, v, a=_acc: torch.index_put(x, (k,), v, a), _rows, tag=f"acc={_acc}")
    case("Tensor.index_put", lambda x, k, v, a=_acc: x.index_put([k], v, accumulate=a),
         lambda x, k, v, a=_acc: x.index_put([k], v, accumulate=a), _rows, tag=f"acc={_acc}")
case("mg.index_put_", lambda x, k, v: mg.index_put_(x.detach(), (k,), v.detach(), True),
     lambda x, k, v: torch.index_put_(x.detach(), (k,), v.detach(), True), _iput, grad=False)
_sred = [(f(), i(high=1), f()), (f(0), i(0), f(0)), (f(0, 5), i(0, 5, high=5), f(0, 5)),
         (f(3, 0, 2), i(3, 0, 2, high=2), f(3, 0, 2)), (f(4, 3), i(4, 5, high=3), f(4, 5)),
         (f(4, 3, layout="t"), i(4, 2, high=3, layout="s"), f(4, 2, layout="n")),
         (f(4, 3), i(4, 0), f(4, 3))]
for _red in ["sum", "prod", "mean", "amax", "amin"]:
    for _inc in [True, False]:
        both("scatter_reduce", [(_sred, {"dim": -1, "reduce": _red, "include_self": _inc})])
_msc = [(f(*s), b(*s), f(*s)) for s in EMPTY] + [
    (f(0, 5), b(5), f(3)), (f(), b(3), f(4)), (f(3, 1), b(1, 4), f(12)), (f(3), b(3), f(1)),
    (f(4, 3, layout="t"), b(4, 3, layout="n"), f(3, 4, layout="s")), (f(3), i(3), f(3))]
both("masked_scatter", [(_msc, {})])
case("Tensor.msort", lambda x: x.msort(), lambda x: x.msort(), [(f(),)])
for _n, _call in [
        ("index_add_", lambda x, k, s: x.index_add_(0, k, s, alpha=2)),
        ("index_copy_", lambda x, k, s: x.index_copy_(0, k, s)),
        ("index_fill_", lambda x, k, s: x.index_fill_(0, k, -1.5)),
        ("index_put_", lambda x, k, s: x.index_put_((k,), s, accumulate=True)),
        ("scatter_reduce_", lambda x, k, s: x.scatter_reduce_(0, k, s, "amax")),
        ("masked_scatter_", lambda x, k, s: x.masked_scatter_(k, s))]:
    _rows = _sred if _n == "scatter_reduce_" else _icopy
    if _n == "masked_scatter_":
        _rows = [(x, k, s) for x, k, s in _msc if k.kind == "b"]
    case(f"Tensor.{_n}", lambda x, k, s, c=_call: c(x.detach(), k, s.detach()),
         lambda x, k, s, c=_call: c(x.detach(), k, s.detach()), _rows, grad=False)
