"""minigrad.distributions: probability distributions with torch.distributions' API
(parameters, shapes, sample/rsample, log_prob, entropy, validation, kl_divergence).
log_prob, entropy and rsample are written with minigrad ops, so they are differentiable."""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .independent import Independent
from .kl import kl_divergence, register_kl
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "ExponentialFamily", "Independent",
           "Normal", "Uniform", "constraints", "kl_divergence", "register_kl"]
