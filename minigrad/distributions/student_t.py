"""Chi2(df) and StudentT(df, loc, scale) (match torch.distributions.Chi2 / StudentT);
StudentT draws loc + scale * X / sqrt(Z / df), X ~ N(0, 1), Z ~ Chi2(df), so its rsample
carries the Gamma's implicit gradient in df."""
from __future__ import annotations

import math

from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import _standard_normal, broadcast_all

__all__ = ["Chi2", "StudentT"]


class Chi2(Gamma):
    """Gamma(df / 2, 1 / 2); matches torch.distributions.Chi2."""
    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args=None):
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self):
        return self.concentration * 2


class StudentT(Distribution):
    """Student's t with df degrees of freedom, location and scale; matches
    torch.distributions.StudentT."""
    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(StudentT, _instance)
        batch_shape = tuple(batch_shape)
        new.df = self.df.expand(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new._chi2 = self._chi2.expand(batch_shape)
        super(StudentT, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        import minigrad as mg
        return mg.where(self.df <= 1, math.nan, self.loc)     # undefined for df <= 1

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        # scale^2 df / (df - 2) for df > 2, inf for 1 < df <= 2, undefined for df <= 1
        import minigrad as mg
        big = self.df > 2
        df = mg.where(big, self.df, 3.0)    # (no 0 / 0 in the branch not taken)
        var = mg.where(big, self.scale.pow(2) * df / (df - 2), self.df * 0 + math.inf)
        return mg.where(self.df <= 1, math.nan, var)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        X = _standard_normal(shape, dtype=self.df.dtype, device=self.df.device)
        Z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * (X * (Z / self.df).rsqrt())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        Z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
             + (0.5 * self.df).lgamma() - (0.5 * (self.df + 1.0)).lgamma())
        return -0.5 * (self.df + 1.0) * (y ** 2.0 / self.df).log1p() - Z

    def entropy(self):
        lbeta = (0.5 * self.df).lgamma() + math.lgamma(0.5) - (0.5 * (self.df + 1)).lgamma()
        return (self.scale.log() + 0.5 * (self.df + 1) * ((0.5 * (self.df + 1)).digamma()
                                                         - (0.5 * self.df).digamma())
                + 0.5 * self.df.log() + lbeta)
