"""Sweep rows: elementwise binary special math and aliases, torch's top-level in-place forms,
array utilities (ops/binary_special.py, elementwise_aliases.py, array_utils.py,
array_build.py, integrate.py).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

from sweep_table import *

_F2 = [(f(3, 4), f(4)), (f(), f()), (f(0, 3), f(3)), (f(2, 3), f()),
       (f(4, 3, layout="t"), f(4, 3, layout="s")), (f(2, 5, layout="n"), f(2, 5)),
       (f(3), f(4)), (i(3, 4, high=5), f(4)), (f(3, 4), i(3, 4, high=5))]
_INT2 = [(i(3, 4, high=9), i(4, high=9)), (i(), i(high=9)), (i(0, 3), i(3)),
         (i(4, 3, layout="t", high=9), i(4, 3, high=9)), (b(3), b(3)), (f(3), f(3))]

# ---- elementwise binary special math ----
for _n in ["copysign", "fmax", "fmin", "nextafter", "ldexp", "float_power"]:
    both(_n, [(_F2, {})])
both("heaviside", [([(f(3, 4), f(4)), (f(), f()), (f(0, 3), f(3)), (i(3, 4), i(4)),
                     (b(3), b(3)), (f(3), i(3)), (f(4, 3, layout="t"), f(3))], {})],
     grad=False)
for _n in ["gcd", "lcm"]:
    both(_n, [(_INT2, {})])
for _s in [-1.5, 2, True]:
    case("mg.copysign", lambda x, s=_s: mg.copysign(x, s), lambda x, s=_s: torch.copysign(x, s),
         floats(), tag=f"other={_s}")
    case("mg.float_power", lambda x, s=_s: mg.float_power(x.abs(), s),
         lambda x, s=_s: torch.float_power(x.abs(), s), floats(), tag=f"exponent={_s}")
    case("mg.float_power", lambda x, s=_s: mg.float_power(abs(s) + 0.5, x),
         lambda x, s=_s: torch.float_power(abs(s) + 0.5, x), floats(), tag=f"base={_s}")
both("frexp", [(floats() + [(i(3),), (b(2),)], {})])
both("signbit", [(floats() + [(i(3, 4, high=5),), (b(3),)], {})])
# (integer inputs of the float ops give the default float dtype, which differs between the
# two here: tests/test_binary_special.py compares those at equal defaults)
for _n in ["positive", "fix"]:
    both(_n, [(floats() + [(i(3, 4, high=5),), (b(3),)], {})])
for _n in ["deg2rad", "rad2deg", "arccos", "arcsin", "arctan", "arcsinh"]:
    both(_n, [(floats(), {})])
both("arctanh", [([(p(*s),) for s in EMPTY] + [(p(4, 3, layout="t"),)], {})])
both("arccosh", [([(p(*s),) for s in EMPTY], {})])
for _n in ["greater", "greater_equal", "less", "less_equal", "not_equal"]:
    both(_n, [(_F2 + [(b(3), b(3)), (i(2, 3), b(3))], {})])
    case(f"Tensor.{_n}", lambda x, n=_n: getattr(x, n)(0.5),
         lambda x, n=_n: getattr(x, n)(0.5), floats(), tag="scalar")

# in-place methods (the result is the receiver itself)
_SELF = floats() + [(i(3, 4, high=5),)]
for _n in ["deg2rad_", "rad2deg_", "fix_", "negative_", "arccos_", "arcsin_", "arctan_",
           "arcsinh_", "arctanh_", "arccosh_"]:
    inplace(_n, _SELF)
for _n in ["copysign_", "heaviside_", "nextafter_", "ldexp_", "float_power_"]:
    inplace(_n, [(f(3, 4), f(4)), (f(), f()), (f(0, 3), f(3)), (f(4, 3, layout="t"), f(3)),
                 (i(3, 4, high=5), i(4)), (f(3), f(2, 3))])
for _n in ["gcd_", "lcm_"]:
    inplace(_n, _INT2)
inplace("renorm_", [(f(3, 4),), (f(4, 3, layout="t"),), (f(0, 3),), (f(3),)], 2, 0, 1.0)
for _n in ["deg2rad_", "copysign_"]:
    inplace_base(_n, f(4, 4), *([] if _n == "deg2rad_" else [-1.0]))

# torch's top-level in-place forms: mg.<name>_(x) is x.<name>_()
_TOP = ["abs_", "acos_", "acosh_", "asin_", "asinh_", "atan_", "atanh_", "arccos_", "arccosh_",
        "arcsin_", "arcsinh_", "arctan_", "arctanh_", "ceil_", "cos_", "cosh_", "deg2rad_",
        "erf_", "erfc_", "exp_", "exp2_", "expm1_", "fix_", "floor_", "frac_", "log_", "log10_",
        "log1p_", "log2_", "neg_", "negative_", "reciprocal_", "rsqrt_", "sigmoid_", "sin_",
        "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "zero_"]


def _top(name, *a, **kw):
    def call(lib):
        def run(x, *ys):
            y = x.detach()
            out = getattr(lib, name)(y, *[v.detach() for v in ys], *a, **kw)
            return out, out is y
        return run
    return call


for _n in _TOP:
    case(f"mg.{_n}", _top(_n)(mg), _top(_n)(torch), _SELF + [(b(3),)], grad=False)
for _n, _a, _kw, _rows in [
        ("fill_", (2.5,), {}, _SELF), ("xlogy_", (3.0,), {}, floats()),
        ("clamp_", (-0.5, 0.5), {}, _SELF), ("clip_", (), {"min": 0.0}, floats()),
        ("clamp_min_", (0.1,), {}, floats()), ("clamp_max_", (0.1,), {}, floats()),
        ("round_", (), {"decimals": 1}, floats()), ("nan_to_num_", (), {"nan": 1.0}, floats()),
        ("gcd_", (), {}, _INT2), ("lcm_", (), {}, _INT2), ("ldexp_", (), {}, _F2[:4]),
        ("addmv_", (), {"beta": 0.5}, [(f(2), f(2, 3), f(3)), (f(0), f(0, 3), f(3))])]:
    case(f"mg.{_n}", _top(_n, *_a, **_kw)(mg), _top(_n, *_a, **_kw)(torch), _rows, grad=False,
         tag=",".join(map(str, _a)))

# ---- array utilities ----
_ANY = [(f(3, 4),), (f(),), (f(0, 3),), (f(4, 3, layout="t"),), (i(3, 4),), (b(2, 3),),
        (b(),)]
both("argwhere", [(_ANY, {})])
_I1 = [(i(6, high=5),), (i(0),), (i(6, layout="n", high=5),), (i(2, 3),), (f(3),), (b(3),)]
both("bincount", [(_I1, {}), (_I1[:3], {"minlength": 7})])
case("mg.bincount", lambda x, w: mg.bincount(x, w), lambda x, w: torch.bincount(x, w),
     [(i(5, high=4), f(5)), (i(0), f(0)), (i(5, high=4), i(5)), (i(5, high=4), f(4))],
     tag="weights", grad=False)  # (torch marks the weighted counts requires_grad; no backward)
both("histc", [(floats() + [(i(3),)], {}), (floats(), {"bins": 7, "min": -1, "max": 1})])
both("unique_consecutive", [(_ANY, {"return_inverse": True, "return_counts": True}),
                            (_ANY, {"dim": 0, "return_counts": True}),
                            (_ANY[:1] + _ANY[3:5], {"dim": -1, "return_inverse": True})],
     grad=False)        # (torch marks the values requires_grad; its backward raises)
case("mg.isin", lambda a, b: mg.isin(a, b), lambda a, b: torch.isin(a, b),
     [(i(3, 4, high=6), i(5, high=6)), (f(3), f(3)), (i(), i(3)), (i(0, 2), i(3)),
      (i(3, 4, layout="t"), i(2, 2)), (i(3), f(3)), (b(3), b(3))])
case("mg.isin", lambda a: mg.isin(a, 2, invert=True), lambda a: torch.isin(a, 2, invert=True),
     [(i(3, 4, high=4),), (i(),), (f(2),)], tag="scalar")
case("mg.unravel_index", lambda a: mg.unravel_index(a, (2, 3)),
     lambda a: torch.unravel_index(a, (2, 3)),
     [(i(4, high=6),), (i(high=6),), (i(0, 2),), (i(3, 2, layout="t", high=6),), (f(3),),
      (b(3),)])
both("diagflat", [(floats(), {}), (floats()[:3], {"offset": -2})])
both("renorm", [([(f(3, 4),), (f(4, 3, layout="t"),), (f(0, 3),), (f(2, 0),), (f(3),),
                  (i(3, 4),), (f(2, 3, 4, layout="s"),)], {"p": 2, "dim": 0, "maxnorm": 0.5})])
case("mg.combinations", lambda x: mg.combinations(x), lambda x: torch.combinations(x),
     [(f(4),), (f(0),), (f(1),), (f(5, layout="n"),), (i(4),), (f(2, 2),), (f(),)])
case("mg.combinations", lambda x: mg.combinations(x, 3, True),
     lambda x: torch.combinations(x, 3, True), [(f(3),), (f(0),)], tag="r=3,repl")
case("mg.vander", lambda x: mg.vander(x, 4), lambda x: torch.vander(x, 4),
     [(f(3),), (f(0),), (f(4, layout="n"),), (i(3),), (b(3),), (f(2, 2),), (f(),)],
     grad=False)         # (torch 2.13's vander backward raises; tests/test_array_utils.py)
for _n in ["diff", "trapezoid", "cumulative_trapezoid"]:
    case(f"mg.{_n}", lambda x, n=_n: getattr(mg, n)(x), lambda x, n=_n: getattr(torch, n)(x),
         [(f(3, 4),), (f(),), (f(0, 3),), (f(3, 0),), (f(4, 3, layout="t"),),
          (f(3, 4, layout="s"),), (b(2, 3),)] + ([(i(3, 4),)] if _n == "diff" else []))
case("Tensor.diff", lambda x, p: x.diff(2, 0, prepend=p), lambda x, p: x.diff(2, 0, prepend=p),
     [(f(3, 4), f(1, 4)), (f(0, 3), f(2, 3)), (f(3, 4, layout="t"), f(2, 4)),
      (f(3, 4), i(1, 4)), (f(3, 4), f(4))])
for _n in ["trapezoid", "trapz", "cumulative_trapezoid"]:
    case(f"mg.{_n}", lambda y, x, n=_n: getattr(mg, n)(y, x),
         lambda y, x, n=_n: getattr(torch, n)(y, x),
         [(f(3, 4), f(4)), (f(3, 4), f(3, 4)), (f(0, 3), f(3)), (f(2, 4), f(3)),
          (f(3, 4, layout="t"), f(4, layout="n"))], tag="x")
    case(f"mg.{_n}", lambda y, n=_n: getattr(mg, n)(y, dx=0.5, dim=0),
         lambda y, n=_n: getattr(torch, n)(y, dx=0.5, dim=0), [(f(3, 4),), (f(0, 2),)],
         tag="dx")
for _n in ["is_floating_point", "is_complex", "is_signed"]:
    both(_n, [(_ANY, {})])
both("is_nonzero", [([(f(),), (f(1),), (f(1, 1),), (f(2),), (f(0),), (i(1),), (b(),)], {})])
both("is_same_size", [([(f(3, 4), f(3, 4)), (f(3, 4), f(4)), (f(), i()), (f(0), b(0))], {})])


for _n in ["tril_indices", "triu_indices"]:
    case(f"mg.{_n}", lambda n=_n: (getattr(mg, n)(3, 4), getattr(mg, n)(4, 3, -1),
                                   getattr(mg, n)(0, 3), getattr(mg, n)(3, 3, 1,
                                                                        dtype=mg.int32)),
         lambda n=_n: (getattr(torch, n)(3, 4), getattr(torch, n)(4, 3, -1),
                       getattr(torch, n)(0, 3), getattr(torch, n)(3, 3, 1, dtype=torch.int32)),
         [()])
case("mg.scalar_tensor", lambda: (mg.scalar_tensor(2, dtype=mg.float64),
                                  mg.scalar_tensor(1.5, dtype=mg.int32)),
     lambda: (torch.scalar_tensor(2), torch.scalar_tensor(1.5, dtype=torch.int32)), [()])
case("mg.broadcast_shapes", lambda: mg.broadcast_shapes((2, 1), (3,), 1, [0, 1, 1]),
     lambda: torch.broadcast_shapes((2, 1), (3,), 1, [0, 1, 1]), [()])


def _range(lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (lib.range(0, 3, dtype=lib.float64), lib.range(1, 2, 0.25, dtype=lib.float32),
                lib.range(3, 0, -1, dtype=lib.int64), lib.range(0, 0, dtype=lib.float64))


case("mg.range", lambda: _range(mg), lambda: _range(torch), [()])

# ---- statistics ----
_STAT = [(f(3, 5),), (f(5),), (f(),), (f(0, 3),), (f(3, 0),), (f(5, 3, layout="t"),),
         (f(2, 6, layout="s"),), (f(2, 2, 2),), (b(2, 3),)]
both("cov", [(_STAT, {}), (_STAT[:2], {"correction": 0})])
both("corrcoef", [(_STAT[:3] + _STAT[5:], {})])
case("mg.cov", lambda x, w: mg.cov(x, aweights=w), lambda x, w: torch.cov(x, aweights=w),
     [(f(3, 4), p(4)), (f(4), p(4)), (f(3, 4), p(3))], tag="aweights")
_Q = [(f(3, 5),), (f(5),), (f(),), (f(5, 3, layout="t"),), (f(2, 3, 4, layout="s"),),
      (f(0, 3),), (i(3, 2),)]
for _n in ["quantile", "nanquantile"]:
    both(_n, [(_Q, {"q": 0.3}), (_Q[:5], {"q": 0.5, "dim": -1, "keepdim": True}),
              (_Q[:2], {"q": 0.7, "dim": 0, "interpolation": "nearest"})])
    case(f"mg.{_n}", lambda x, q, n=_n: getattr(mg, n)(x, q, 0),
         lambda x, q, n=_n: getattr(torch, n)(x, q, 0),
         [(f(3, 5), p(4)), (f(4), p()), (f(3, 2, layout="t"), p(2))], tag="q tensor")
for _n, _lib in [("mg.pdist", "top"), ("F.pdist", "F")]:
    case(_n, (lambda x: mg.pdist(x)) if _lib == "top" else (lambda x: F.pdist(x, 1.5)),
         (lambda x: torch.pdist(x)) if _lib == "top" else (lambda x: tF.pdist(x, 1.5)),
         [(f(4, 3),), (f(1, 3),), (f(4, 0),), (f(3, 4, layout="t"),), (f(3),), (i(3, 2),)])
