"""minigrad.distributions against torch.distributions in float64: Normal, Bernoulli,
Categorical, Uniform, Independent (values, parameter gradients, shapes, sample statistics,
validation errors, expand, repr) and the base class."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as td

import minigrad as mg
import minigrad.distributions as md
from distrib_check import build, check, close

R = np.random.default_rng(0)


def _pos(*s):
    return R.uniform(0.5, 2.0, s)


def _p(*s):
    return R.uniform(0.05, 0.95, s)


# name, params, a function drawing support values of a given shape
CASES = {
    "normal": ("Normal", lambda: dict(loc=R.standard_normal((2, 3)), scale=_pos(3)),
               lambda s: R.standard_normal(s)),
    "normal0d": ("Normal", lambda: dict(loc=np.array(0.3), scale=np.array(1.7)),
                 lambda s: R.standard_normal(s)),
    "normal_float": ("Normal", lambda: dict(loc=R.standard_normal(4), scale=2.0),
                     lambda s: R.standard_normal(s)),
    "bern_p": ("Bernoulli", lambda: dict(probs=_p(2, 3)),
               lambda s: R.integers(0, 2, s).astype(float)),
    "bern_l": ("Bernoulli", lambda: dict(logits=3 * R.standard_normal((4,))),
               lambda s: R.integers(0, 2, s).astype(float)),
    "uniform": ("Uniform", lambda: dict(low=-_pos(3), high=3 + _pos(2, 3)),
                lambda s: R.uniform(0.2, 1.0, s)),
}
METHODS = {"mean": lambda d, lib: d.mean, "variance": lambda d, lib: d.variance,
           "stddev": lambda d, lib: d.stddev, "entropy": lambda d, lib: d.entropy(),
           "mode": lambda d, lib: d.mode}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("method", sorted(METHODS))
def test_properties(case, method):
    name, params, _ = CASES[case]
    check(name, params(), METHODS[method], R, method)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("vshape", [(), (3,), (5, 2, 3)])
def test_log_prob(case, vshape):
    name, params, values = CASES[case]
    p = params()
    bs = np.broadcast_shapes(*[np.shape(v) for v in p.values()])
    shape = vshape + bs if vshape else bs
    v = values(shape)
    check(name, p, lambda d, lib: d.log_prob(lib.tensor(v)), R, "log_prob")


@pytest.mark.parametrize("case", ["normal", "normal0d", "uniform"])
def test_cdf_icdf(case):
    name, params, values = CASES[case]
    p = params()
    bs = np.broadcast_shapes(*[np.shape(v) for v in p.values()])
    v, u = values(bs), R.uniform(0.01, 0.99, bs)
    check(name, p, lambda d, lib: d.cdf(lib.tensor(v)), R, "cdf")
    check(name, p, lambda d, lib: d.icdf(lib.tensor(u)), R, "icdf")


def test_normal_second_derivative():
    loc, scale, x = R.standard_normal(3), _pos(3), R.standard_normal(3)
    out = []
    for lib, D in ((mg, md), (torch, td)):
        lo, sc = lib.tensor(loc, requires_grad=True), lib.tensor(scale, requires_grad=True)
        lp = D.Normal(lo, sc).log_prob(lib.tensor(x)).sum()
        (g,) = lib.autograd.grad(lp, [sc], create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), [sc])
        out.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-10)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-10)


@pytest.mark.parametrize("probs", [True, False])
@pytest.mark.parametrize("bshape", [(), (4,), (2, 3)])
def test_categorical(probs, bshape):
    k = 5
    w = R.uniform(0.1, 1.0, bshape + (k,)) if probs else R.standard_normal(bshape + (k,))
    p = {"probs" if probs else "logits": w}
    for method in ("entropy", "mean", "variance", "mode"):
        check("Categorical", p, METHODS[method], R, method)
    check("Categorical", p, lambda d, lib: d.probs, R, "probs")
    check("Categorical", p, lambda d, lib: d.logits, R, "logits")
    v = R.integers(0, k, (3,) + bshape)
    check("Categorical", p, lambda d, lib: d.log_prob(lib.tensor(v)), R, "log_prob")
    check("Categorical", p, lambda d, lib: d.enumerate_support(), R, "support", grad=False)
    dm, dt, _ = build("Categorical", p)
    assert dm.batch_shape == tuple(dt.batch_shape) and dm.event_shape == ()
    for ss in [(), (3,), (2, 3)]:
        s = dm.sample(ss)
        assert tuple(s.shape) == tuple(dt.sample(ss).shape) and s.dtype == mg.int64


def test_categorical_zero_probs():
    p = np.array([[0.0, 0.5, 0.5], [0.2, 0.0, 0.8]])
    check("Categorical", {"probs": p}, METHODS["entropy"], R, "entropy")
    q = np.array([[0.1, 0.0, 0.9], [0.2, 0.3, 0.5]])
    out = md.kl_divergence(md.Categorical(mg.tensor(p)), md.Categorical(mg.tensor(q)))
    ref = td.kl_divergence(td.Categorical(torch.tensor(p)), td.Categorical(torch.tensor(q)))
    close(out, ref, "kl categorical zeros")


@pytest.mark.parametrize("case", ["normal", "normal0d", "normal_float", "uniform", "bern_p",
                                  "bern_l"])
@pytest.mark.parametrize("ss", [(), (3,), (2, 3)])
def test_sample_shapes(case, ss):
    name, params, _ = CASES[case]
    dm, dt, leaves = build(name, params())
    for m in ("sample",) + (("rsample",) if dt.has_rsample else ()):
        a, b = getattr(dm, m)(ss), getattr(dt, m)(ss)
        assert tuple(a.shape) == tuple(b.shape), (m, a.shape, b.shape)
        assert str(a.dtype) == str(b.dtype).replace("torch.", "")
        assert a.requires_grad == b.requires_grad, m
    assert dm.has_rsample == dt.has_rsample
    assert dm.batch_shape == tuple(dt.batch_shape)
    assert dm.event_shape == tuple(dt.event_shape)


def _stats(draws, mean, var, n):
    """draws' mean within 5 standard errors of mean, variance within 10% of var."""
    np.testing.assert_array_less(np.abs(draws.mean(0) - mean), 5 * np.sqrt(var / n) + 1e-12)
    np.testing.assert_allclose(draws.var(0), var, rtol=0.1, atol=1e-12)


