"""The Dirichlet draw as a differentiable op with torch's implicit reparameterisation
gradient (torch.distributions.Dirichlet's _Dirichlet / torch._dirichlet_grad). Each x_i is
treated as a Beta(alpha_i, total - alpha_i) draw; dirichlet_grad gives
-(dF/dalpha)(x; alpha, beta) / p(x; alpha, beta) / (1 - x) with torch's approximations
(dirichlet_grad_one in ATen): Taylor series near x = 0 and x = 1, Rice's saddle point when
alpha and beta are both > 6, else a rational correction of x (psi(total) - psi(alpha)) / beta.
Written here vectorised over NumPy/CuPy arrays."""
from __future__ import annotations

import numpy as np

from ..autograd import Op
from ..backend import array_module
from .gamma_grad import _digamma, check_sampled_dtype, log_standard_gamma

# rational correction p / q: _C[k][i][j] are the coefficients of b^0..b^3 for the term
# u^i a^j of p (k = 0) and q (k = 1); u = log x, a = log(alpha) - u, b = log(total) - a
_C = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


def _nan_to_zero(xp, r):
    return xp.where(xp.isnan(r), 0.0, r)


def _alpha_small(xp, x, a, b):
    # x near 0: a Taylor series of the Beta CDF in x, differentiated in alpha
    factor = _digamma(xp, a) - _digamma(xp, a + b) - xp.log(x)
    numer = xp.ones_like(x)
    series = numer / a * (factor + 1 / a)
    for i in range(1, 11):
        numer = numer * (i - b) * x / i
        den = a + i
        series = series + numer / den * (factor + 1 / den)
    return _nan_to_zero(xp, x * (1 - x) ** -b * series)


def _beta_small(xp, x, a, b):
    # the same near x = 0, differentiated in beta (used at 1 - x with the roles swapped)
    factor = _digamma(xp, a + b) - _digamma(xp, b)
    numer, betas, dbetas = xp.ones_like(x), xp.ones_like(x), xp.zeros_like(x)
    series = factor / a
    for i in range(1, 9):
        numer = numer * -x / i
        dbetas = dbetas * (b - i) + betas
        betas = betas * (b - i)
        series = series + numer / (a + i) * (dbetas + factor * betas)
    return _nan_to_zero(xp, -(1 - x) ** (1 - b) * series)


def _alpha_mid(xp, x, a, b):
    # alpha, beta large: Rice's saddle point, a polynomial within 0.1 std of the mean
    t = a + b
    mean = a / t
    std = xp.sqrt(a * b / (t + 1)) / t
    poly = 47 * x * b ** 4 + a * (
        (43 + 20 * (16 + 27 * b) * x) * b ** 3 + a * (
            3 * (59 + 180 * b - 90 * x) * b * b + a * (
                (453 + 1620 * b * (1 - x) - 455 * x) * b + a * (8 * (1 - x) * (135 * b - 11)))))
    pre_num = (1 + 12 * a) * (1 + 12 * b) / (t * t)
    pre_den = 12960 * a ** 3 * b * b * (1 + 12 * t)
    near = pre_num / (1 - x) * poly / pre_den
    prefactor = -x / xp.sqrt(2 * a * b / t)
    stirling = ((1 + 1 / (12 * a) + 1 / (288 * a * a)) * (1 + 1 / (12 * b) + 1 / (288 * b * b))
                / (1 + 1 / (12 * t) + 1 / (288 * t * t)))
    axbx = a * (x - 1) + b * x
    term1 = ((2 * a * a * (x - 1) + a * b * (x - 1) - x * b * b)
             / (xp.sqrt(2 * a / b) * t ** 1.5 * axbx * axbx))
    term2 = 0.5 * xp.log(a / (t * x))
    term3 = xp.sqrt(8 * a * b / t) / (b * x + a * (x - 1))
    term4 = (b * xp.log(b / (t * (1 - x))) + a * xp.log(a / (t * x))) ** -1.5
    far = stirling * prefactor * (term1 + term2 * (term3 + xp.where(x < mean, term4, -term4)))
    return xp.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near, far)


def dirichlet_grad(x, alpha, total):
    """torch._dirichlet_grad(x, alpha, total) elementwise (float64 arrays)."""
    xp = array_module(x)
    x, a, t = xp.broadcast_arrays(*[xp.asarray(v, "float64") for v in (x, alpha, total)])
    b = t - a
    boundary = t * x * (1 - x)
    with np.errstate(all="ignore"):
        u = xp.log(x)
        la = xp.log(a) - u
        lb = xp.log(t) - la
        c = xp.asarray(_C)
        p, q = xp.zeros_like(x), xp.zeros_like(x)
        for i in range(3):
            for j in range(3):
                ua = u ** i * la ** j
                p = p + ua * (c[0, i, j, 0] + lb * (c[0, i, j, 1] + lb * (
                    c[0, i, j, 2] + lb * c[0, i, j, 3])))
                q = q + ua * (c[1, i, j, 0] + lb * (c[1, i, j, 1] + lb * (
                    c[1, i, j, 2] + lb * c[1, i, j, 3])))
        rational = p / q * (x * (_digamma(xp, t) - _digamma(xp, a)) / b)
        out = xp.where((a > 6) & (b > 6), _alpha_mid(xp, x, a, b), rational)
        out = xp.where((x >= 0.5) & (boundary < 0.75), -_beta_small(xp, 1 - x, b, a), out)
        out = xp.where((x <= 0.5) & (boundary < 2.5), _alpha_small(xp, x, a, b), out)
    return out


class DirichletSample(Op):
    """apply(concentration): x ~ Dirichlet(concentration) over the last dim, in its dtype;
    the gradient as torch's _Dirichlet."""

    @staticmethod
    def forward(ctx, conc):
        check_sampled_dtype(conc.dtype, "dirichlet")
        xp = array_module(conc)
        log_g = log_standard_gamma(conc)            # x = G / sum(G): a softmax of log G
        e = xp.exp(log_g - log_g.max(-1, keepdims=True))
        x = (e / e.sum(-1, keepdims=True)).astype(conc.dtype)
        ctx.save_for_backward(x, conc)
        return x

    @staticmethod
    def backward(ctx, g):
        x, conc = ctx.saved_tensors     # d conc = dx/dconc (g - sum(x g)), dx/dconc per Beta
        total = conc.sum(-1, True).expand_as(conc)
        grad = DirichletGrad.apply(x, conc, total)
        return grad * (g - (x * g).sum(-1, True))


class DirichletGrad(Op):
    """apply(x, concentration, total): dirichlet_grad; torch has no derivative of it."""

    @staticmethod
    def forward(ctx, x, conc, total):
        return dirichlet_grad(x, conc, total).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        raise NotImplementedError("the derivative for '_dirichlet_grad' is not implemented.")
