"""Normal(loc, scale): the Gaussian, reparameterised as loc + scale * eps (matches
torch.distributions.Normal)."""
from __future__ import annotations

import math

from .loc_scale import LocScale
from ..grad_mode import no_grad
from ..ops.sampling import normal as _normal
from . import constraints
from .exp_family import ExponentialFamily
from .utils import _standard_normal

__all__ = ["Normal"]


class Normal(LocScale, ExponentialFamily):
    """N(loc, scale^2) with loc and scale broadcast together (tensors or numbers);
    matches torch.distributions.Normal."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.stddev.pow(2)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with no_grad():
            return _normal(self.loc.expand(shape), self.scale.expand(shape))

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        # log N(x) = -(x - mu)^2 / (2 sigma^2) - log sigma - log sqrt(2 pi)
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale ** 2
        return (-((value - self.loc) ** 2) / (2 * var) - self.scale.log()
                - math.log(math.sqrt(2 * math.pi)))

    def cdf(self, value):
        # Phi((x - mu) / sigma) = (1 + erf((x - mu) / (sigma sqrt 2))) / 2
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal()
                           / math.sqrt(2)).erf())

    def icdf(self, value):
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self):
        # H = 1/2 + log(2 pi) / 2 + log sigma
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
