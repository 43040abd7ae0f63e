"""Sweep rows: the lazy modules (torch's module infers and draws its parameters on the
input; minigrad's, still uninitialized, loads that state_dict and runs on the same input),
CrossMapLRN2d, NLLLoss2d and AdaptiveLogSoftmaxWithLoss, over empty, unbatched and
non-contiguous inputs against torch.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

from sweep_table import *

_STATE = {}     # torch's state_dict after its first call, for minigrad's module to load


def lazy_case(name, make, specs, train=True, load=True):
    """Rows for nn.<name>: make(ns) builds the uninitialized module in ns (torch.nn or
    minigrad.nn); gradients are compared for the input. load=False: minigrad infers its own
    (deterministic) parameters instead of loading torch's."""
    def torch_fn(x):
        _STATE.clear()
        tm = make(torch.nn).double().train(train)
        out = tm(x)
        _STATE.update({k: v.detach().numpy().copy() for k, v in tm.state_dict().items()})
        return out

    def mg_fn(x):
        mm = make(mg.nn).to(mg.float64).train(train)
        if _STATE and load:
            mm.load_state_dict(_STATE)
        return mm(x)
    case(f"nn.{name}", mg_fn, torch_fn, specs, tag="lazy" + ("" if train else ",eval"))


lazy_case("LazyLinear", lambda nn: nn.LazyLinear(4),
          [(f(3, 5),), (f(0, 5),), (f(5),), (f(2, 3, 4, layout="t"),), (f(),), (f(3, 0),)])
lazy_case("LazyLinear", lambda nn: nn.LazyLinear(2, bias=False),
          [(f(2, 6, layout="s"),), (f(4),)])
for _nd in (1, 2, 3):
    _sp = (4,) * _nd
    _rows = [(f(2, 3, *_sp),), (f(3, *_sp),), (f(0, 3, *_sp),),
             (f(2, 3, *_sp[:-1], 5, layout="n"),), (f(2, 2, 3, *_sp),), (f(*_sp[:-1]),)]
    lazy_case(f"LazyConv{_nd}d", lambda nn, n=_nd: getattr(nn, f"LazyConv{n}d")(
        4, 3, padding=1), _rows)
    lazy_case(f"LazyConv{_nd}d", lambda nn, n=_nd: getattr(nn, f"LazyConv{n}d")(
        6, 2, groups=3, bias=False), _rows[:2])
    lazy_case(f"LazyConv{_nd}d", lambda nn, n=_nd: getattr(nn, f"LazyConv{n}d")(
        2, 2, groups=3), _rows[:1])             # out_channels % groups: fails when run
    lazy_case(f"LazyConvTranspose{_nd}d", lambda nn, n=_nd: getattr(
        nn, f"LazyConvTranspose{n}d")(4, 3, stride=2), _rows)
for _n, _shapes in (("1d", [(4, 3), (4, 3, 5), (0, 3), (3,)]), ("2d", [(3, 2, 4, 4), (4, 4)]),
                    ("3d", [(2, 3, 2, 3, 2), (2, 3, 2)])):
    _rows = [(f(*s),) for s in _shapes] + [(f(*_shapes[0][:-1], 5, layout="s"),)]
    for _train in (True, False):
        lazy_case(f"LazyBatchNorm{_n}", lambda nn, n=_n: getattr(nn, f"LazyBatchNorm{n}")(),
                  _rows, train=_train)
    _shapes = {"1d": [(2, 3, 6), (0, 3, 6)], "2d": [(2, 3, 4, 4), (3, 4, 4)],
               "3d": [(2, 3, 2, 3, 2), (2, 3, 3)]}[_n]
    # ones/zeros: nothing to load (a loaded affine lazy InstanceNorm keeps num_features 0
    # and then rejects its input, in torch as here: tests/test_lazy_modules.py)
    lazy_case(f"LazyInstanceNorm{_n}", lambda nn, n=_n: getattr(nn, f"LazyInstanceNorm{n}")(),
              [(f(*s),) for s in _shapes], load=False)
    lazy_case(f"LazyInstanceNorm{_n}", lambda nn, n=_n: getattr(nn, f"LazyInstanceNorm{n}")(
        affine=False, track_running_stats=False), [(f(*s),) for s in _shapes])

module_case("CrossMapLRN2d", lambda nn: nn.CrossMapLRN2d(3, alpha=0.5),
            [(f(2, 3, 4, 4),), (f(0, 3, 2, 2),), (f(2, 5, 3, 3, layout="t"),),
             (f(1, 4, 2, 3, layout="s"),), (f(3, 4, 4),), (f(2, 0, 2, 2),)])
module_case("CrossMapLRN2d", lambda nn: nn.CrossMapLRN2d(4, 1e-2, 1.5, 2.0),
            [(f(2, 6, 1, 1),), (f(1, 1, 2, 2),)])


def _nll2d(nn, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return nn.NLLLoss2d(**kw)


module_case("NLLLoss2d", _nll2d, [(f(2, 4, 3, 5), i(2, 3, 5, high=4)),
                                  (f(0, 4, 2, 2), i(0, 2, 2, high=4)),
                                  (f(2, 4, 3, 3, layout="t"), i(2, 3, 3, high=4)),
                                  (f(3, 4), i(3, high=4))])
module_case("NLLLoss2d", lambda nn: _nll2d(nn, reduction="none", ignore_index=1),
            [(f(2, 3, 2, 2), i(2, 2, 2, high=3))])
module_case("AdaptiveLogSoftmaxWithLoss", lambda nn: nn.AdaptiveLogSoftmaxWithLoss(
    8, 10, [2, 6], head_bias=True), [(f(5, 8), i(5, high=10)), (f(8), i(high=10)),
                                     (f(0, 8), i(0, high=10)),
                                     (f(5, 8, layout="t"), i(5, high=10)),
                                     (f(3, 7), i(3, high=10)), (f(2, 8), i(2, 1, high=10))])
module_case("AdaptiveLogSoftmaxWithLoss", lambda nn: nn.AdaptiveLogSoftmaxWithLoss(
    6, 20, [3, 9, 15], div_value=2.0), [(f(12, 6), i(12, high=20)), (f(2, 6), i(2, high=3))])

SKIP_MORE["nn.Container"] = "deprecated holder with no forward (tests/test_buffer_and_legacy.py)"
for _n in ("Buffer", "UninitializedParameter", "UninitializedBuffer"):
    SKIP_MORE[f"nn.{_n}"] = "a Tensor subclass, not an op (tests/test_lazy_modules.py, " \
                            "tests/test_buffer_and_legacy.py)"
