"""Sweep rows: the special functions (torch.special and its top-level names): 0-d, empty and
non-contiguous inputs, integer and bool inputs, in place through views.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

# (integer and bool inputs give the default float dtype, which differs between the two here:
# tests/test_special.py compares them with both defaults set alike)
for _n in ["lgamma", "digamma", "i0", "sinc"]:
    both(_n, [(floats(), {})])
    inplace(f"{_n}_", floats())
    inplace_base(f"{_n}_", f(4, 4))
both("logit", [([(p(*s),) for s in EMPTY] + [(p(4, 3, layout="t"),), (p(3, 4, layout="s"),)],
                {}), (floats(), {"eps": 0.2})])
inplace("logit_", [(p(*s),) for s in EMPTY] + [(p(4, 3, layout="t"),)], 0.1)
case("mg.polygamma", lambda x: mg.polygamma(2, x), lambda x: torch.polygamma(2, x), floats())
case("Tensor.polygamma", lambda x: x.polygamma(1), lambda x: x.polygamma(1), floats())
inplace("polygamma_", floats(), 3)
case("mg.mvlgamma", lambda x: mg.mvlgamma(x.abs() + 2, 3),
     lambda x: torch.mvlgamma(x.abs() + 2, 3), floats())
case("Tensor.mvlgamma", lambda x: (x.abs() + 1).mvlgamma(2),
     lambda x: (x.abs() + 1).mvlgamma(2), floats())
inplace("mvlgamma_", [(p(*s),) for s in EMPTY], 1)
for _n in ["igamma", "igammac"]:
    # torch: no derivative for the first argument, so only `other` takes part in the gradient
    _rows = [(p(*s, layout=lay), p(*t)) for (s, lay), t in
             [(((), "c"), ()), (((0,), "c"), (0,)), (((3, 0, 2), "c"), (0, 2)),
              (((4, 3), "t"), (3, 4)), (((3, 4), "s"), (4,)), (((2, 3), "c"), (4,))]]
    case(f"mg.{_n}", lambda a, x, n=_n: getattr(mg, n)(a.detach(), x),
         lambda a, x, n=_n: getattr(torch, n)(a.detach(), x), _rows)
    case(f"Tensor.{_n}", lambda a, x, n=_n: getattr(a.detach(), n)(x),
         lambda a, x, n=_n: getattr(a.detach(), n)(x), _rows)
    inplace(f"{_n}_", _rows[:4])
for _n in ["i0e", "i1", "i1e", "erfcx", "log_ndtr", "entr", "ndtr", "bessel_j0", "bessel_y1",
           "airy_ai", "modified_bessel_k1", "spherical_bessel_j0", "digamma", "gammaln"]:
    case(f"special.{_n}", lambda x, n=_n: getattr(mg.special, n)(x),
         lambda x, n=_n: getattr(torch.special, n)(x), floats())
_PAIRS = [(p(), i()), (p(0,), i(0,)), (p(3, 0, 2), i(0, 2)), (p(4, 3, layout="t"), i(3, 4)),
          (p(3, 4, layout="s"), i(4, high=6))]
# zeta: torch differentiates in q only (the Hurwitz shift), so s is the integer argument
case("special.zeta", lambda q, s: mg.special.zeta(s.detach() + 2, q),
     lambda q, s: torch.special.zeta(s.detach() + 2, q), _PAIRS)
for _n in ["xlog1py", "chebyshev_polynomial_u", "hermite_polynomial_h",
           "legendre_polynomial_p", "shifted_chebyshev_polynomial_w"]:
    case(f"special.{_n}", lambda a, b, n=_n: getattr(mg.special, n)(a, b.detach()),
         lambda a, b, n=_n: getattr(torch.special, n)(a, b.detach()), _PAIRS)
