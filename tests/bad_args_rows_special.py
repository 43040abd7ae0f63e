"""Rows of the bad-argument sweep: the special functions (torch.special and the top-level
lgamma, digamma, polygamma, mvlgamma, i0, logit, sinc, igamma, igammac).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, Arr, X, Y, P, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

POS = Arr(3, 4, kind="p", seed=3)
for _n in ["lgamma", "digamma", "i0", "sinc"]:
    both(_n, X)
    row(f"Tensor.{_n}_", X)
both("logit", P, 0.1)
row("Tensor.logit_", P, 0.1)
row("mg.polygamma", 2, X)
row("Tensor.polygamma", X, 2)
row("Tensor.polygamma_", X, 2)
both("mvlgamma", Arr(3, 4, kind="p", fill=2.5), 2)
row("Tensor.mvlgamma_", Arr(3, 4, kind="p", fill=2.5), 2)
for _n in ["igamma", "igammac"]:
    both(_n, P, POS)
    row(f"Tensor.{_n}_", P, POS)
# torch.special (not part of the public-name coverage check, swept all the same)
for _n in ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "digamma", "entr",
           "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammaln", "i0", "i0e",
           "i1", "i1e", "log1p", "log_ndtr", "modified_bessel_i0", "modified_bessel_i1",
           "modified_bessel_k0", "modified_bessel_k1", "ndtr", "psi", "round",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "sinc",
           "spherical_bessel_j0"]:
    row(f"mg.special.{_n}", X)
row("mg.special.ndtri", P)
row("mg.special.logit", P, 0.2)
row("mg.special.polygamma", 1, X)
row("mg.special.multigammaln", Arr(3, 4, kind="p", fill=3.0), 3)
row("mg.special.gammainc", P, POS, aka=("igamma",))
row("mg.special.gammaincc", P, POS, aka=("igammac",))
for _n in ["xlogy", "xlog1py", "zeta"]:
    row(f"mg.special.{_n}", P, POS)
# (x in float64: an int64 n up to 1000 takes the cos(n acos x) form, whose float32 value
# depends on the libm's last bit, torch's and NumPy's alike)
P64 = Arr(3, 4, kind="p", dtype="float64")
for _n in ["chebyshev_polynomial_t",
           "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
           "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w",
           "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
           "legendre_polynomial_p"]:
    row(f"mg.special.{_n}", P64, POS)
row("mg.special.softmax", X, 1)
row("mg.special.log_softmax", X, 0)
row("mg.special.logsumexp", X, 1, keepdim=True)
