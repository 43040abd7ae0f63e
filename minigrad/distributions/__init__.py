"""minigrad.distributions: probability distributions with torch.distributions' API
(parameters, shapes, sample/rsample, log_prob, entropy, validation, kl_divergence).
log_prob, entropy and rsample are written with minigrad ops, so they are differentiable."""
from . import constraints, transforms
from . import kl_more as _kl_more  # noqa: F401  (registers the remaining KL pairs)
from .bernoulli import Bernoulli
from .categorical import Categorical
from .cauchy import Cauchy, HalfNormal
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential, Laplace
from .gamma import Beta, Dirichlet, Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Binomial, Poisson
from .student_t import Chi2, StudentT
from .transformed_distribution import LogNormal, TransformedDistribution
from .transforms import ComposeTransform, Transform, identity_transform
from .transforms_pointwise import (AbsTransform, AffineTransform, ExpTransform, PowerTransform,
                                   SigmoidTransform, SoftplusTransform, TanhTransform)
from .uniform import Uniform

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical",
           "Cauchy", "Chi2", "ComposeTransform", "Dirichlet", "Distribution", "ExpTransform",
           "Exponential", "ExponentialFamily", "Gamma", "Geometric", "Gumbel", "HalfNormal",
           "Independent", "Laplace", "LogNormal", "Multinomial", "MultivariateNormal",
           "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough", "Poisson",
           "PowerTransform", "SigmoidTransform", "SoftplusTransform", "StudentT",
           "TanhTransform", "Transform", "TransformedDistribution", "Uniform", "constraints",
           "identity_transform", "kl_divergence", "register_kl", "transforms"]
