"""Exponential(rate) and Laplace(loc, scale), both reparameterised through uniform-type
draws (match torch.distributions.Exponential / Laplace)."""
from __future__ import annotations

from .loc_scale import LocScale
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import _is_number, broadcast_all

__all__ = ["Exponential", "Laplace"]


def _empty(shape, like):
    import minigrad as mg
    return mg.empty(shape, dtype=like.dtype, device=like.device)


class Exponential(ExponentialFamily):
    """p(x) = rate exp(-rate x), x >= 0; matches torch.distributions.Exponential."""
    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        super().__init__(() if _is_number(rate) else self.rate.shape,
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Exponential, _instance)
        batch_shape = tuple(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Exponential, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.rate.reciprocal()

    @property
    def mode(self):
        import minigrad as mg
        return mg.zeros_like(self.rate)

    @property
    def stddev(self):
        return self.rate.reciprocal()

    @property
    def variance(self):
        return self.rate.pow(-2)

    def rsample(self, sample_shape=()):
        # x = e / rate, e ~ Exponential(1)
        shape = self._extended_shape(sample_shape)
        return _empty(shape, self.rate).exponential_() / self.rate

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        return -(-value).log1p() / self.rate

    def entropy(self):
        return 1.0 - self.rate.log()


class Laplace(LocScale, Distribution):
    """p(x) = exp(-|x - loc| / scale) / (2 scale); matches torch.distributions.Laplace."""
    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return 2 ** 0.5 * self.scale

    def rsample(self, sample_shape=()):
        # x = loc - scale sign(u) log(1 - |u|), u ~ U(eps - 1, 1)
        import minigrad as mg
        shape = self._extended_shape(sample_shape)
        u = _empty(shape, self.loc).uniform_(mg.finfo(self.loc.dtype).eps - 1, 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        d = value - self.loc
        return 0.5 - 0.5 * d.sign() * (-d.abs() / self.scale).expm1()

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self):
        return 1 + (2 * self.scale).log()