@pytest.mark.parametrize("case", ["normal", "uniform", "bern_p", "bern_l"])
def test_sample_statistics(case):
    name, params, _ = CASES[case]
    mg.manual_seed(1234)
    dm, dt, _ = build(name, params())
    n = 20000
    draws = dm.sample((n,)).numpy()
    _stats(draws, dt.mean.detach().numpy(), dt.variance.detach().numpy(), n)
    if dm.has_rsample:
        _stats(dm.rsample((n,)).detach().numpy(), dt.mean.detach().numpy(),
               dt.variance.detach().numpy(), n)


def test_categorical_sample_frequencies():
    mg.manual_seed(7)
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    n = 20000
    s = md.Categorical(mg.tensor(p)).sample((n,)).numpy()
    freq = np.stack([(s == k).mean(0) for k in range(3)], -1)
    np.testing.assert_array_less(np.abs(freq - p), 5 * np.sqrt(p * (1 - p) / n))


def test_seeding():
    d = md.Normal(mg.zeros(3, dtype=mg.float64), mg.ones(3, dtype=mg.float64))
    mg.manual_seed(5)
    a = d.rsample((4,))
    mg.manual_seed(5)
    b = d.rsample((4,))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("name,p", [("Normal", dict(loc=0.5, scale=2.0)),
                                    ("Uniform", dict(low=-1.0, high=3.0))])
