"""Sweep rows: minigrad.distributions (log_prob, cdf, entropy, rsample shapes, KL) over 0-d,
empty and non-contiguous parameters and values against torch.distributions. The classes are
not top-level names (mg.distributions is a module), so no SKIP entries are needed; these rows
add the shape sweep the per-family tests (tests/test_distributions*.py) do not do.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import torch.distributions as td
from sweep_table import *

import minigrad.distributions as md

_LIBS = {md: mg, td: torch}


def _validating(D, lib, make):
    """make(D, lib, *tensors) with argument validation on: torch's default is on, but
    torch.compile (tests/test_settings.py calls it) turns it off for the whole process."""
    def run(*a):
        before = D.Distribution._validate_args
        D.Distribution.set_default_validate_args(True)
        try:
            return make(D, lib, *a)
        finally:
            D.Distribution.set_default_validate_args(before)
    return run


def dcase(name, make, rows, **opts):
    """A row for make(D, lib, *tensors), D the distributions module, lib the framework."""
    case(f"distributions.{name}", _validating(md, mg, make), _validating(td, torch, make),
         rows, **opts)


_PAIRS = ([(f(*s), f(*s)) for s in EMPTY] + [(f(*s, layout=lay), f(*s)) for s, lay in STRIDED]
          + [(f(3, 1), f(4)), (f(4), f(2, 4))])
_VEC = [(f(3),), (f(0, 3),), (f(2, 0),), (f(4, 3, layout="t"),), (f(3, 4, layout="s"),),
        (f(2, 5, layout="n"),), (f(),)]
dcase("Normal.log_prob", lambda D, lib, m, x: D.Normal(m, 1.5).log_prob(x), _PAIRS)
dcase("Normal.cdf", lambda D, lib, m, x: D.Normal(m, x.exp()).cdf(m * 0.5), _PAIRS)
dcase("Normal.icdf", lambda D, lib, m, u: D.Normal(m, 2.0).icdf(u),
      [(f(*s), p(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), p(4, 3))])
dcase("Normal.entropy", lambda D, lib, s: D.Normal(0.0, s.exp()).entropy(), floats())
dcase("Normal.rsample", lambda D, lib, m: D.Normal(m, 2.0).rsample((2,)), floats(),
      values=False)
dcase("Laplace.log_prob", lambda D, lib, m, x: D.Laplace(m, 0.7).log_prob(x), _PAIRS)
dcase("Uniform.log_prob", lambda D, lib, lo, u: D.Uniform(lo, lo + 2.0).log_prob(lo + u),
      [(f(*s), p(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), p(4, 3))])
dcase("Exponential.log_prob", lambda D, lib, r, x: D.Exponential(r.exp()).log_prob(x.abs()),
      _PAIRS)
dcase("Gamma.log_prob", lambda D, lib, c, x: D.Gamma(c.exp(), 2.0).log_prob(x.abs() + 0.1),
      _PAIRS)
dcase("Gamma.entropy", lambda D, lib, c: D.Gamma(c.exp(), c.exp() + 1).entropy(), floats())
dcase("Beta.log_prob", lambda D, lib, c, x: D.Beta(c.exp(), 1.5).log_prob(x),
      [(f(*s), p(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), p(4, 3))])
dcase("Poisson.log_prob", lambda D, lib, r, k: D.Poisson(r.exp()).log_prob(k.double()),
      [(f(*s), i(*s, high=5)) for s in EMPTY] + [(f(4, 3, layout="t"), i(4, 3, high=5))])
dcase("Bernoulli.log_prob",
      lambda D, lib, lg, v: D.Bernoulli(logits=lg).log_prob(v.double()),
      [(f(*s), b(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), b(4, 3)), (f(3), b(2, 3))])
dcase("Bernoulli.entropy", lambda D, lib, q: D.Bernoulli(probs=q).entropy(),
      [(p(*s),) for s in EMPTY] + [(p(4, 3, layout="t"),)])
dcase("Categorical.log_prob",
      lambda D, lib, lg, v: D.Categorical(logits=lg).log_prob(v),
      [(f(3), i()), (f(0, 3), i(0)), (f(2, 3), i(4, 2)), (f(4, 3, layout="t"), i(4)),
       (f(2, 0, 3), i(2, 0)), (f(), i())])
dcase("Categorical.entropy", lambda D, lib, w: D.Categorical(probs=w).entropy(),
      [(p(3),), (p(0, 3),), (p(4, 3, layout="t"),), (p(2, 5, layout="n"),), (p(),)])
dcase("OneHotCategorical.log_prob",
      lambda D, lib, lg, v: D.OneHotCategorical(logits=lg).log_prob(
          lib.nn.functional.one_hot(v, 3).double()),
      [(f(3), i()), (f(0, 3), i(0)), (f(2, 3), i(4, 2))])
dcase("Dirichlet.log_prob",
      lambda D, lib, c, x: D.Dirichlet(c.exp()).log_prob(x / x.sum(-1, keepdim=True)),
      [(f(3), p(3)), (f(0, 3), p(0, 3)), (f(4, 3, layout="t"), p(4, 3)), (f(2, 3), p(5, 2, 3))])
dcase("MultivariateNormal.log_prob",
      lambda D, lib, m, x: D.MultivariateNormal(
          m, scale_tril=2 * lib.eye(m.shape[-1], dtype=m.dtype)).log_prob(x),
      [(f(3), f(3)), (f(0, 3), f(0, 3)), (f(4, 3, layout="t"), f(4, 3)),
       (f(2, 5, layout="n"), f(3, 2, 5))])
dcase("Independent.log_prob",
      lambda D, lib, m, x: D.Independent(D.Normal(m, 1.0), 1).log_prob(x),
      [(f(3), f(3)), (f(0, 3), f(0, 3)), (f(4, 3, layout="t"), f(4, 3)), (f(), f())])
dcase("kl_divergence.Normal",
      lambda D, lib, a, c: D.kl_divergence(D.Normal(a, 1.0), D.Normal(c, 2.0)), _PAIRS)
dcase("kl_divergence.Categorical",
      lambda D, lib, a, c: D.kl_divergence(D.Categorical(logits=a), D.Categorical(logits=c)),
      [(f(3), f(3)), (f(0, 3), f(0, 3)), (f(4, 3, layout="t"), f(4, 3)), (f(2, 3), f(3))])
dcase("Gamma.rsample", lambda D, lib, c: D.Gamma(c.exp(), 1.0).rsample((2,)), floats(),
      values=False)
dcase("Dirichlet.rsample", lambda D, lib, c: D.Dirichlet(c.exp()).rsample((2,)),
      [(f(3),), (f(0, 3),), (f(4, 3, layout="t"),), (f(2, 5, layout="n"),)], values=False)
dcase("Beta.rsample", lambda D, lib, c: D.Beta(c.exp(), 0.5).rsample(), floats(),
      values=False)
dcase("Cauchy.log_prob", lambda D, lib, m, x: D.Cauchy(m, 0.8).log_prob(x), _PAIRS)
dcase("HalfNormal.log_prob", lambda D, lib, s, x: D.HalfNormal(s.exp()).log_prob(x.abs()),
      _PAIRS)
dcase("StudentT.log_prob", lambda D, lib, m, x: D.StudentT(3.5, m, 1.5).log_prob(x), _PAIRS)
dcase("StudentT.variance", lambda D, lib, d: D.StudentT(d.exp() * 2).variance, floats())
dcase("Gumbel.log_prob", lambda D, lib, m, x: D.Gumbel(m, 1.2).log_prob(x), _PAIRS)
dcase("Geometric.log_prob",
      lambda D, lib, q, k: D.Geometric(probs=q).log_prob(k.double()),
      [(p(*s), i(*s, high=5)) for s in EMPTY] + [(p(4, 3, layout="t"), i(4, 3, high=5))])
dcase("Multinomial.log_prob",
      lambda D, lib, lg, k: D.Multinomial(4, logits=lg).log_prob(
          lib.nn.functional.one_hot(k, 3).double() * 4),
      [(f(3), i()), (f(0, 3), i(0)), (f(2, 3), i(4, 2)), (f(4, 3, layout="t"), i(4))])
