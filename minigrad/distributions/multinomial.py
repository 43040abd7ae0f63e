"""Multinomial(total_count, probs | logits): counts of total_count categorical draws over
the last dimension (matches torch.distributions.Multinomial)."""
from __future__ import annotations

import math

from . import constraints
from .categorical import Categorical
from .distribution import Distribution, _as_shape
from .poisson import Binomial
from .utils import broadcast_all

__all__ = ["Multinomial"]


class Multinomial(Distribution):
    """event_shape = (K,), total_count an int; matches torch.distributions.Multinomial
    (sample, log_prob and entropy; no rsample)."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Multinomial, _instance)
        batch_shape = tuple(batch_shape)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        super(Multinomial, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def logits(self):
        return self._categorical.logits

    @property
    def probs(self):
        return self._categorical.probs

    @property
    def param_shape(self):
        return self._categorical.param_shape

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        # total_count category draws, counted per category
        import minigrad as mg
        sample_shape = _as_shape(sample_shape)
        samples = self._categorical.sample((self.total_count,) + sample_shape)
        samples = samples.permute(*range(1, samples.dim()), 0)
        counts = mg.zeros(self._extended_shape(sample_shape), dtype=samples.dtype,
                          device=samples.device)
        counts.scatter_add_(-1, samples, mg.ones_like(samples))
        return counts.type_as(self.probs)

    def entropy(self):
        # n H(cat) - log n! + sum_k E[log x_k!], x_k ~ Binomial(n, p_k)
        import minigrad as mg
        n = mg.tensor(self.total_count)
        term1 = n * self._categorical.entropy() - (n + 1).lgamma()
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = self._binomial.log_prob(support).exp()
        weights = (support + 1).lgamma()
        return term1 + (binomial_probs * weights).sum([0, -1])

    def log_prob(self, value):
        # log n! - sum log x_k! + sum x_k logit_k (0 * -inf taken as 0)
        import minigrad as mg
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_factorial_n = (value.sum(-1) + 1).lgamma()
        log_factorial_xs = (value + 1).lgamma().sum(-1)
        logits = mg.where((value == 0) & (logits == -math.inf), 0.0, logits)
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)