def test_rsample_gradients(name, p):
    # d(sample)/d(params) against the analytic reparameterisation
    a = mg.tensor(list(p.values())[0], dtype=mg.float64, requires_grad=True)
    b = mg.tensor(list(p.values())[1], dtype=mg.float64, requires_grad=True)
    d = getattr(md, name)(a, b)
    x = d.rsample((50,))
    ga, gb = mg.autograd.grad(x.sum(), [a, b])
    if name == "Normal":    # x = loc + scale * eps, eps = (x - loc) / scale
        eps = (x.detach().numpy() - 0.5) / 2.0
        np.testing.assert_allclose(ga.item(), 50)
        np.testing.assert_allclose(gb.item(), eps.sum(), rtol=1e-10)
    else:                   # x = low + u (high - low), u = (x - low) / (high - low)
        u = (x.detach().numpy() + 1.0) / 4.0
        np.testing.assert_allclose(ga.item(), (1 - u).sum(), rtol=1e-10)
        np.testing.assert_allclose(gb.item(), u.sum(), rtol=1e-10)


def test_sample_no_grad():
    loc = mg.zeros(3, dtype=mg.float64, requires_grad=True)
    d = md.Normal(loc, 1.0)
    assert not d.sample().requires_grad and d.rsample().requires_grad


@pytest.mark.parametrize("case", ["normal", "normal0d", "bern_p", "bern_l", "uniform"])
def test_expand(case):
    name, params, values = CASES[case]
    p = params()
    dm, dt, _ = build(name, p)
    new = (4,) + tuple(dt.batch_shape)
    em, et = dm.expand(new), dt.expand(new)
    assert em.batch_shape == tuple(et.batch_shape) and type(em) is type(dm)
    v = values(new)
    close(em.log_prob(mg.tensor(v)), et.log_prob(torch.tensor(v)), "expand log_prob")
    assert tuple(em.sample((2,)).shape) == tuple(et.sample((2,)).shape)
    assert em._validate_args == dm._validate_args


def test_broadcast_params():
    check("Normal", dict(loc=R.standard_normal((4, 1)), scale=_pos(3)),
          lambda d, lib: d.log_prob(lib.tensor(np.ones((4, 3)))), R, "bcast")
    check("Uniform", dict(low=np.zeros((2, 1)), high=_pos(1, 5) + 1),
          lambda d, lib: d.entropy(), R, "bcast")


def test_independent():
    loc, scale = R.standard_normal((2, 3, 4)), _pos(2, 3, 4)
    for n in (0, 1, 2, 3):
        im = md.Independent(md.Normal(mg.tensor(loc), mg.tensor(scale)), n)
        it = td.Independent(td.Normal(torch.tensor(loc), torch.tensor(scale)), n)
        assert im.batch_shape == tuple(it.batch_shape)
        assert im.event_shape == tuple(it.event_shape)
        assert repr(im) == repr(it) and repr(im.support) == repr(it.support)
        v = R.standard_normal((5, 2, 3, 4))
        close(im.log_prob(mg.tensor(v)), it.log_prob(torch.tensor(v)), "ind log_prob")
        close(im.entropy(), it.entropy(), "ind entropy")
        close(im.mean, it.mean, "ind mean")
        assert tuple(im.rsample((2,)).shape) == tuple(it.rsample((2,)).shape)
        e = im.expand((6,) + im.batch_shape)
        assert e.batch_shape == tuple(it.expand((6,) + tuple(it.batch_shape)).batch_shape)
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims <= "):
        md.Independent(md.Normal(mg.zeros(2), 1.0), 2)


