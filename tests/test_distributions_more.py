"""minigrad.distributions against torch.distributions in float64: Exponential, Laplace,
Gamma, Beta, Dirichlet, Poisson, Binomial, OneHotCategorical (values, parameter gradients,
shapes, sample statistics, expand) and the KL pairs among them."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as td

import minigrad as mg
import minigrad.distributions as md
from distrib_check import build, check, close

R = np.random.default_rng(1)


def _pos(*s):
    return R.uniform(0.5, 2.5, s)


def _simplex(*s):
    x = R.uniform(0.05, 1.0, s)
    return x / x.sum(-1, keepdims=True)


CASES = {
    "exp": ("Exponential", lambda: dict(rate=_pos(2, 3)), lambda s: R.exponential(1.0, s)),
    "exp0d": ("Exponential", lambda: dict(rate=np.array(1.3)), lambda s: R.exponential(1, s)),
    "laplace": ("Laplace", lambda: dict(loc=R.standard_normal(3), scale=_pos(2, 3)),
                lambda s: R.standard_normal(s)),
    "gamma": ("Gamma", lambda: dict(concentration=_pos(2, 3), rate=_pos(3)),
              lambda s: R.gamma(2.0, 1.0, s)),
    "gamma_small": ("Gamma", lambda: dict(concentration=R.uniform(0.1, 0.9, 4), rate=2.0),
                    lambda s: R.gamma(0.5, 1.0, s)),
    "beta": ("Beta", lambda: dict(concentration1=_pos(2, 3), concentration0=_pos(3)),
             lambda s: R.uniform(0.05, 0.95, s)),
    "poisson": ("Poisson", lambda: dict(rate=_pos(2, 3) * 3),
                lambda s: R.poisson(3.0, s).astype(float)),
    "binom_p": ("Binomial", lambda: dict(total_count=np.full((2, 3), 7.0),
                                         probs=R.uniform(0.1, 0.9, (2, 3))),
                lambda s: R.integers(0, 8, s).astype(float)),
    "binom_l": ("Binomial", lambda: dict(total_count=5, logits=R.standard_normal(4)),
                lambda s: R.integers(0, 6, s).astype(float)),
}
EVENT = {   # distributions with an event dim: (name, params, value maker, event size)
    "dirichlet": ("Dirichlet", lambda: dict(concentration=_pos(2, 4)),
                  lambda s: _simplex(*s, 4)),
    "dirichlet1d": ("Dirichlet", lambda: dict(concentration=R.uniform(0.3, 0.9, 3)),
                    lambda s: _simplex(*s, 3)),
    "onehot_p": ("OneHotCategorical", lambda: dict(probs=_simplex(2, 4)),
                 lambda s: np.eye(4)[R.integers(0, 4, s)]),
    "onehot_l": ("OneHotCategorical", lambda: dict(logits=R.standard_normal((3, 4))),
                 lambda s: np.eye(4)[R.integers(0, 4, s)]),
}
METHODS = {"mean": lambda d, lib: d.mean, "variance": lambda d, lib: d.variance,
           "stddev": lambda d, lib: d.stddev, "entropy": lambda d, lib: d.entropy(),
           "mode": lambda d, lib: d.mode}
ALL = {**CASES, **EVENT}


def _bshape(name, p):
    d = getattr(td, name)(**{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                             for k, v in p.items()})
    return tuple(d.batch_shape)


@pytest.mark.parametrize("case", sorted(ALL))
@pytest.mark.parametrize("method", sorted(METHODS))
def test_properties(case, method):
    name, params, _ = ALL[case]
    if method == "entropy" and name == "Poisson":
        return      # torch has no closed form either (NotImplementedError)
    check(name, params(), METHODS[method], R, method)


@pytest.mark.parametrize("case", sorted(ALL))
@pytest.mark.parametrize("vshape", [(), (3,)])
def test_log_prob(case, vshape):
    name, params, values = ALL[case]
    p = params()
    v = values(vshape + _bshape(name, p))
    check(name, p, lambda d, lib: d.log_prob(lib.tensor(v)), R, "log_prob", rtol=1e-8)


@pytest.mark.parametrize("case", ["exp", "exp0d", "laplace", "gamma", "gamma_small"])
def test_cdf_icdf(case):
    name, params, values = CASES[case]
    p = params()
    bs = _bshape(name, p)
    v, u = values(bs), R.uniform(0.01, 0.99, bs)
    check(name, p, lambda d, lib: d.cdf(lib.tensor(v)), R, "cdf", grad=name != "Gamma")
    if name != "Gamma":     # torch's Gamma has no icdf
        check(name, p, lambda d, lib: d.icdf(lib.tensor(u)), R, "icdf")


@pytest.mark.parametrize("case", sorted(ALL))
@pytest.mark.parametrize("ss", [(), (3,), (2, 3)])
def test_sample_shapes(case, ss):
    name, params, _ = ALL[case]
    dm, dt, _ = build(name, params())
    a, b = dm.sample(ss), dt.sample(ss)
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype)[6:]
    assert not a.requires_grad
    assert dm.has_rsample == dt.has_rsample
    assert dm.batch_shape == tuple(dt.batch_shape)
    assert dm.event_shape == tuple(dt.event_shape)
    assert repr(dm) == repr(dt)
    if dm.has_rsample:
        a, b = dm.rsample(ss), dt.rsample(ss)
        assert tuple(a.shape) == tuple(b.shape) and a.requires_grad


@pytest.mark.parametrize("case", ["exp", "laplace", "gamma", "gamma_small", "beta",
                                  "poisson", "binom_p", "binom_l", "dirichlet", "dirichlet1d",
                                  "onehot_p"])
def test_sample_statistics(case):
    name, params, _ = ALL[case]
    mg.manual_seed(99)
    dm, dt, _ = build(name, params(), grad=False)
    n = 20000
    x = dm.sample((n,)).numpy()
    mean, var = dt.mean.numpy(), dt.variance.numpy()
    np.testing.assert_array_less(np.abs(x.mean(0) - mean), 5 * np.sqrt(var / n) + 1e-12)
    np.testing.assert_allclose(x.var(0), var, rtol=0.1)


@pytest.mark.parametrize("name", ["Exponential", "Laplace"])
def test_rsample_gradients(name):
    a = mg.tensor(1.7, dtype=mg.float64, requires_grad=True)
    if name == "Exponential":   # x = e / rate: dx/drate = -x / rate
        x = md.Exponential(a).rsample((40,))
        (g,) = mg.autograd.grad(x.sum(), [a])
        np.testing.assert_allclose(g.item(), -(x.detach().numpy() / 1.7).sum(), rtol=1e-10)
    else:                       # x = loc + scale * z: dx/dscale = (x - loc) / scale
        loc = mg.tensor(0.3, dtype=mg.float64, requires_grad=True)
        x = md.Laplace(loc, a).rsample((40,))
        gl, gs = mg.autograd.grad(x.sum(), [loc, a])
        np.testing.assert_allclose(gl.item(), 40)
        np.testing.assert_allclose(gs.item(), ((x.detach().numpy() - 0.3) / 1.7).sum(),
                                   rtol=1e-10)


@pytest.mark.parametrize("conc", [[0.3, 1.5, 2.0], [8.0, 9.0, 30.0], [0.05, 0.1, 5.0],
                                  [[1.2, 0.7], [20.0, 0.5]]])
def test_dirichlet_rsample_gradient(conc):
    # torch's _Dirichlet backward at minigrad's draws
    from torch.distributions.dirichlet import _Dirichlet_backward
    conc = np.array(conc)
    c = mg.tensor(conc, requires_grad=True)
    mg.manual_seed(3)
    x = md.Dirichlet(c).rsample((50,))
    assert x.requires_grad and tuple(x.shape) == (50,) + conc.shape
    w = R.standard_normal(tuple(x.shape))
    (gm,) = mg.autograd.grad((x * mg.tensor(w)).sum(), [c])
    ct = torch.tensor(np.broadcast_to(conc, x.shape).copy())
    gt = _Dirichlet_backward(torch.tensor(x.detach().numpy()), ct, torch.tensor(w)).sum(0)
    np.testing.assert_allclose(gm.numpy(), gt.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(x.detach().numpy().sum(-1), 1.0, rtol=1e-12)


def test_beta_rsample_gradient():
    from torch.distributions.dirichlet import _Dirichlet_backward
    a = mg.tensor([0.5, 2.0, 9.0], dtype=mg.float64, requires_grad=True)
    b = mg.tensor([1.5, 0.3, 7.0], dtype=mg.float64, requires_grad=True)
    mg.manual_seed(4)
    x = md.Beta(a, b).rsample((40,))
    ga, gb = mg.autograd.grad(x.sum(), [a, b])
    xs = x.detach().numpy()
    both = torch.tensor(np.stack([xs, 1 - xs], -1))
    conc = torch.tensor(np.broadcast_to(np.stack([[0.5, 2.0, 9.0], [1.5, 0.3, 7.0]], -1),
                                        both.shape).copy())
    g = torch.zeros_like(both)
    g[..., 0] = 1.0
    gt = _Dirichlet_backward(both, conc, g).sum(0)
    np.testing.assert_allclose(ga.numpy(), gt[:, 0].numpy(), rtol=1e-9)
    np.testing.assert_allclose(gb.numpy(), gt[:, 1].numpy(), rtol=1e-9)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gamma_rsample_gradient(dtype):
    # d x / d concentration at the draws: torch's _standard_gamma_grad(c, x * rate) / rate
    conc = np.array([0.05, 0.3, 0.9, 1.5, 4.0, 7.9, 9.0, 30.0, 200.0])
    c = mg.tensor(conc, dtype=getattr(mg, dtype), requires_grad=True)
    r = mg.tensor(1.7, dtype=getattr(mg, dtype), requires_grad=True)
    mg.manual_seed(11)
    x = md.Gamma(c, r).rsample((300,))
    assert x.dtype == c.dtype and tuple(x.shape) == (300, 9)
    gc, gr = mg.autograd.grad(x.sum(), [c, r])
    xs = x.detach().numpy().astype(np.float64)
    ref = torch._standard_gamma_grad(torch.tensor(np.broadcast_to(conc, xs.shape).copy()),
                                     torch.tensor(xs * 1.7)).numpy() / 1.7
    tol = 1e-10 if dtype == "float64" else 2e-4
    np.testing.assert_allclose(gc.numpy(), ref.sum(0), rtol=tol)
    np.testing.assert_allclose(gr.item(), -(xs / 1.7).sum(), rtol=tol)
    x = md.Gamma(c, r).rsample()
    (g,) = mg.autograd.grad(x.sum(), [c], create_graph=True)
    with pytest.raises(NotImplementedError, match="_standard_gamma_grad"):
        mg.autograd.grad(g.sum(), [c])


def test_gamma_rsample_statistics():
    mg.manual_seed(5)
    conc, rate = np.array([0.2, 1.0, 5.0]), np.array([1.0, 2.0, 0.5])
    x = md.Gamma(mg.tensor(conc), mg.tensor(rate)).rsample((20000,)).numpy()
    mean, var = conc / rate, conc / rate ** 2
    np.testing.assert_array_less(np.abs(x.mean(0) - mean), 5 * np.sqrt(var / 20000))
    np.testing.assert_allclose(x.var(0), var, rtol=0.1)


@pytest.mark.parametrize("case", ["exp", "laplace", "gamma", "beta", "poisson", "binom_p",
                                  "dirichlet", "onehot_l"])
def test_expand(case):
    name, params, values = ALL[case]
    dm, dt, _ = build(name, params())
    new = (5,) + tuple(dt.batch_shape)
    em, et = dm.expand(new), dt.expand(new)
    assert em.batch_shape == tuple(et.batch_shape) and em.event_shape == tuple(et.event_shape)
    v = values(new)
    close(em.log_prob(mg.tensor(v)), et.log_prob(torch.tensor(v)), "expand log_prob",
          rtol=1e-8)
    assert tuple(em.sample((2,)).shape) == tuple(et.sample((2,)).shape)


def test_enumerate_support():
    for name, p in (("Binomial", dict(total_count=4, probs=R.uniform(0.1, 0.9, 3))),
                    ("OneHotCategorical", dict(probs=_simplex(2, 3))),
                    ("Bernoulli", dict(probs=R.uniform(0.1, 0.9, (2, 3))))):
        for expand in (True, False):
            check(name, p, lambda d, lib: d.enumerate_support(expand), R, "enum", grad=False)


def test_dirichlet_mode_all_below_one():
    check("Dirichlet", dict(concentration=np.array([[0.5, 0.7, 0.2], [2.0, 0.5, 3.0]])),
          METHODS["mode"], R, "mode")


KL_PARAMS = {
    "Exponential": lambda: dict(rate=_pos(3)), "Laplace": lambda: dict(loc=R.standard_normal(3),
                                                                       scale=_pos(3)),
    "Gamma": lambda: dict(concentration=_pos(3), rate=_pos(3)),
    "Beta": lambda: dict(concentration1=_pos(3), concentration0=_pos(3)),
    "Poisson": lambda: dict(rate=_pos(3)), "Normal": lambda: dict(loc=R.standard_normal(3),
                                                                  scale=_pos(3)),
    "Uniform": lambda: dict(low=np.array([0.1, -0.5, 0.2]), high=np.array([0.7, 0.9, 3.0])),
    "Bernoulli": lambda: dict(probs=R.uniform(0.1, 0.9, 3)),
    "Binomial": lambda: dict(total_count=np.array([5.0, 6.0, 5.0]), probs=_simplex(3)),
    "Dirichlet": lambda: dict(concentration=_pos(3, 4)),
    "OneHotCategorical": lambda: dict(logits=R.standard_normal((3, 4))),
}
KL_PAIRS = [("Beta", "Beta"), ("Binomial", "Binomial"), ("Dirichlet", "Dirichlet"),
            ("Exponential", "Exponential"), ("Gamma", "Gamma"), ("Laplace", "Laplace"),
            ("OneHotCategorical", "OneHotCategorical"), ("Poisson", "Poisson"),
            ("Bernoulli", "Poisson"), ("Beta", "Exponential"), ("Beta", "Gamma"),
            ("Beta", "Normal"), ("Beta", "Uniform"), ("Exponential", "Beta"),
            ("Exponential", "Uniform"), ("Exponential", "Gamma"), ("Exponential", "Normal"),
            ("Gamma", "Beta"), ("Gamma", "Uniform"), ("Gamma", "Exponential"),
            ("Gamma", "Normal"), ("Laplace", "Beta"), ("Laplace", "Exponential"),
            ("Laplace", "Gamma"), ("Laplace", "Uniform"), ("Normal", "Beta"),
            ("Normal", "Exponential"), ("Normal", "Gamma"), ("Laplace", "Normal"),
            ("Normal", "Laplace"), ("Poisson", "Bernoulli"), ("Poisson", "Binomial"),
            ("Uniform", "Beta"), ("Uniform", "Exponential"), ("Uniform", "Gamma")]


@pytest.mark.parametrize("pq", KL_PAIRS, ids=lambda pq: f"{pq[0]}-{pq[1]}")
def test_kl(pq):
    a, b = pq
    pm, pt, lp = build(a, KL_PARAMS[a]())
    qp = KL_PARAMS[b]()
    if a == b == "Binomial":
        qp["total_count"] = np.array([5.0, 4.0, 5.0])
    qm, qt, lq = build(b, qp)
    om, ot = md.kl_divergence(pm, qm), td.kl_divergence(pt, qt)
    close(om, ot, f"kl {a} {b}", rtol=1e-8)
    leaves = lp + lq
    if ot.requires_grad:
        w = np.where(np.isfinite(ot.detach().numpy()), R.standard_normal(ot.shape), 0.0)
        gt = torch.autograd.grad((ot * torch.tensor(w)).sum(), [t for _, t in leaves],
                                 allow_unused=True)
        gm = mg.autograd.grad((om * mg.tensor(w)).sum(), [m for m, _ in leaves],
                              allow_unused=True)
        for x, y in zip(gm, gt):
            if y is None:
                assert x is None or not np.any(x.numpy())
                continue
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-7, atol=1e-10)


def test_kl_binomial_bigger_q_count():
    p = md.Binomial(mg.tensor([3.0]), mg.tensor([0.5]))
    q = md.Binomial(mg.tensor([4.0]), mg.tensor([0.5]))
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        md.kl_divergence(p, q)


F32 = {"Normal": dict(loc=[0.5, -1.0], scale=[1.0, 2.0]), "Exponential": dict(rate=[0.5, 2.0]),
       "Gamma": dict(concentration=[0.5, 3.0], rate=[1.0, 2.0]),
       "Beta": dict(concentration1=[0.5, 3.0], concentration0=[2.0, 1.0]),
       "Laplace": dict(loc=[0.0, 1.0], scale=[1.0, 0.5]), "Poisson": dict(rate=[0.5, 4.0]),
       "Bernoulli": dict(logits=[0.3, -2.0]), "Uniform": dict(low=[0.0, -1.0], high=[1.0, 2.0]),
       "Categorical": dict(logits=[[0.3, -2.0, 1.0]]), "LogNormal": dict(loc=[0.0, 1.0],
                                                                          scale=[1.0, 0.5]),
       "Dirichlet": dict(concentration=[0.5, 2.0, 1.0])}


@pytest.mark.parametrize("name", sorted(F32))
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_other_dtypes(name, dtype):
    # parameters in float32 / float16: results in that dtype, values as torch's
    args = F32[name]
    dm = getattr(md, name)(**{k: mg.tensor(v, dtype=getattr(mg, dtype)) for k, v in args.items()})
    dt = getattr(td, name)(**{k: torch.tensor(v, dtype=getattr(torch, dtype))
                              for k, v in args.items()})
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=3e-3, atol=3e-3)
    try:
        s = dt.sample((3,))
    except NotImplementedError as e:       # torch draws no half Gamma / Dirichlet
        with pytest.raises(NotImplementedError, match=str(e).replace("'", ".")):
            dm.sample((3,))
        return
    a, b = dm.sample((3,)), dt.sample((3,))
    assert str(a.dtype) == str(b.dtype)[6:] and tuple(a.shape) == tuple(b.shape)
    for what, fm, ft in (("log_prob", lambda d: d.log_prob(mg.tensor(s.numpy())),
                          lambda d: d.log_prob(s)),
                         ("mean", lambda d: d.mean, lambda d: d.mean)):
        try:
            ot = ft(dt)
        except (RuntimeError, NotImplementedError) as e:     # torch's half gaps
            with pytest.raises(type(e)):
                fm(dm)
            continue
        om = fm(dm)
        assert str(om.dtype) == str(ot.dtype)[6:], (what, om.dtype, ot.dtype)
        np.testing.assert_allclose(om.numpy().astype(float), ot.numpy().astype(float),
                                   equal_nan=True, err_msg=what, **tol)
