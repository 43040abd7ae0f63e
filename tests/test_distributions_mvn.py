"""minigrad.distributions.MultivariateNormal against torch in float64: the three
parameterisations, batch broadcasting, log_prob/entropy/KL values and gradients, rsample
shapes, statistics and gradients, expand and validation."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as td

import minigrad as mg
import minigrad.distributions as md
from distrib_check import check, close

R = np.random.default_rng(2)


def _spd(*batch, n=3):
    a = R.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _params(kind, loc_shape=(2, 3), batch=(2,)):
    loc = R.standard_normal(loc_shape)
    cov = _spd(*batch)
    mat = {"covariance_matrix": cov, "precision_matrix": np.linalg.inv(cov),
           "scale_tril": np.linalg.cholesky(cov)}[kind]
    return {"loc": loc, kind: mat}


KINDS = ["covariance_matrix", "precision_matrix", "scale_tril"]
METHODS = {"mean": lambda d, lib: d.mean, "variance": lambda d, lib: d.variance,
           "entropy": lambda d, lib: d.entropy(), "mode": lambda d, lib: d.mode,
           "scale_tril": lambda d, lib: d.scale_tril,
           "covariance": lambda d, lib: d.covariance_matrix,
           "precision": lambda d, lib: d.precision_matrix}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", sorted(METHODS))
@pytest.mark.parametrize("shapes", [((2, 3), (2,)), ((3,), ()), ((4, 1, 3), (2,)),
                                    ((3,), (2,))])
def test_properties(kind, method, shapes):
    check("MultivariateNormal", _params(kind, *shapes), METHODS[method], R, method,
          rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("vshape", [(2, 3), (5, 2, 3), (5, 1, 3)])
def test_log_prob(kind, vshape):
    v = R.standard_normal(vshape)
    check("MultivariateNormal", _params(kind), lambda d, lib: d.log_prob(lib.tensor(v)), R,
          "log_prob", rtol=1e-8)


@pytest.mark.parametrize("ss", [(), (4,), (2, 3)])
def test_sample_shapes(ss):
    p = _params("scale_tril")
    dm = md.MultivariateNormal(mg.tensor(p["loc"], requires_grad=True),
                               scale_tril=mg.tensor(p["scale_tril"]))
    dt = td.MultivariateNormal(torch.tensor(p["loc"]), scale_tril=torch.tensor(p["scale_tril"]))
    assert dm.batch_shape == tuple(dt.batch_shape) and dm.event_shape == tuple(dt.event_shape)
    for m in ("sample", "rsample"):
        a, b = getattr(dm, m)(ss), getattr(dt, m)(ss)
        assert tuple(a.shape) == tuple(b.shape) and a.dtype == mg.float64
        assert a.requires_grad == (m == "rsample")
    assert repr(dm) == repr(dt)


def test_sample_statistics():
    mg.manual_seed(3)
    cov = _spd(n=3)
    loc = R.standard_normal(3)
    d = md.MultivariateNormal(mg.tensor(loc), covariance_matrix=mg.tensor(cov))
    x = d.sample((20000,)).numpy()
    np.testing.assert_array_less(np.abs(x.mean(0) - loc), 5 * np.sqrt(np.diag(cov) / 20000))
    np.testing.assert_allclose(np.cov(x.T), cov, rtol=0.1, atol=0.1 * np.abs(cov).max())


def test_rsample_gradient():
    # x = loc + L eps: d sum(x) / d L[i, j] = sum over draws of eps_j
    L = np.linalg.cholesky(_spd(n=3))
    lt = mg.tensor(L, requires_grad=True)
    loc = mg.tensor(np.zeros(3), requires_grad=True)
    x = md.MultivariateNormal(loc, scale_tril=lt).rsample((30,))
    gl, gL = mg.autograd.grad(x.sum(), [loc, lt])
    eps = np.linalg.solve(L, x.detach().numpy().T).T
    np.testing.assert_allclose(gl.numpy(), np.full(3, 30.0))
    np.testing.assert_allclose(gL.numpy(), np.tile(eps.sum(0), (3, 1)), rtol=1e-8,
                               atol=1e-10)


@pytest.mark.parametrize("kp,kq", [("scale_tril", "covariance_matrix"),
                                   ("precision_matrix", "scale_tril")])
def test_kl(kp, kq):
    pp, qp = _params(kp), _params(kq, (3,), ())
    lm, lt = [], []
    def mk(lib, D, p, leaves):
        kw = {k: lib.tensor(v, requires_grad=True) for k, v in p.items()}
        leaves.extend(kw.values())
        return D.MultivariateNormal(**kw)
    om = md.kl_divergence(mk(mg, md, pp, lm), mk(mg, md, qp, lm))
    ot = td.kl_divergence(mk(torch, td, pp, lt), mk(torch, td, qp, lt))
    close(om, ot, "kl mvn", rtol=1e-8)
    w = R.standard_normal(tuple(ot.shape))
    gm = mg.autograd.grad((om * mg.tensor(w)).sum(), lm)
    gt = torch.autograd.grad((ot * torch.tensor(w)).sum(), lt)
    for a, b in zip(gm, gt):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-7, atol=1e-9)


def test_expand():
    p = _params("covariance_matrix", (3,), ())
    dm = md.MultivariateNormal(mg.tensor(p["loc"]), mg.tensor(p["covariance_matrix"]))
    dt = td.MultivariateNormal(torch.tensor(p["loc"]), torch.tensor(p["covariance_matrix"]))
    em, et = dm.expand((4, 2)), dt.expand((4, 2))
    assert em.batch_shape == (4, 2)
    v = R.standard_normal((4, 2, 3))
    close(em.log_prob(mg.tensor(v)), et.log_prob(torch.tensor(v)), "expand", rtol=1e-8)
    close(em.covariance_matrix, et.covariance_matrix, "expand cov")


def test_errors():
    loc = mg.zeros(3, dtype=mg.float64)
    eye = mg.eye(3, dtype=mg.float64)
    with pytest.raises(ValueError, match="Exactly one of"):
        md.MultivariateNormal(loc)
    with pytest.raises(ValueError, match="Exactly one of"):
        md.MultivariateNormal(loc, eye, scale_tril=eye)
    with pytest.raises(ValueError, match="loc must be at least one-dimensional"):
        md.MultivariateNormal(mg.tensor(0.0), eye)
    with pytest.raises(ValueError, match="covariance_matrix must be at least two"):
        md.MultivariateNormal(loc, mg.ones(3))
    with pytest.raises(ValueError, match="constraint PositiveDefinite"):
        md.MultivariateNormal(loc, -eye)
    with pytest.raises(ValueError, match="constraint LowerCholesky"):
        md.MultivariateNormal(loc, scale_tril=mg.ones(3, 3, dtype=mg.float64))
    with pytest.raises(ValueError, match="right-most size of value must match event_shape"):
        md.MultivariateNormal(loc, eye).log_prob(mg.zeros(2, dtype=mg.float64))
