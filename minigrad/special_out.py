"""torch.special's out= (see out_param.py): minigrad/special.py imports these wrapped functions
in place of its own. round's out must have the result's dtype; the others' result casts into
out (checked against torch in tests/test_out_param.py). softmax and log_softmax take no out."""
from __future__ import annotations

from . import special as _special
from .out_param import with_out

_CAST = """
airy_ai bessel_j0 bessel_j1 bessel_y0 bessel_y1 chebyshev_polynomial_t chebyshev_polynomial_u
chebyshev_polynomial_v chebyshev_polynomial_w digamma entr erf erfc erfcx erfinv exp2 expit expm1
gammainc gammaincc gammaln hermite_polynomial_h hermite_polynomial_he i0 i0e i1 i1e
laguerre_polynomial_l legendre_polynomial_p log1p log_ndtr logit logsumexp modified_bessel_i0
modified_bessel_i1 modified_bessel_k0 modified_bessel_k1 multigammaln ndtr ndtri polygamma psi
scaled_modified_bessel_k0 scaled_modified_bessel_k1 shifted_chebyshev_polynomial_t
shifted_chebyshev_polynomial_u shifted_chebyshev_polynomial_v shifted_chebyshev_polynomial_w sinc
spherical_bessel_j0 xlog1py xlogy zeta
"""

RULES = {**{n: "cast" for n in _CAST.split()}, "round": "exact"}

for _name, _rule in RULES.items():
    globals()[_name] = with_out(getattr(_special, _name), f"special.{_name}", _rule)

__all__ = sorted(RULES)
