"""MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril): the Gaussian
on vectors, parameterised through the lower Cholesky factor L (cov = L L^T) and sampled as
loc + L eps (matches torch.distributions.MultivariateNormal)."""
from __future__ import annotations

import math

from . import constraints
from .distribution import Distribution
from .utils import _standard_normal, lazy_property

__all__ = ["MultivariateNormal"]


def _batch_mv(bmat, bvec):
    return bmat.matmul(bvec.unsqueeze(-1)).squeeze(-1)


def _batch_mahalanobis(bL, bx):
    """x^T (L L^T)^-1 x = |L^-1 x|^2 over the broadcast batch of L and x."""
    import minigrad as mg
    n = bx.shape[-1]
    batch = mg.broadcast_shapes(tuple(bL.shape[:-2]), tuple(bx.shape[:-1]))
    y = mg.linalg.solve_triangular(bL.expand(batch + (n, n)),
                                   bx.expand(batch + (n,)).unsqueeze(-1), upper=False)
    return y.squeeze(-1).pow(2).sum(-1)


def _precision_to_scale_tril(P):
    # L with L L^T = P^-1, from the Cholesky factor of P with rows and columns reversed
    import minigrad as mg
    Lf = mg.linalg.cholesky(mg.flip(P, (-2, -1)))
    L_inv = mg.transpose(mg.flip(Lf, (-2, -1)), -2, -1)
    Id = mg.eye(P.shape[-1], dtype=P.dtype, device=P.device)
    return mg.linalg.solve_triangular(L_inv, Id, upper=False)


class MultivariateNormal(Distribution):
    """N(loc, Sigma) over the last dim of loc, with exactly one of covariance_matrix,
    precision_matrix, scale_tril; batch dims broadcast. Matches
    torch.distributions.MultivariateNormal."""
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        import minigrad as mg
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [(n, m) for n, m in (("covariance_matrix", covariance_matrix),
                                     ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if m is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        name, mat = given[0]
        if mat.dim() < 2:
            what = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{what} must be at least two-dimensional, with optional "
                             "leading batch dimensions")
        batch_shape = mg.broadcast_shapes(tuple(mat.shape[:-2]), tuple(loc.shape[:-1]))
        setattr(self, name, mat.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = mat
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = mg.linalg.cholesky(mat)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(mat)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = tuple(batch_shape)
        cov_shape = batch_shape + self.event_shape + self.event_shape
        new.loc = self.loc.expand(batch_shape + self.event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(cov_shape))
        super(MultivariateNormal, new).__init__(batch_shape, self.event_shape,
                                                validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _full(self):
        return self._batch_shape + self._event_shape + self._event_shape

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._full())

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return L.matmul(L.mT).expand(self._full())

    @lazy_property
    def precision_matrix(self):
        import minigrad as mg
        return mg.cholesky_inverse(self._unbroadcasted_scale_tril).expand(self._full())

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return (self._unbroadcasted_scale_tril.pow(2).sum(-1)
                .expand(self._batch_shape + self._event_shape))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + _batch_mv(self._unbroadcasted_scale_tril, eps)

    def log_prob(self, value):
        # -(k log 2 pi + |L^-1 (x - mu)|^2) / 2 - sum log diag L
        if self._validate_args:
            self._validate_sample(value)
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        half_log_det = (self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1)
                        .log().sum(-1))
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self):
        half_log_det = (self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1)
                        .log().sum(-1))
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return H if len(self._batch_shape) == 0 else H.expand(self._batch_shape)