@pytest.mark.parametrize("pair", ["nn", "uu", "un", "nu", "bb", "cc", "ii"])
def test_kl(pair):
    n1 = dict(loc=R.standard_normal(3), scale=_pos(3))
    n2 = dict(loc=R.standard_normal(3), scale=_pos(3))
    u1 = dict(low=R.uniform(-1, 0, 3), high=R.uniform(1, 2, 3))
    u2 = dict(low=np.array([-2.0, -0.5, -3.0]), high=np.array([3.0, 3.0, 0.5]))
    specs = {"nn": (("Normal", n1), ("Normal", n2)), "uu": (("Uniform", u1), ("Uniform", u2)),
             "un": (("Uniform", u1), ("Normal", n2)), "nu": (("Normal", n1), ("Uniform", u1)),
             "bb": (("Bernoulli", dict(probs=np.array([0.0, 0.3, 1.0, 0.6]))),
                    ("Bernoulli", dict(probs=np.array([0.2, 0.0, 0.4, 1.0])))),
             "cc": (("Categorical", dict(logits=R.standard_normal((2, 4)))),
                    ("Categorical", dict(probs=_pos(2, 4))))}
    if pair == "ii":
        pm, pt, lp = build("Normal", dict(loc=R.standard_normal((2, 3)), scale=_pos(2, 3)))
        qm, qt, lq = build("Normal", n2)
        pm, pt, qm, qt = (md.Independent(pm, 1), td.Independent(pt, 1),
                          md.Independent(qm, 1), td.Independent(qt, 1))
    else:
        (a, pa), (b, qa) = specs[pair]
        pm, pt, lp = build(a, pa)
        qm, qt, lq = build(b, qa)
    om, ot = md.kl_divergence(pm, qm), td.kl_divergence(pt, qt)
    close(om, ot, f"kl {pair}")
    leaves = lp + lq
    if ot.requires_grad and leaves:
        w = np.where(np.isfinite(ot.detach().numpy()), 1.0, 0.0)
        gt = torch.autograd.grad((ot * torch.tensor(w)).sum(), [t for _, t in leaves],
                                 allow_unused=True)
        gm = mg.autograd.grad((om * mg.tensor(w)).sum(), [m for m, _ in leaves],
                              allow_unused=True)
        for a, b in zip(gm, gt):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-8, atol=1e-10,
                                       equal_nan=True)


def test_kl_registry():
    with pytest.raises(NotImplementedError, match="No KL"):
        md.kl_divergence(md.Bernoulli(0.3), md.Categorical(mg.tensor([0.5, 0.5])))

    class MyNormal(md.Normal):
        pass

    @md.register_kl(MyNormal, md.Normal)
    def _kl(p, q):
        return p.loc * 0 + 42.0

    try:
        out = md.kl_divergence(MyNormal(0.0, 1.0), md.Normal(0.0, 1.0))
        assert out.item() == 42.0
        assert md.kl_divergence(md.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0
    finally:
        from minigrad.distributions import kl
        kl._KL_REGISTRY.pop((MyNormal, md.Normal))
        kl._KL_MEMOIZE.clear()
    with pytest.raises(TypeError, match="type_p"):
        md.register_kl(int, md.Normal)


def test_misc_methods():
    loc = np.array([0.1, -0.4])
    dm, dt = md.Normal(mg.tensor(loc), 2.0), td.Normal(torch.tensor(loc), 2.0)
    close(dm.perplexity(), dt.perplexity(), "perplexity")
    with pytest.warns(FutureWarning):
        assert tuple(dm.sample_n(4).shape) == (4, 2)
    bm = md.Bernoulli(mg.tensor([0.5, 0.2, 0.7], dtype=mg.float64))
    bt = td.Bernoulli(torch.tensor([0.5, 0.2, 0.7]))
    close(bm.mode, bt.mode, "bernoulli mode (nan at 0.5)")
    ind = md.Independent(md.Bernoulli(mg.tensor([[0.5, 0.2]])), 1)
    assert not ind.has_enumerate_support and md.Independent(bm, 0).has_enumerate_support
    with pytest.raises(NotImplementedError, match="cartesian product"):
        ind.enumerate_support()
    with pytest.raises(NotImplementedError, match="does not implement mode"):
        md.Distribution().mode
    with pytest.raises(TypeError, match="sample_shape"):
        dm.sample(3)


def test_straight_through():
    p = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    pm = mg.tensor(p, requires_grad=True)
    d = md.OneHotCategoricalStraightThrough(probs=pm)
    assert d.has_rsample
    x = d.rsample((4,))
    w = R.standard_normal((4, 2, 3))
    (g,) = mg.autograd.grad((x * mg.tensor(w)).sum(), [pm])
    # x = onehot + probs - probs.detach(), probs = p / sum(p): d/dp of sum(w probs)
    pt = torch.tensor(p, requires_grad=True)
    probs = pt / pt.sum(-1, keepdim=True)
    (gt,) = torch.autograd.grad((torch.tensor(w) * probs).sum(), [pt])
    np.testing.assert_allclose(g.numpy(), gt.numpy(), rtol=1e-10)
    np.testing.assert_array_equal(x.detach().numpy().sum(-1), 1.0)
