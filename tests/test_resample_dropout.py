"""dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout and their modules: the draws tested
statistically (mask rate within about six standard deviations, per-channel masks), the values
a kept or dropped unit takes compared with torch's, eval/p=0/p=1 exactly as torch, the
gradient through the same mask, rank rules, warnings and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F

tF = torch.nn.functional
CHANNEL = [("dropout1d", (50, 40, 6)), ("dropout1d", (400, 5)), ("dropout2d", (20, 100, 2, 3)),
           ("dropout3d", (10, 200, 2, 1, 2)), ("dropout3d", (400, 2, 1, 3)),
           ("feature_alpha_dropout", (20, 100, 3))]


def _quiet(fn, *a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **kw)


def _channels(y, shape, batched):
    """y as (units, elements per unit): a unit is a (sample, channel) pair, or a channel."""
    lead = 2 if batched else 1
    return y.reshape(int(np.prod(shape[:lead])), -1)


@pytest.mark.parametrize("name,shape", CHANNEL)
@pytest.mark.parametrize("p", [0.2, 0.7])
def test_channel_masks_rate_scale_and_gradient(name, shape, p, rng):
    batched = not (name == "dropout1d" and len(shape) == 2 or
                   name == "dropout3d" and len(shape) == 4)
    a = rng.uniform(1.0, 2.0, shape)
    x = mg.tensor(a, requires_grad=True)
    y = _quiet(getattr(F, name), x, p, True)
    assert y.dtype == x.dtype and tuple(y.shape) == shape
    units = _channels(y.detach().numpy(), shape, batched)
    xs = _channels(a, shape, batched)
    if name.startswith("feature_alpha"):
        t = tF.feature_alpha_dropout(torch.ones(4, 2000, 1), p, True).unique().numpy()
        kept_a = t.max() - tF.feature_alpha_dropout(torch.zeros(4, 2000, 1), p,
                                                    True).unique().numpy().max()
        dropped = np.isclose(units, t.min(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(units[~dropped], (kept_a * xs + (t.max() - kept_a))[~dropped],
                                   rtol=1e-12)
        scale = np.where(dropped, 0.0, kept_a)
    else:
        dropped = units == 0
        np.testing.assert_allclose(units[~dropped], xs[~dropped] / (1 - p), rtol=1e-12)
        scale = np.where(dropped, 0.0, 1 / (1 - p))
    # whole units are kept or dropped, at rate p
    assert (dropped.all(1) | ~dropped.any(1)).all()
    n = units.shape[0]
    assert abs(dropped[:, 0].mean() - p) < 6 * np.sqrt(p * (1 - p) / n)
    # the gradient multiplies by the same mask and scale
    g = rng.standard_normal(shape)
    y.backward(mg.tensor(g))
    np.testing.assert_allclose(_channels(x.grad.numpy(), shape, batched),
                               scale * _channels(g, shape, batched), rtol=1e-12)


def test_alpha_dropout_values_rate_and_moments(rng):
    p = 0.3
    t = np.unique(tF.alpha_dropout(torch.ones(20000), p, True).numpy())
    t0 = np.unique(tF.alpha_dropout(torch.zeros(20000), p, True).numpy())
    a = t.max() - t0.max()                  # torch's a; kept: a x + b_keep, dropped: b_drop
    x = mg.tensor(rng.standard_normal(200000), requires_grad=True)
    y = F.alpha_dropout(x, p, True)
    yv, xv = y.detach().numpy(), x.detach().numpy()
    dropped = np.isclose(yv, t.min(), rtol=1e-12, atol=1e-12)
    assert abs(dropped.mean() - p) < 6 * np.sqrt(p * (1 - p) / x.numel())
    np.testing.assert_allclose(yv[~dropped], a * xv[~dropped] + t0.max(),
                               rtol=1e-12, atol=1e-12)
    # SELU's fixed point: zero mean and unit variance stay so
    assert abs(yv.mean()) < 0.02 and abs(yv.var() - 1) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.where(dropped, 0.0, a), rtol=1e-12)
    assert y.dtype == np.float64
    y32 = F.alpha_dropout(mg.tensor(rng.standard_normal(10).astype(np.float32)), p, True)
    assert y32.dtype == np.float32


@pytest.mark.parametrize("name", ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                                  "feature_alpha_dropout"])
def test_eval_p0_p1_empty_and_ints_as_torch(name, rng):
    shape = {"dropout1d": (2, 3, 4), "dropout2d": (2, 3, 4, 5)}.get(name, (2, 3, 4, 5, 2))
    a = rng.standard_normal(shape)
    fn, tfn = getattr(F, name), getattr(tF, name)
    x = mg.tensor(a)
    assert fn(x, 0.5, False) is x
    assert fn(x, 0.0, True) is x
    t1 = tfn(torch.tensor(a), 1.0, True)
    np.testing.assert_array_equal(fn(x, 1.0, True).numpy(), t1.numpy())
    e = np.zeros((0,) + shape[1:])
    assert tuple(fn(mg.tensor(e), 0.5, True).shape) == tuple(tfn(torch.tensor(e), 0.5,
                                                                  True).shape)
    ints = np.ones(shape, np.int64)
    with pytest.raises(RuntimeError):
        tfn(torch.tensor(ints), 0.5, True)
    with pytest.raises(RuntimeError, match=name):
        fn(mg.tensor(ints), 0.5, True)
    assert fn(mg.tensor(ints), 0.5, False).dtype == np.int64
    for bad in [-0.1, 1.5]:
        with pytest.raises(ValueError):
            tfn(torch.tensor(a), bad, True)
        with pytest.raises(ValueError, match="between 0 and 1"):
            fn(x, bad, True)
    with pytest.raises(TypeError, match="training"):
        fn(x, 0.5, None)


def test_default_training_flags_match_torch():
    import inspect
    for name in ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]:
        ours = inspect.signature(getattr(F, name)).parameters
        theirs = inspect.signature(getattr(tF, name)).parameters
        assert list(ours) == list(theirs)
        assert [v.default for v in ours.values()] == [v.default for v in theirs.values()]


@pytest.mark.parametrize("name,shape,p,training", [
    (n, s, p, tr) for n in ["dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]
    for s in [(), (3,), (2, 3), (2, 3, 4), (2, 3, 4, 5), (2, 3, 4, 5, 6)]
    for p, tr in [(0.5, True), (1.0, True), (0.5, False)]])
def test_rank_rules_and_warnings_as_torch(name, shape, p, training, rng):
    a = rng.standard_normal(shape)
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        try:
            tout, terr = getattr(tF, name)(torch.tensor(a), p, training), None
        except RuntimeError as e:
            tout, terr = None, e
    with warnings.catch_warnings(record=True) as mw:
        warnings.simplefilter("always")
        if terr is not None:
            with pytest.raises(RuntimeError):
                getattr(F, name)(mg.tensor(a), p, training)
        else:
            out = getattr(F, name)(mg.tensor(a), p, training)
            assert tuple(out.shape) == tuple(tout.shape)
            if p == 1.0 or not training:
                np.testing.assert_array_equal(out.numpy(), tout.detach().numpy())
    assert [type(w.message) for w in mw] == [type(w.message) for w in tw]
    assert [str(w.message) for w in mw] == [str(w.message) for w in tw]


def test_inplace_writes_into_the_input(rng):
    a = rng.uniform(1, 2, (4, 50, 3))
    x = mg.tensor(a.copy())
    y = F.dropout1d(x, 0.5, True, inplace=True)
    assert y is x
    zero = (x.numpy() == 0).all(-1)
    assert zero.any() and not zero.all()
    np.testing.assert_allclose(x.numpy()[~zero], 2 * a[~zero], rtol=1e-12)
    x = mg.tensor(a.copy())
    y = F.alpha_dropout(x, 0.5, True, inplace=True)
    assert y is x and not np.allclose(x.numpy(), a)
    leaf = mg.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        F.dropout2d(leaf, 0.5, True, True)
    h = leaf * 1.0
    F.dropout2d(h, 0.5, True, True).sum().backward()
    kept = (h.detach().numpy() != 0)
    np.testing.assert_allclose(leaf.grad.numpy(), np.where(kept, 2.0, 0.0))


@pytest.mark.parametrize("name", ["Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                                  "FeatureAlphaDropout"])
def test_modules_defaults_repr_train_and_eval(name, rng):
    cls, tcls = getattr(mg.nn, name), getattr(torch.nn, name)
    for args in [(), (0.3,), (0.2, True)]:
        m, t = cls(*args), tcls(*args)
        assert repr(m) == repr(t)
        assert (m.p, m.inplace, m.training) == (t.p, t.inplace, t.training)
        assert list(m.state_dict()) == [] and list(m.parameters()) == []
    for bad in [-0.5, 1.5]:
        with pytest.raises(ValueError):
            tcls(bad)
        with pytest.raises(ValueError, match="between 0 and 1"):
            cls(bad)
    shape = (2, 30, 4) if name == "Dropout1d" else (2, 30, 2, 2, 2)
    x = mg.tensor(rng.uniform(1, 2, shape))
    m = cls(0.5)
    y = _quiet(m, x)
    assert not np.allclose(y.numpy(), x.numpy())
    m.eval()
    assert m(x) is x
    m.train()
    assert not np.allclose(_quiet(m, x).numpy(), x.numpy())
    # eval: the identity, outputs and gradients as torch's module (no state to load)
    check_module(cls(0.5).eval(), tcls(0.5).eval(), [rng.standard_normal(shape)])
    # train with p=0 and p=1: deterministic, as torch's
    for p in [0.0, 1.0]:
        check_module(cls(p), tcls(p), [rng.standard_normal(shape)])
