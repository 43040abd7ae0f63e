"""The standard Gamma draw as a differentiable op: x ~ Gamma(alpha, 1) with torch's implicit
reparameterisation gradient dx/dalpha = -(dF/dalpha)(x; alpha) / p(x; alpha), F the CDF,
computed with torch's approximation (standard_gamma_grad_one in ATen): a Taylor series of F
for x < 0.8, Rice's saddle-point expansion for alpha > 8, else a bivariate rational fit in
log(x / alpha), log(alpha). Written here vectorised over NumPy/CuPy arrays."""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from ..backend import array_module, rng

# p / q rational fit of the gradient: coefficient rows for 1, u, u^2 (u = log(x / alpha)),
# columns for the powers of v = log(alpha) in p (first four) and q (last four)
_COEF = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343,
     1.0, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758,
     0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
     0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07]])


def _digamma(xp, a):
    if xp is np:
        from scipy.special import digamma
    else:                                   # pragma: no cover (CUDA)
        from cupyx.scipy.special import digamma
    return digamma(a)


def standard_gamma_grad(alpha, x):
    """dx/dalpha at the draw x of Gamma(alpha, 1), elementwise (float64 arrays)."""
    xp = array_module(alpha)
    a, x = xp.broadcast_arrays(xp.asarray(alpha, "float64"), xp.asarray(x, "float64"))
    with np.errstate(all="ignore"):
        # small x: F = x^a sum_k (-x)^k / (k! (a + k)), differentiated in a
        numer, denom = xp.ones_like(x), a.copy()
        s1, s2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-x / i)
            denom = denom + 1
            s1, s2 = s1 + numer / denom, s2 + numer / (denom * denom)
        pxa = x ** a
        pdf = x ** (a - 1) * xp.exp(-x)
        cdf_a = (xp.log(x) - _digamma(xp, a)) * (pxa * s1) - pxa * s2
        small = -cdf_a / pdf
        small = xp.where(xp.isnan(small), 0.0, small)
        # large alpha near the mode: a polynomial; elsewhere Rice's saddle point
        near = ((1 + 24 * a * (1 + 12 * a))
                * (1440 * a * a + 6 * x * (53 - 120 * x) - 65 * x * x / a
                   + a * (107 + 3600 * x)) / (1244160 * a ** 4))
        den = xp.sqrt(8 * a)
        term2 = den / (a - x)
        term3 = (x - a - a * xp.log(x / a)) ** -1.5
        term23 = xp.where(x < a, term2 - term3, term2 + term3)
        term1 = xp.log(x / a) * term23 - xp.sqrt(2 / a) * (a + x) / ((a - x) * (a - x))
        stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
        rice = -stirling * x * term1 / den
        large = xp.where((0.9 * a <= x) & (x <= 1.1 * a), near, rice)
        # otherwise: exp(p(u, v) / q(u, v))
        u, v = xp.log(x / a), xp.log(a)
        c = xp.asarray(_COEF)
        cv = [c[0, i] + u * (c[1, i] + u * c[2, i]) for i in range(8)]
        p = cv[0] + v * (cv[1] + v * (cv[2] + v * cv[3]))
        q = cv[4] + v * (cv[5] + v * (cv[6] + v * cv[7]))
        mid = xp.exp(p / q)
    return xp.where(x < 0.8, small, xp.where(a > 8.0, large, mid))


def check_sampled_dtype(dtype, kernel):
    """torch draws Gamma/Dirichlet variates in float32/float64 only."""
    if np.dtype(dtype).kind != "f" or np.dtype(dtype).itemsize < 4:
        from ..ops.arith import torch_name
        raise NotImplementedError(f'"{kernel}" not implemented for \'{torch_name(dtype)}\'')


def log_standard_gamma(alpha):
    """log G, G ~ Gamma(alpha, 1), float64, alpha's shape: G = G' U^(1/alpha) with
    G' ~ Gamma(alpha + 1), in log space so that small alphas do not underflow to 0."""
    xp = array_module(alpha)
    a = xp.asarray(alpha, dtype="float64")
    gen = rng(xp)
    return xp.log(gen.standard_gamma(a + 1.0)) + xp.log(gen.random(a.shape)) / a


class StandardGamma(Op):
    """apply(alpha): x ~ Gamma(alpha, 1) in alpha's dtype; dx/dalpha as torch's."""

    @staticmethod
    def forward(ctx, alpha):
        check_sampled_dtype(alpha.dtype, "gamma_cpu")
        xp = array_module(alpha)
        x = xp.exp(log_standard_gamma(alpha)).astype(alpha.dtype)
        ctx.save_for_backward(alpha, x)
        return x

    @staticmethod
    def backward(ctx, g):
        alpha, x = ctx.saved_tensors        # d alpha = g dx/dalpha (implicit reparam.)
        return g * StandardGammaGrad.apply(alpha, x)


class StandardGammaGrad(Op):
    """apply(alpha, x): dx/dalpha; torch has no derivative of it either."""

    @staticmethod
    def forward(ctx, alpha, x):
        return standard_gamma_grad(alpha, x).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("the derivative for '_standard_gamma_grad' is not "
                                  "implemented.")
