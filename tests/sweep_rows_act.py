"""Sweep rows: issue 15's activations (F, mg., Tensor. names, in-place forms and modules).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *

# ---- issue 15: act ----
_INTS = [(i(3, 4, high=5),), (i(0, 3),), (i(),), (b(3, 2),)]
_F = {  # name: (kwargs variants); every name also gets the integer/bool rows
    "elu": [{}, {"alpha": 0.5}], "selu": [{}], "celu": [{}, {"alpha": 2.0}],
    "leaky_relu": [{}, {"negative_slope": 0.2}], "rrelu": [{}, {"lower": 0.2, "upper": 0.3}],
    "relu6": [{}], "hardtanh": [{}, {"min_val": -0.5, "max_val": 2.0}], "hardswish": [{}],
    "hardsigmoid": [{}], "mish": [{}], "softsign": [{}], "tanhshrink": [{}],
    "threshold": [{"threshold": 0.1, "value": -2.0}], "hardshrink": [{}, {"lambd": 1.0}],
    "softshrink": [{}, {"lambd": 0.2}], "softmin": [{"dim": -1}, {"dim": 0}],
    "glu": [{"dim": 0}], "silu": [{}], "logsigmoid": [{}],
    "softplus": [{"beta": 2.0, "threshold": 1.0}],
}
for _n, _variants in _F.items():
    for _kw in _variants:
        _rows = floats() if _n not in ("glu", "softmin") or _kw["dim"] != 0 else \
            [(f(0, 3),), (f(4, 3, layout="t"),), (f(2, 3, 4, layout="s"),), (f(0),)]
        if _n == "glu":
            _rows = [(f(4, 3, layout="t"),), (f(2, 4, layout="s"),), (f(0, 3),), (f(),),
                     (f(3, 2),), (f(2, 6, layout="n"),)]
        # (an int input gives the default float dtype: torch's is float64 in these tests)
        _ints = [(b(3, 2),)] if _n in ("softsign", "tanhshrink", "softmin") else _INTS
        case(f"F.{_n}", lambda x, n=_n, kw=_kw: getattr(F, n)(x, **kw),
             lambda x, n=_n, kw=_kw: getattr(tF, n)(x, **kw), _rows + _ints,
             tag=",".join(f"{k}={v}" for k, v in _kw.items()))
case("F.softmin", lambda x: F.softmin(x, 1, dtype=mg.float64),
     lambda x: tF.softmin(x, 1, dtype=torch.float64), [(f(3, 4),), (i(2, 3),), (f(0, 2),)],
     tag="dtype")
case("F.glu", F.glu, tF.glu, [(f(3, 4),), (f(3, 3),), (i(2, 2),)], tag="default")
case("F.prelu", F.prelu, tF.prelu,
     [(f(3, 4), f(4)), (f(3, 4), f(1)), (f(), f(1)), (f(0, 3), f(3)), (f(2, 3, 0), f(3)),
      (f(4, 3, layout="t"), f(4)), (f(2, 3, 4, layout="s"), f(3)), (f(3), f(3)),
      (f(3, 4), f(2)), (f(3, 4), f()), (f(3, 4), f(1, 4))])
case("mg.prelu", mg.prelu, torch.prelu, [(f(3, 4), f(4)), (f(0, 3), f(1)), (f(), f())])
case("Tensor.prelu", lambda x, w: x.prelu(w), lambda x, w: x.prelu(w),
     [(f(3, 4), f(4)), (f(0, 3), f(1)), (f(4, 3, layout="t"), f(4))])
case("F.rrelu", lambda x: F.rrelu(x, training=True), lambda x: tF.rrelu(x, training=True),
     floats(), values=False, tag="training")

# torch's top-level names and the Tensor method
for _n, _a in [("selu", ()), ("celu", (0.5,)), ("threshold", (0.2, 3.0)), ("hardshrink", (0.3,)),
               ("rrelu", (0.1, 0.3))]:
    case(f"mg.{_n}", lambda x, n=_n, a=_a: getattr(mg, n)(x, *a),
         lambda x, n=_n, a=_a: getattr(torch, n)(x, *a), floats() + _INTS)
case("Tensor.hardshrink", lambda x: x.hardshrink(0.4), lambda x: x.hardshrink(0.4),
     floats() + _INTS)


# in-place forms, on a non-leaf copy (gradients compared) and on a detached tensor (identity)
def _inplace_rows(name, ns_mg, ns_t, *a, **kw):
    def on_copy(ns):
        return lambda x: getattr(ns, name)(x * 1, *a, **kw)

    def on_self(ns):
        def call(x):
            y = x.detach()
            out = getattr(ns, name)(y, *a, **kw)
            return out, out is y
        return call
    scope = "mg" if ns_mg is mg else "F"
    case(f"{scope}.{name}", on_copy(ns_mg), on_copy(ns_t), floats())
    case(f"{scope}.{name}", on_self(ns_mg), on_self(ns_t), floats() + _INTS, grad=False,
         tag="self")


for _n, _a in [("elu_", (0.5,)), ("selu_", ()), ("celu_", (1.5,)), ("leaky_relu_", (0.2,)),
               ("rrelu_", (0.1, 0.3)), ("hardtanh_", (-0.5, 0.5)), ("threshold_", (0.1, 2.0)),
               ("relu_", ())]:
    _inplace_rows(_n, F, tF, *_a)
for _n, _a in [("selu_", ()), ("celu_", (1.5,)), ("rrelu_", (0.1, 0.3)),
               ("threshold_", (0.1, 2.0)), ("relu_", ())]:
    _inplace_rows(_n, mg, torch, *_a)
for _n in ["elu", "selu", "celu", "leaky_relu", "relu6", "hardtanh", "hardswish",
           "hardsigmoid", "mish", "silu"]:
    case(f"F.{_n}", lambda x, n=_n: getattr(F, n)(x * 1, inplace=True),
         lambda x, n=_n: getattr(tF, n)(x * 1, inplace=True), floats(), tag="inplace")

# modules
_MODS = {"ELU": (), "SELU": (), "CELU": (0.5,), "LeakyReLU": (0.1,), "ReLU6": (),
         "Hardtanh": (-2.0, 2.0), "Hardswish": (), "Hardsigmoid": (), "Mish": (),
         "Softsign": (), "Tanhshrink": (), "Threshold": (0.1, 5.0), "Hardshrink": (),
         "Softshrink": (), "LogSigmoid": (), "Softplus": (2.0,), "Softmin": (-1,)}
for _n, _a in _MODS.items():
    module_case(_n, lambda nn, n=_n, a=_a: getattr(nn, n)(*a), floats())
module_case("RReLU", lambda nn: nn.RReLU(), floats(), train=False)
module_case("RReLU", lambda nn: nn.RReLU(), floats(), values=False)
module_case("GLU", lambda nn: nn.GLU(), [(f(4, 2, layout="t"),), (f(0, 4),), (f(3, 3),)])
module_case("PReLU", lambda nn: nn.PReLU(), floats())
module_case("PReLU", lambda nn: nn.PReLU(3), [(f(2, 3),), (f(0, 3, 2),), (f(3, 3, layout="t"),),
                                              (f(2, 4),)])
module_case("Softmax2d", lambda nn: nn.Softmax2d(),
            [(f(3, 2, 2),), (f(2, 3, 0, 2),), (f(2, 3, 4, 4, layout="t"),), (f(3, 4),)])
