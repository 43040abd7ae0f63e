"""Cauchy, HalfNormal, Chi2, StudentT, Gumbel, Geometric and Multinomial against
torch.distributions in float64: values and parameter gradients of the properties, log_prob,
cdf/icdf, entropy and KL; shapes, rsample gradients, statistics, expand and validation."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as td

import minigrad as mg
import minigrad.distributions as md
from distrib_check import build, check, close

R = np.random.default_rng(5)


def _pos(*s):
    return R.uniform(0.5, 2.5, s)


CASES = {
    "cauchy": ("Cauchy", lambda: dict(loc=R.standard_normal(3), scale=_pos(2, 3)),
               lambda s: R.standard_cauchy(s)),
    "halfnormal": ("HalfNormal", lambda: dict(scale=_pos(2, 3)),
                   lambda s: np.abs(R.standard_normal(s))),
    "chi2": ("Chi2", lambda: dict(df=_pos(2, 3) * 2), lambda s: R.chisquare(3.0, s)),
    "studentt": ("StudentT", lambda: dict(df=np.array([0.7, 1.5, 2.0, 3.0, 10.0]),
                                          loc=R.standard_normal(5), scale=_pos(5)),
                 lambda s: R.standard_t(3.0, s)),
    "gumbel": ("Gumbel", lambda: dict(loc=R.standard_normal(3), scale=_pos(2, 3)),
               lambda s: R.gumbel(0.0, 1.0, s)),
    "geom_p": ("Geometric", lambda: dict(probs=R.uniform(0.1, 0.9, (2, 3))),
               lambda s: R.geometric(0.4, s).astype(float) - 1),
    "geom_l": ("Geometric", lambda: dict(logits=R.standard_normal(4)),
               lambda s: R.geometric(0.4, s).astype(float) - 1),
}
METHODS = {"mean": lambda d, lib: d.mean, "variance": lambda d, lib: d.variance,
           "entropy": lambda d, lib: d.entropy(), "mode": lambda d, lib: d.mode}


def _bshape(name, p):
    return tuple(getattr(td, name)(**{k: torch.tensor(v) for k, v in p.items()}).batch_shape)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("method", sorted(METHODS))
def test_properties(case, method):
    name, params, _ = CASES[case]
    check(name, params(), METHODS[method], R, method)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("vshape", [(), (3,)])
def test_log_prob(case, vshape):
    name, params, values = CASES[case]
    p = params()
    v = values(vshape + _bshape(name, p))
    check(name, p, lambda d, lib: d.log_prob(lib.tensor(v)), R, "log_prob", rtol=1e-8)


@pytest.mark.parametrize("case", ["cauchy", "halfnormal", "gumbel"])
def test_cdf_icdf(case):
    name, params, values = CASES[case]
    p = params()
    bs = _bshape(name, p)
    v, u = values(bs), R.uniform(0.05, 0.95, bs)
    check(name, p, lambda d, lib: d.cdf(lib.tensor(v)), R, "cdf")
    check(name, p, lambda d, lib: d.icdf(lib.tensor(u)), R, "icdf")


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("ss", [(), (3,), (2, 3)])
def test_shapes(case, ss):
    name, params, _ = CASES[case]
    dm, dt, _ = build(name, params())
    for m in ("sample", "rsample") if dt.has_rsample else ("sample",):
        a, b = getattr(dm, m)(ss), getattr(dt, m)(ss)
        assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)[6:]
        assert a.requires_grad == b.requires_grad
    assert repr(dm) == repr(dt) and dm.batch_shape == tuple(dt.batch_shape)
    e = dm.expand((4,) + dm.batch_shape)
    assert e.batch_shape == tuple(dt.expand((4,) + tuple(dt.batch_shape)).batch_shape)
    assert type(e) is type(dm)


def test_statistics():
    mg.manual_seed(21)
    n = 20000
    x = md.HalfNormal(mg.tensor([0.5, 2.0])).sample((n,)).numpy()
    np.testing.assert_allclose(x.mean(0), np.array([0.5, 2.0]) * np.sqrt(2 / np.pi), rtol=0.03)
    x = md.Chi2(mg.tensor([1.0, 5.0])).rsample((n,)).detach().numpy()
    np.testing.assert_allclose(x.mean(0), [1.0, 5.0], rtol=0.05)
    np.testing.assert_allclose(x.var(0), [2.0, 10.0], rtol=0.1)
    x = md.StudentT(mg.tensor([5.0, 30.0]), 1.0, 2.0).sample((n,)).numpy()
    np.testing.assert_allclose(x.mean(0), [1.0, 1.0], atol=0.1)
    np.testing.assert_allclose(x.var(0), [4 * 5 / 3, 4 * 30 / 28], rtol=0.1)
    x = md.Cauchy(mg.tensor([1.0]), 2.0).sample((n,)).numpy()
    np.testing.assert_allclose(np.median(x), 1.0, atol=0.1)      # quartiles at loc -+ scale
    np.testing.assert_allclose(np.percentile(x, [25, 75]), [-1.0, 3.0], atol=0.15)


def test_studentt_rsample_gradient():
    # y = loc + scale X / sqrt(Z / df), Z = 2 G, G ~ Gamma(df / 2): dy/ddf through the
    # Gamma's implicit gradient (torch._standard_gamma_grad) and the explicit df
    df = mg.tensor([3.0, 7.0], dtype=mg.float64, requires_grad=True)
    mg.manual_seed(2)
    d = md.StudentT(df)
    y = d.rsample((30,))
    (g,) = mg.autograd.grad(y.sum(), [df])
    mg.manual_seed(2)
    X = mg.randn(30, 2, dtype=mg.float64).numpy()
    with mg.no_grad():
        Z = md.Chi2(mg.tensor([3.0, 7.0], dtype=mg.float64)).rsample((30,)).numpy()
    np.testing.assert_allclose(y.detach().numpy(), X / np.sqrt(Z / [3.0, 7.0]), rtol=1e-10)
    dG = torch._standard_gamma_grad(torch.tensor(np.broadcast_to([1.5, 3.5], Z.shape).copy()),
                                    torch.tensor(Z / 2)).numpy()
    dZ = 2 * dG * 0.5                               # Z = 2 G, d(df / 2) / ddf = 1 / 2
    dy = X * (0.5 * np.sqrt(np.array([3.0, 7.0]) / Z) / np.array([3.0, 7.0])
              - 0.5 * np.sqrt([3.0, 7.0]) * Z ** -1.5 * dZ)
    np.testing.assert_allclose(g.numpy(), dy.sum(0), rtol=1e-9)


@pytest.mark.parametrize("pair", ["cauchy", "halfnormal", "gumbel", "geom_p", "geom_l"])
def test_kl(pair):
    pair, make, _ = CASES[pair]
    p, q = make(), make()
    pm, pt, lp = build(pair, p)
    qm, qt, lq = build(pair, q)
    om, ot = md.kl_divergence(pm, qm), td.kl_divergence(pt, qt)
    close(om, ot, "kl")
    gm = mg.autograd.grad(om.sum(), [m for m, _ in lp + lq])
    gt = torch.autograd.grad(ot.sum(), [t for _, t in lp + lq])
    for a, b in zip(gm, gt):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-8)


def test_validation():
    for lib, D in ((mg, md), (torch, td)):
        for make in (lambda: D.Cauchy(0.0, -1.0), lambda: D.HalfNormal(lib.tensor([-1.0])),
                     lambda: D.Chi2(lib.tensor([0.0])),
                     lambda: D.StudentT(lib.tensor([-1.0]))):
            with pytest.raises(ValueError, match="Expected parameter"):
                make()
    with pytest.raises(ValueError, match="GreaterThanEq"):
        md.HalfNormal(1.0).log_prob(mg.tensor(-1.0))


@pytest.mark.parametrize("logits", [False, True])
def test_multinomial(logits):
    w = R.uniform(0.1, 1.0, (2, 4))
    p = {"logits" if logits else "probs": np.log(w) if logits else w}
    dm, dt, _ = build("Multinomial", p, total_count=6)
    assert dm.batch_shape == tuple(dt.batch_shape) and dm.event_shape == (4,)
    assert repr(dm) == repr(dt) and repr(dm.support) == repr(dt.support)
    v = R.multinomial(6, w[0] / w[0].sum(), (3, 2)).astype(float)
    kw = dict(total_count=6)
    check("Multinomial", p, lambda d, lib: d.log_prob(lib.tensor(v)), R, "log_prob", **kw)
    old = mg.get_default_dtype()      # log n! comes from an int tensor: the default dtype
    mg.set_default_dtype(mg.float64)  # (the tests run torch with float64 as default)
    try:
        check("Multinomial", p, lambda d, lib: d.entropy(), R, "entropy", rtol=1e-8, **kw)
    finally:
        mg.set_default_dtype(old)
    check("Multinomial", p, lambda d, lib: d.mean, R, "mean", **kw)
    check("Multinomial", p, lambda d, lib: d.variance, R, "variance", **kw)
    for ss in ((), (5,), (2, 3)):
        a, b = dm.sample(ss), dt.sample(ss)
        assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)[6:]
        np.testing.assert_array_equal(a.numpy().sum(-1), 6.0)
    mg.manual_seed(8)
    x = dm.sample((20000,)).numpy()
    probs = w / w.sum(-1, keepdims=True)
    np.testing.assert_array_less(np.abs(x.mean(0) - 6 * probs),
                                 5 * np.sqrt(6 * probs * (1 - probs) / 20000))
    e = dm.expand((3, 2))
    assert e.batch_shape == (3, 2) and tuple(e.sample().shape) == (3, 2, 4)
    with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
        md.Multinomial(mg.tensor(3), mg.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="within the support"):
        dm.log_prob(mg.tensor([[1.0, 2.0, 3.0, 4.0]] * 2))


def test_geometric_zero_probs():
    for lib, D in ((mg, md), (torch, td)):
        with pytest.raises(ValueError, match="to be positive but found invalid values"):
            D.Geometric(lib.tensor([0.5, 0.0]))
    check("Geometric", dict(probs=np.array([1.0, 0.5])),
          lambda d, lib: d.log_prob(lib.tensor([0.0, 2.0])), R, "p = 1")
