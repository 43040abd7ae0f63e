"""dropout, drop_path and gumbel_softmax: statistics of the draws (tolerances of about six
standard deviations), scaling, the mask reused in backward, seeding, train/eval, bad input."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minigrad as mg
import minigrad.nn.functional as F


def _sigma(p, n):
    return np.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_fraction_scaling_and_backward_mask(device, p):
    n = 200_000
    x = mg.tensor(np.random.default_rng().random(n) + 0.5, device=device, requires_grad=True)
    y = F.dropout(x, p)
    out, xv = y.detach().numpy(), x.detach().numpy()
    dropped = out == 0
    assert abs(dropped.mean() - p) < 6 * _sigma(p, n)
    np.testing.assert_allclose(out[~dropped], xv[~dropped] / (1 - p), rtol=1e-12)
    g = np.random.default_rng().standard_normal(n)
    y.backward(mg.tensor(g, device=device))
    expected = np.where(dropped, 0.0, g / (1 - p))       # same mask as the forward
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


def test_dropout_preserves_the_mean_and_keeps_dtype():
    x = mg.ones(100_000)
    y = F.dropout(x, 0.3)
    assert y.dtype == mg.float32
    assert abs(y.numpy().mean() - 1) < 6 * np.sqrt(0.3 / 0.7 / 100_000)


def test_dropout_edge_cases_and_errors():
    x = mg.randn(50, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    y = F.dropout(x, 1.0)
    assert np.all(y.detach().numpy() == 0) and np.isfinite(y.detach().numpy()).all()
    for bad in [-0.1, 1.5]:
        with pytest.raises(ValueError, match=f"between 0 and 1, but got {bad}"):
            F.dropout(x, bad)
        with pytest.raises(ValueError, match="between 0 and 1"):
            mg.nn.Dropout(bad)


def test_manual_seed_fixes_every_draw():
    x = mg.randn(1000)
    outs = []
    for _ in range(2):
        mg.manual_seed(1234)
        outs.append((F.dropout(x, 0.5).numpy(), F.drop_path(x.reshape(100, 10), 0.5, True).numpy(),
                     F.gumbel_softmax(x.reshape(100, 10), hard=True).numpy()))
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(F.dropout(x, 0.5).numpy(), outs[0][0])


def test_dropout_module_train_eval():
    m = mg.nn.Dropout(0.5)
    x = mg.ones(10_000)
    assert (m(x).numpy() == 0).any()
    m.eval()
    assert m(x) is x
    assert repr(m) == repr(torch.nn.Dropout(0.5))


@pytest.mark.parametrize("drop_prob", [0.2, 0.6])
@pytest.mark.parametrize("scale_by_keep", [True, False])
def test_drop_path_per_sample(device, drop_prob, scale_by_keep):
    n = 20_000
    rng = np.random.default_rng()
    xv = rng.random((n, 3, 2)) + 0.5
    x = mg.tensor(xv, device=device, requires_grad=True)
    y = F.drop_path(x, drop_prob, training=True, scale_by_keep=scale_by_keep)
    out = y.detach().numpy()
    dropped = np.all(out == 0, axis=(1, 2))
    kept = np.all(out != 0, axis=(1, 2))
    assert np.all(dropped | kept)                        # a whole sample is kept or dropped
    assert abs(dropped.mean() - drop_prob) < 6 * _sigma(drop_prob, n)
    scale = 1 / (1 - drop_prob) if scale_by_keep else 1.0
    np.testing.assert_allclose(out[kept], xv[kept] * scale, rtol=1e-12)
    g = rng.standard_normal(xv.shape)
    y.backward(mg.tensor(g, device=device))
    np.testing.assert_allclose(x.grad.numpy(), g * kept[:, None, None] * scale, rtol=1e-12)


def test_drop_path_identity_cases_module_and_errors():
    x = mg.randn(8, 4)
    assert F.drop_path(x, 0.5) is x                       # training=False is the default
    assert F.drop_path(x, 0.0, training=True) is x
    assert np.all(F.drop_path(x, 1.0, training=True).numpy() == 0)
    m = mg.nn.DropPath(0.5)
    assert (m(mg.ones(400, 2)).numpy() == 0).any()
    m.eval()
    assert m(x) is x
    with pytest.raises(ValueError, match="drop_prob.*1.2"):
        F.drop_path(x, 1.2, training=True)


@pytest.mark.parametrize("tau", [0.5, 1.0, 3.0])
def test_gumbel_softmax_argmax_frequencies_match_softmax(device, tau):
    n = 40_000
    logits = np.array([1.0, 0.0, -0.5, 2.0])
    x = mg.tensor(np.tile(logits, (n, 1)), device=device)
    y = F.gumbel_softmax(x, tau=tau, hard=True).numpy()
    assert set(np.unique(y)) == {0.0, 1.0} and np.all(y.sum(1) == 1)
    probs = np.exp(logits) / np.exp(logits).sum()
    freq = y.mean(0)
    assert np.all(np.abs(freq - probs) < 6 * _sigma(probs, n)), (freq, probs)


def test_gumbel_softmax_soft_samples_and_dim(device):
    x = mg.tensor(np.random.default_rng().standard_normal((5, 6, 7)), device=device)
    for dim in [0, 1, -1]:
        y = F.gumbel_softmax(x, tau=0.7, dim=dim).numpy()
        assert np.all(y > 0)
        np.testing.assert_allclose(y.sum(dim), 1.0, rtol=1e-12)
        h = F.gumbel_softmax(x, hard=True, dim=dim).numpy()
        np.testing.assert_array_equal(h.sum(dim), 1.0)


def test_gumbel_softmax_hard_is_straight_through(device):
    """Same seed, same noise: hard's gradient is exactly the soft sample's gradient."""
    rng = np.random.default_rng()
    lv = rng.standard_normal((6, 5))
    g = rng.standard_normal((6, 5))
    grads, outs = [], []
    for hard in [False, True]:
        mg.manual_seed(7)
        x = mg.tensor(lv, device=device, requires_grad=True)
        y = F.gumbel_softmax(x, tau=0.5, hard=hard)
        y.backward(mg.tensor(g, device=device))
        grads.append(x.grad.numpy())
        outs.append(y.detach().numpy())
    np.testing.assert_array_equal(outs[1], np.eye(5)[outs[0].argmax(1)])
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)
    assert np.abs(grads[0]).max() > 0


def test_gumbel_softmax_gradient_matches_torch_for_the_same_noise():
    """With the Gumbel noise fixed, the soft sample is softmax((x + G) / tau)."""
    rng = np.random.default_rng()
    lv, g = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    mg.manual_seed(3)
    x = mg.tensor(lv, requires_grad=True)
    y = F.gumbel_softmax(x, tau=2.0)
    y.backward(mg.tensor(g))
    noise = 2.0 * np.log(y.detach().numpy()) - lv        # (x + G) / tau up to a per-row constant
    tx = torch.tensor(lv, requires_grad=True)
    ty = TF.softmax((tx + torch.tensor(noise)) / 2.0, -1)
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_gumbel_softmax_errors():
    with pytest.raises(ValueError, match="tau"):
        F.gumbel_softmax(mg.randn(2, 3), tau=0)
    with pytest.raises(IndexError, match="dim"):
        F.gumbel_softmax(mg.randn(2, 3), dim=2)
