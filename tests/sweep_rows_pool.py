"""Sweep rows: issue 15's pooling (1-3 D max/avg, adaptive max/avg, unpool, LP), functions
and modules: empty batch, empty plane (both raise), unbatched, non-contiguous inputs.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *

# ---- issue 15: pool ----
POOL1 = [(f(0, 3, 6),), (f(2, 3, 6, layout="n"),), (f(2, 4, 6, layout="t"),),
         (f(2, 3, 6, layout="s"),), (f(3, 6),), (f(2, 0, 6),), (f(2, 3, 0),), (f(2, 3, 1),),
         (f(6),), (f(),)]
POOL2 = [(f(0, 3, 4, 4),), (f(2, 3, 4, 6, layout="t"),), (f(2, 2, 4, 8, layout="s"),),
         (f(3, 4, 4),), (f(2, 0, 4, 4),), (f(2, 3, 0, 4),), (f(2, 3, 1, 1),), (f(4, 4),)]
POOL3 = [(f(0, 2, 4, 4, 4),), (f(2, 2, 4, 4, 6, layout="t"),), (f(1, 2, 4, 4, 8, layout="n"),),
         (f(2, 4, 4, 4),), (f(2, 0, 4, 4, 4),), (f(2, 2, 4, 0, 4),), (f(1, 2, 1, 1, 1),),
         (f(4, 4, 4),)]
_ROWS = {"1d": POOL1, "2d": POOL2, "3d": POOL3}


def _fn(name, rows, *a, **kw):
    tag = ",".join(map(repr, a)) + ("," if a and kw else "") + \
        ",".join(f"{k}={v}" for k, v in kw.items())
    case(f"F.{name}", lambda *xs: getattr(F, name)(*xs, *a, **kw),
         lambda *xs: getattr(tF, name)(*xs, *a, **kw), rows, tag=tag)


for _d, _rows in _ROWS.items():
    _fn(f"max_pool{_d}", _rows, 2)
    _fn(f"max_pool{_d}", _rows, 3, 2, 1, ceil_mode=True, return_indices=True)
    _fn(f"max_pool{_d}_with_indices", _rows, 2, 1, dilation=2)
    _fn(f"avg_pool{_d}", _rows, 2)
    _fn(f"avg_pool{_d}", _rows, 3, 2, 1, ceil_mode=True, count_include_pad=False)
    _fn(f"lp_pool{_d}", _rows, 2.0, 2)
    _fn(f"adaptive_max_pool{_d}", _rows, 3, return_indices=True)
    _fn(f"adaptive_max_pool{_d}_with_indices", _rows, 1)
    # torch's adaptive average backward refuses an empty channel dim: values only there
    _fn(f"adaptive_avg_pool{_d}", [r for r in _rows if r[0].shape[-_d.count("d") - 1:]
                                   and 0 not in r[0].shape[1:2]], 3)
    case(f"F.adaptive_avg_pool{_d}", lambda x, d=_d: getattr(F, f"adaptive_avg_pool{d}")(x, 3),
         lambda x, d=_d: getattr(tF, f"adaptive_avg_pool{d}")(x, 3),
         [r for r in _rows if 0 in r[0].shape[1:2]], grad=False)
_fn("avg_pool2d", POOL2, 2, divisor_override=3)
_fn("avg_pool3d", POOL3[:4], 2, 1, divisor_override=5)
_fn("lp_pool1d", POOL1[:5], 3.0, 3, 2, ceil_mode=True)
_fn("lp_pool2d", POOL2[:4], float("inf"), 2)


def _unpool(d, shape, layout="c"):
    """max_unpool{d} of max_pool{d}(x, 2)'s values and indices (values only: the indices
    have no gradient and torch's unpool backward needs the same ones)."""
    def run(L, x):
        Fn = F if L == "mg" else tF
        v, i = getattr(Fn, f"max_pool{d}")(x, 2, return_indices=True)
        return getattr(Fn, f"max_unpool{d}")(v * 2, i, 2, output_size=x.shape[-len(d) + 1:])
    case(f"F.max_unpool{d}", lambda x: run("mg", x), lambda x: run("t", x),
         [(f(*shape, layout=layout),)])


for _d, _shapes in [("1d", [(0, 3, 6), (2, 3, 7), (3, 6)]),
                    ("2d", [(0, 2, 4, 4), (2, 3, 5, 4), (3, 4, 4)]),
                    ("3d", [(0, 2, 4, 4, 4), (1, 2, 4, 5, 4), (2, 4, 4, 4)])]:
    for _s in _shapes:
        _unpool(_d, _s)
    _unpool(_d, _shapes[1], "t")


def _unpool_module(d, shape):
    def run(nn_, x):
        pool = getattr(nn_, f"MaxPool{d}")(2, return_indices=True)
        return getattr(nn_, f"MaxUnpool{d}")(2)(*pool(x), output_size=x.shape)
    case(f"nn.MaxUnpool{d}", lambda x: run(mg.nn, x), lambda x: run(torch.nn, x),
         [(f(*shape),)])


_unpool_module("1d", (2, 3, 6))
_unpool_module("2d", (2, 3, 5, 4))
_unpool_module("3d", (1, 2, 4, 4, 5))

for _d, _rows in _ROWS.items():
    module_case(f"MaxPool{_d}", lambda nn, d=_d: getattr(nn, f"MaxPool{d}")(2, 1, 1),
                _rows)
    module_case(f"AvgPool{_d}", lambda nn, d=_d: getattr(nn, f"AvgPool{d}")(3, 2, 1, True),
                _rows)
    module_case(f"AdaptiveMaxPool{_d}", lambda nn, d=_d: getattr(nn, f"AdaptiveMaxPool{d}")(2),
                _rows)
    module_case(f"LPPool{_d}", lambda nn, d=_d: getattr(nn, f"LPPool{d}")(2, 2), _rows)
    module_case(f"AdaptiveAvgPool{_d}", lambda nn, d=_d: getattr(nn, f"AdaptiveAvgPool{d}")(2),
                [r for r in _rows if 0 not in r[0].shape[1:2]])
