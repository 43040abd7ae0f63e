"""TransformedDistribution, LogNormal and the transforms against torch in float64: forward,
inverse, log|det J|, log_prob/cdf/icdf/entropy values and parameter gradients, shapes,
expand and KL."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as td
import torch.distributions.transforms as tt

import minigrad as mg
import minigrad.distributions as md
import minigrad.distributions.transforms as mt
from distrib_check import build, check, close

R = np.random.default_rng(4)

TRANSFORMS = {
    "exp": (lambda T, lib: T.ExpTransform(), lambda s: R.standard_normal(s)),
    "sigmoid": (lambda T, lib: T.SigmoidTransform(), lambda s: R.standard_normal(s)),
    "softplus": (lambda T, lib: T.SoftplusTransform(), lambda s: R.standard_normal(s)),
    "tanh": (lambda T, lib: T.TanhTransform(), lambda s: R.uniform(-2, 2, s)),
    "power": (lambda T, lib: T.PowerTransform(lib.tensor(2.5, dtype=lib.float64)),
              lambda s: R.uniform(.5, 2, s)),
    "affine": (lambda T, lib: T.AffineTransform(1.5, -2.0), lambda s: R.standard_normal(s)),
    "affine_t": (lambda T, lib: T.AffineTransform(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64),
                                                  lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64),
                                                  event_dim=1),
                 lambda s: R.standard_normal(s)),
    "compose": (lambda T, lib: T.ComposeTransform([T.AffineTransform(0.5, 2.0),
                                                   T.ExpTransform()]),
                lambda s: R.standard_normal(s)),
    "inv_exp": (lambda T, lib: T.ExpTransform().inv, lambda s: R.uniform(0.5, 2, s)),
}


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_transform(name):
    make, values = TRANSFORMS[name]
    x = values((2, 3))
    m, t = make(mt, mg), make(tt, torch)
    xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ym, yt = m(xm), t(xt)
    close(ym, yt, f"{name} forward")
    close(m.inv(ym), t.inv(yt), f"{name} inverse")
    lm, lt = m.log_abs_det_jacobian(xm, ym), t.log_abs_det_jacobian(xt, yt)
    close(lm, lt, f"{name} log_abs_det_jacobian")
    (gm,) = mg.autograd.grad(lm.sum() + ym.sum(), [xm])
    (gt,) = torch.autograd.grad(lt.sum() + yt.sum(), [xt])
    np.testing.assert_allclose(gm.numpy(), gt.numpy(), rtol=1e-8, atol=1e-10)
    assert repr(m) == repr(t)
    assert repr(m.domain) == repr(t.domain) and repr(m.codomain) == repr(t.codomain)
    assert m.bijective == t.bijective


def test_transform_cache_and_equality():
    e = mt.ExpTransform(cache_size=1)
    x = mg.tensor([0.5], dtype=mg.float64)
    y = e(x)
    assert e.inv(y) is x and e(x) is y
    assert mt.ExpTransform() == mt.ExpTransform() and mt.ExpTransform().inv.inv == \
        mt.ExpTransform()
    assert mt.AffineTransform(1.0, 2.0) == mt.AffineTransform(1.0, 2.0)
    assert mt.AffineTransform(1.0, 2.0) != mt.AffineTransform(1.0, 3.0)
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        mt.ExpTransform(cache_size=2)


LN = dict(loc=R.standard_normal((2, 3)), scale=R.uniform(0.5, 1.5, 3))
METHODS = {"mean": lambda d, lib: d.mean, "variance": lambda d, lib: d.variance,
           "mode": lambda d, lib: d.mode, "entropy": lambda d, lib: d.entropy(),
           "stddev": lambda d, lib: d.stddev}


@pytest.mark.parametrize("method", sorted(METHODS))
def test_lognormal_properties(method):
    check("LogNormal", LN, METHODS[method], R, method)


def test_lognormal_log_prob_cdf_icdf():
    v = R.uniform(0.2, 3.0, (4, 2, 3))
    u = R.uniform(0.05, 0.95, (2, 3))
    check("LogNormal", LN, lambda d, lib: d.log_prob(lib.tensor(v)), R, "log_prob")
    check("LogNormal", LN, lambda d, lib: d.cdf(lib.tensor(v)), R, "cdf")
    check("LogNormal", LN, lambda d, lib: d.icdf(lib.tensor(u)), R, "icdf")
    dm, dt, _ = build("LogNormal", LN)
    assert repr(dm) == repr(dt) and dm.batch_shape == tuple(dt.batch_shape)
    for ss in ((), (3,), (2, 3)):
        assert tuple(dm.rsample(ss).shape) == tuple(dt.rsample(ss).shape)
    e = dm.expand((5, 2, 3))
    close(e.log_prob(mg.tensor(v[:1].repeat(5, 0))),
          dt.expand((5, 2, 3)).log_prob(torch.tensor(v[:1].repeat(5, 0))), "expand")
    mg.manual_seed(0)
    x = np.log(md.LogNormal(mg.tensor(0.3, dtype=mg.float64), 0.5).sample((20000,)).numpy())
    assert abs(x.mean() - 0.3) < 5 * 0.5 / np.sqrt(20000) and abs(x.std() - 0.5) < 0.02


def _pair_td(lib, D, T, loc, scale):
    base = D.Normal(lib.tensor(loc), lib.tensor(scale))
    return D.TransformedDistribution(base, [T.AffineTransform(0.5, -2.0), T.TanhTransform()])


def test_transformed_distribution():
    loc, scale = R.standard_normal(3), R.uniform(0.5, 1.0, 3)
    dm, dt = _pair_td(mg, md, mt, loc, scale), _pair_td(torch, td, tt, loc, scale)
    assert dm.batch_shape == tuple(dt.batch_shape) and dm.event_shape == tuple(dt.event_shape)
    assert repr(dm.support) == repr(dt.support)
    v = R.uniform(-0.9, 0.9, (4, 3))
    close(dm.log_prob(mg.tensor(v)), dt.log_prob(torch.tensor(v)), "td log_prob")
    close(dm.cdf(mg.tensor(v)), dt.cdf(torch.tensor(v)), "td cdf (decreasing map)")
    u = R.uniform(0.1, 0.9, 3)
    close(dm.icdf(mg.tensor(u)), dt.icdf(torch.tensor(u)), "td icdf")
    assert tuple(dm.sample((2,)).shape) == (2, 3)
    # an event-dim transform reinterprets the base's batch dim
    im = md.TransformedDistribution(md.Normal(mg.zeros(3, dtype=mg.float64), 1.0),
                                    mt.AffineTransform(mg.ones(3, dtype=mg.float64), 2.0,
                                                       event_dim=1))
    it = td.TransformedDistribution(td.Normal(torch.zeros(3), 1.0),
                                    tt.AffineTransform(torch.ones(3), 2.0, event_dim=1))
    assert im.event_shape == tuple(it.event_shape) == (3,)
    close(im.log_prob(mg.tensor(v)), it.log_prob(torch.tensor(v)), "td event log_prob")
    with pytest.raises(ValueError, match="transforms must be a Transform"):
        md.TransformedDistribution(md.Normal(0.0, 1.0), [1])


def test_kl_lognormal():
    a = dict(loc=R.standard_normal(3), scale=R.uniform(0.5, 1.5, 3))
    b = dict(loc=R.standard_normal(3), scale=R.uniform(0.5, 1.5, 3))
    pm, pt, _ = build("LogNormal", a)
    qm, qt, _ = build("LogNormal", b)
    close(md.kl_divergence(pm, qm), td.kl_divergence(pt, qt), "kl lognormal")
