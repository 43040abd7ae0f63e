"""minigrad.special: torch.special's names (the math is in minigrad/ops/special_*.py and the
ops it shares with the top level: erf, expm1, log1p, softmax, ...)."""
# ruff: noqa: F401  (this module only re-exports)
from .ops.binary_math import xlogy
from .ops.functional import log_softmax as _log_softmax, softmax as _softmax
from .ops.reduce import logsumexp
from .ops.special_bessel import (airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, i0, i0e,
                                 i1, i1e, modified_bessel_i0, modified_bessel_i1,
                                 modified_bessel_k0, modified_bessel_k1,
                                 scaled_modified_bessel_k0, scaled_modified_bessel_k1,
                                 spherical_bessel_j0)
from .ops.special_gamma import (digamma, igamma as gammainc, igammac as gammaincc,
                                lgamma as gammaln, mvlgamma as multigammaln, polygamma)
from .ops.special_gamma import digamma as psi
from .ops.special_misc import (entr, erfcx, expit, log_ndtr, logit, ndtr, ndtri, sinc,
                               special_round as round, xlog1py, zeta)
from .ops.special_poly import (chebyshev_polynomial_t, chebyshev_polynomial_u,
                               chebyshev_polynomial_v, chebyshev_polynomial_w,
                               hermite_polynomial_h, hermite_polynomial_he,
                               laguerre_polynomial_l, legendre_polynomial_p,
                               shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u,
                               shifted_chebyshev_polynomial_v, shifted_chebyshev_polynomial_w)
from .ops.unary_math import erf, erfc, erfinv, exp2, expm1, log1p


def _float_only(kernel, input, dim, dtype):
    """torch's kernels refuse integer and bool tensors (unless dtype casts them first)."""
    kind = getattr(getattr(input, "dtype", None), "kind", "f")
    if dtype is None and kind in "biu" and isinstance(dim, int):
        from .ops.arith import torch_name
        last = input.ndim == 0 or dim in (-1, input.ndim - 1)
        name = f"{kernel}_lastdim_kernel_impl" if last else f"{kernel}_kernel_impl"
        raise NotImplementedError(f'"{name}" not implemented for '
                                  f"'{torch_name(input.dtype)}'")


def softmax(input, dim, dtype=None):
    """softmax along dim (torch.special.softmax; dtype may be passed by position)."""
    _float_only("softmax", input, dim, dtype)
    return _softmax(input, dim, dtype)


def log_softmax(input, dim, *, dtype=None):
    """log(softmax) along dim (torch.special.log_softmax; dtype is keyword-only, unlike
    special.softmax's, as in torch)."""
    _float_only("log_softmax", input, dim, dtype)
    return _log_softmax(input, dim, dtype)

# out=: the functions that take torch's out= argument, in place of the plain ones
from .special_out import *  # noqa: E402, F403
