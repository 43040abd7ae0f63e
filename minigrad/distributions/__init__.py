"""minigrad.distributions: probability distributions with torch.distributions' API
(parameters, shapes, sample/rsample, log_prob, entropy, validation, kl_divergence).
log_prob, entropy and rsample are written with minigrad ops, so they are differentiable."""
from . import constraints
from . import kl_more as _kl_more  # noqa: F401  (registers the remaining KL pairs)
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential, Laplace
from .gamma import Beta, Dirichlet, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Binomial, Poisson
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Dirichlet", "Distribution",
           "Exponential", "ExponentialFamily", "Gamma", "Independent", "Laplace",
           "MultivariateNormal", "Normal", "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "Poisson", "Uniform", "constraints",
           "kl_divergence", "register_kl"]
