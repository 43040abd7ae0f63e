"""Gamma(concentration, rate), Dirichlet(concentration) and Beta(concentration1,
concentration0) (match torch.distributions.Gamma / Dirichlet / Beta). Draws come from
minigrad's generator through NumPy's gamma sampler; rsample is differentiable with torch's
implicit reparameterisation gradients (gamma_grad.py, dirichlet_grad.py)."""
from __future__ import annotations

from . import constraints
from .exp_family import ExponentialFamily
from .dirichlet_grad import DirichletSample
from .gamma_grad import StandardGamma
from .utils import _is_number, broadcast_all

__all__ = ["Gamma", "Dirichlet", "Beta"]


class Gamma(ExponentialFamily):
    """p(x) = rate^c x^(c - 1) exp(-rate x) / Gamma(c); matches torch.distributions.Gamma
    (rsample with torch's implicit reparameterisation gradient)."""
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = _is_number(concentration) and _is_number(rate)
        super().__init__(() if scalar else self.concentration.shape,
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = tuple(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        # x = G / rate, G ~ Gamma(concentration, 1) with dG/dconcentration implicit
        import minigrad as mg
        shape = self._extended_shape(sample_shape)
        value = StandardGamma.apply(self.concentration.expand(shape)) / self.rate.expand(shape)
        value.detach().clamp_(min=mg.finfo(value.dtype).tiny)     # (in place, as torch)
        return value

    def log_prob(self, value):
        import minigrad as mg
        value = mg.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (mg.xlogy(c, self.rate) + mg.xlogy(c - 1, value) - self.rate * value
                - c.lgamma())

    def entropy(self):
        c = self.concentration
        return c - self.rate.log() + c.lgamma() + (1.0 - c) * c.digamma()

    def cdf(self, value):
        import minigrad as mg
        if self._validate_args:
            self._validate_sample(value)
        return mg.special.gammainc(self.concentration, self.rate * value)


class Dirichlet(ExponentialFamily):
    """Density prod x_i^(a_i - 1) Gamma(sum a) / prod Gamma(a_i) on the simplex of the last
    dim; matches torch.distributions.Dirichlet (rsample with torch's implicit
    reparameterisation gradient)."""
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = tuple(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return DirichletSample.apply(self.concentration.expand(shape))

    def log_prob(self, value):
        import minigrad as mg
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (mg.xlogy(c - 1.0, value).sum(-1) + c.sum(-1).lgamma()
                - c.lgamma().sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        # (a - 1)+ normalised; where every a < 1, a one-hot at the largest of them
        import minigrad as mg
        from ..nn.functional import one_hot
        cm1 = (self.concentration - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, True)
        mask = (self.concentration < 1).all(dim=-1, keepdim=True)
        hot = one_hot(mode.argmax(dim=-1), cm1.shape[-1]).to(mode.dtype)
        return mg.where(mask, hot, mode)

    @property
    def variance(self):
        c = self.concentration
        con0 = c.sum(-1, True)
        return c * (con0 - c) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        c = self.concentration
        k, a0 = c.shape[-1], c.sum(-1)
        return (c.lgamma().sum(-1) - a0.lgamma() - (k - a0) * a0.digamma()
                - ((c - 1.0) * c.digamma()).sum(-1))


class Beta(ExponentialFamily):
    """Beta(concentration1, concentration0) on [0, 1], a two-category Dirichlet; matches
    torch.distributions.Beta (rsample through the Dirichlet's)."""
    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        import minigrad as mg
        if _is_number(concentration1) and _is_number(concentration0):
            both = mg.tensor([float(concentration1), float(concentration0)])
        else:
            c1, c0 = broadcast_all(concentration1, concentration0)
            both = mg.stack([c1, c0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Beta, _instance)
        batch_shape = tuple(batch_shape)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        super(Beta, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value):
        import minigrad as mg
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(mg.stack([value, 1.0 - value], -1))

    def entropy(self):
        return self._dirichlet.entropy()

    @property
    def concentration1(self):
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self):
        return self._dirichlet.concentration[..., 1]
