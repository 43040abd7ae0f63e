"""Argument and sample validation of minigrad.distributions against torch's: the same
exception type and message (the parameter, the constraint, the distribution's repr), the
default switch Distribution.set_default_validate_args, validate_args=False, and the
constructors' own errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as td

import minigrad as mg
import minigrad.distributions as md


def _lib_args(lib, args):
    return {k: lib.tensor(v) if isinstance(v, (list, np.ndarray)) else v
            for k, v in args.items()}


def _same_error(fn):
    """fn(lib, D) raises in both; the types and messages agree."""
    with pytest.raises(Exception) as et:
        fn(torch, td)
    with pytest.raises(Exception) as em:
        fn(mg, md)
    assert type(em.value) is type(et.value), (em.value, et.value)
    assert str(em.value) == str(et.value)


BAD_PARAMS = [
    ("Normal", dict(loc=[0.0, 1.0], scale=[1.0, -1.0])),
    ("Normal", dict(loc=[float("nan"), 1.0], scale=[1.0, 1.0])),
    ("Normal", dict(loc=0.0, scale=0.0)),
    ("Bernoulli", dict(probs=[0.5, 1.5])),
    ("Bernoulli", dict(logits=[float("nan")])),
    ("Categorical", dict(probs=[[0.5, -0.5]])),
    ("Uniform", dict(low=[0.0, 2.0], high=[1.0, 1.0])),
    ("Exponential", dict(rate=[-1.0])),
    ("Laplace", dict(loc=[0.0], scale=[0.0])),
    ("Gamma", dict(concentration=[1.0, -2.0], rate=[1.0, 1.0])),
    ("Gamma", dict(concentration=[1.0], rate=[-1.0])),
    ("Beta", dict(concentration1=[1.0], concentration0=[-1.0])),
    ("Dirichlet", dict(concentration=[[1.0, 0.0]])),
    ("Poisson", dict(rate=[-0.5])),
    ("Binomial", dict(total_count=[2.5], probs=[0.5])),
    ("Binomial", dict(total_count=3, probs=[1.5])),
    ("OneHotCategorical", dict(probs=[[0.5, -0.5]])),
]


@pytest.mark.parametrize("name,args", BAD_PARAMS, ids=lambda x: str(x)[:30])
def test_bad_parameters(name, args):
    _same_error(lambda lib, D: getattr(D, name)(**_lib_args(lib, args)))
    if name != "OneHotCategorical":     # (its inner Categorical validates, as torch's)
        getattr(md, name)(**_lib_args(mg, args), validate_args=False)   # no check


OUT_OF_SUPPORT = [
    ("Normal", dict(loc=[0.0, 1.0], scale=[1.0, 1.0]), [0.0, float("nan")]),
    ("Bernoulli", dict(probs=[0.5, 0.5]), [0.5, 1.0]),
    ("Categorical", dict(probs=[0.5, 0.5]), [2.0]),
    ("Categorical", dict(probs=[0.5, 0.5]), [0.5]),
    ("Uniform", dict(low=[0.0], high=[1.0]), [1.5]),
    ("Exponential", dict(rate=[1.0]), [-1.0]),
    ("Gamma", dict(concentration=[1.0], rate=[1.0]), [-1.0]),
    ("Beta", dict(concentration1=[1.0], concentration0=[1.0]), [1.5]),
    ("Dirichlet", dict(concentration=[1.0, 1.0]), [0.2, 0.2]),
    ("Poisson", dict(rate=[1.0]), [1.5]),
    ("Binomial", dict(total_count=[3.0], probs=[0.5]), [4.0]),
    ("OneHotCategorical", dict(probs=[0.5, 0.5]), [1.0, 1.0]),
]


@pytest.mark.parametrize("name,args,value", OUT_OF_SUPPORT, ids=lambda x: str(x)[:30])
def test_out_of_support(name, args, value):
    _same_error(lambda lib, D: getattr(D, name)(**_lib_args(lib, args)).log_prob(
        lib.tensor(value)))


def test_cdf_validates():
    _same_error(lambda lib, D: D.Uniform(0.0, 1.0).cdf(lib.tensor(2.0)))
    _same_error(lambda lib, D: D.Exponential(1.0).cdf(lib.tensor(-2.0)))


def test_shape_errors():
    _same_error(lambda lib, D: D.Normal(lib.zeros(3), 1.0).log_prob(lib.zeros(2)))
    _same_error(lambda lib, D: D.Dirichlet(lib.ones(3)).log_prob(lib.ones(2) / 2))
    _same_error(lambda lib, D: D.Normal(0.0, 1.0).log_prob(0.5))


def test_constructor_errors():
    _same_error(lambda lib, D: D.Bernoulli())
    _same_error(lambda lib, D: D.Bernoulli(0.5, 0.0))
    _same_error(lambda lib, D: D.Categorical(lib.tensor(0.5)))
    _same_error(lambda lib, D: D.Categorical(logits=lib.tensor(0.5)))
    _same_error(lambda lib, D: D.Dirichlet(lib.tensor(0.5)))
    with pytest.raises(ValueError, match="must all be instances of Number"):
        md.Normal("a", 1.0)
    _same_error(lambda lib, D: D.Binomial(3))
    _same_error(lambda lib, D: D.Independent(D.Normal(lib.zeros(2), 1.0), 2))


def test_set_default_validate_args():
    try:
        for v in (False, True):
            md.Distribution.set_default_validate_args(v)
            td.Distribution.set_default_validate_args(v)
            assert md.Normal(0.0, 1.0)._validate_args == td.Normal(0.0, 1.0)._validate_args
            if not v:
                md.Normal(0.0, -1.0)            # not checked
                assert md.Normal(0.0, 1.0, validate_args=True)._validate_args
        with pytest.raises(ValueError):
            md.Distribution.set_default_validate_args(2)
    finally:
        md.Distribution.set_default_validate_args(True)
        td.Distribution.set_default_validate_args(True)
    assert md.Normal(0.0, 1.0, validate_args=False)._validate_args is False
    with pytest.raises(ValueError, match="constraint GreaterThan"):
        md.Normal(0.0, -1.0)


def test_no_validation_log_prob():
    d = md.Uniform(mg.tensor(0.0, dtype=mg.float64), mg.tensor(1.0, dtype=mg.float64),
                   validate_args=False)
    t = td.Uniform(torch.tensor(0.0), torch.tensor(1.0), validate_args=False)
    v = np.array([-0.5, 0.5, 1.5])
    np.testing.assert_array_equal(d.log_prob(mg.tensor(v)).numpy(),
                                  t.log_prob(torch.tensor(v)).numpy())


REPRS = [("Normal", dict(loc=0.0, scale=1.0)), ("Normal", dict(loc=[0.0, 1.0], scale=2.0)),
         ("Normal", dict(loc=[0.0], scale=[2.0])), ("Bernoulli", dict(logits=[0.0, 1.0])),
         ("Categorical", dict(probs=[0.2, 0.8])), ("Uniform", dict(low=0.0, high=[1.0, 2.0])),
         ("Gamma", dict(concentration=2.0, rate=3.0)), ("Beta", dict(concentration1=[2.0],
                                                                     concentration0=3.0)),
         ("Binomial", dict(total_count=4, probs=[0.3])),
         ("Dirichlet", dict(concentration=[1.0, 2.0]))]


@pytest.mark.parametrize("name,args", REPRS, ids=lambda x: str(x)[:30])
def test_repr_and_support(name, args):
    dm, dt = (getattr(D, name)(**_lib_args(lib, args)) for lib, D in ((mg, md), (torch, td)))
    assert repr(dm) == repr(dt)
    assert repr(dm.support) == repr(dt.support)
    assert {k: repr(v) for k, v in dm.arg_constraints.items()} == \
        {k: repr(v) for k, v in dt.arg_constraints.items()}
    assert dm.support.is_discrete == dt.support.is_discrete
    assert dm.support.event_dim == dt.support.event_dim


def test_constraints():
    C, TC = md.constraints, td.constraints
    x = np.array([[0.2, 0.8], [0.5, 0.6], [-1.0, 2.0], [0.0, 1.0]])
    for n in ("real", "positive", "nonnegative", "unit_interval", "boolean", "simplex",
              "one_hot", "nonnegative_integer", "positive_integer", "real_vector"):
        a = getattr(C, n).check(mg.tensor(x)).numpy()
        b = getattr(TC, n).check(torch.tensor(x)).numpy()
        np.testing.assert_array_equal(a, b, err_msg=n)
        assert repr(getattr(C, n)) == repr(getattr(TC, n))
    for mk in (lambda c: c.interval(0.0, 1.0), lambda c: c.half_open_interval(0.0, 1.0),
               lambda c: c.greater_than(0.5), lambda c: c.greater_than_eq(0.5),
               lambda c: c.less_than(0.5), lambda c: c.integer_interval(0, 1),
               lambda c: c.independent(c.positive, 1)):
        np.testing.assert_array_equal(mk(C).check(mg.tensor(x)).numpy(),
                                      mk(TC).check(torch.tensor(x)).numpy())
        assert repr(mk(C)) == repr(mk(TC))
    m = R = np.random.default_rng(3).standard_normal((2, 3, 3))
    spd = m @ np.swapaxes(m, -1, -2) + np.eye(3)
    for v in (spd, -spd, np.tril(spd), m):
        for n in ("positive_definite", "lower_cholesky", "lower_triangular", "symmetric",
                  "square", "positive_semidefinite"):
            np.testing.assert_array_equal(getattr(C, n).check(mg.tensor(v)).numpy(),
                                          getattr(TC, n).check(torch.tensor(v)).numpy(), n)
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    with pytest.raises(ValueError, match="Cannot determine validity"):
        C.dependent.check(mg.zeros(1))
    del R
