"""Linear, Identity, Flatten, Embedding, nn.init and nn.utils against torch."""
import math

import numpy as np
import pytest
import torch
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,), (1, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(rng, shape, bias):
    m, t = nn.Linear(4, 3, bias=bias), torch.nn.Linear(4, 3, bias=bias)
    check_module(m, t, [rng.standard_normal(shape)])
    assert repr(m) == repr(t)


def test_f_linear_double_backward(rng):
    check_op(F.linear, torch.nn.functional.linear,
             [rng.standard_normal((3, 4)), rng.standard_normal((2, 4)), rng.standard_normal(2)],
             double=True)


def test_linear_errors():
    with pytest.raises(RuntimeError, match=r"cannot be multiplied \(2x5 and 4x3\)"):
        nn.Linear(4, 3)(mg.zeros(2, 5))
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(-1, 3)


def test_linear_default_init_bounds():
    m = nn.Linear(50, 400)
    bound = 1 / math.sqrt(50)          # kaiming_uniform(a=sqrt(5)) gives 1/sqrt(fan_in) too
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_identity_and_flatten(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    check_module(nn.Identity(3, foo=1), torch.nn.Identity(3, foo=1), [x])
    check_module(nn.Flatten(), torch.nn.Flatten(), [x])
    check_module(nn.Flatten(0, 2), torch.nn.Flatten(0, 2), [x])
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 0}, {"padding_idx": -2},
                                    {"scale_grad_by_freq": True}, {"max_norm": 0.5}])
def test_embedding_matches_torch(kwargs):
    m, t = nn.Embedding(6, 3, **kwargs), torch.nn.Embedding(6, 3, **kwargs)
    ids = np.array([[0, 4, 4, 5], [1, 0, 4, 2]])
    check_module(m, t, [ids])
    np.testing.assert_allclose(m.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-12)
    assert repr(m) == repr(t)


def test_embedding_errors_and_init():
    e = nn.Embedding(4, 2, padding_idx=1)
    assert np.all(e.weight.detach().numpy()[1] == 0)
    with pytest.raises(IndexError, match="out of range"):
        e(mg.tensor([4]))
    with pytest.raises(RuntimeError, match="integer"):
        e(mg.tensor([1.0]))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(4, 2, padding_idx=4)
    pre = nn.Embedding.from_pretrained(mg.eye(3))
    assert not pre.weight.requires_grad and np.all(pre(mg.tensor([2])).numpy() == [0, 0, 1])


@pytest.mark.parametrize("shape", [(3, 5), (4, 2, 3, 3), (6, 1, 5)])
def test_fan_in_fan_out_match_torch(shape):
    from minigrad.nn.init import _calculate_fan_in_and_fan_out as mine
    assert mine(mg.zeros(*shape)) == torch.nn.init._calculate_fan_in_and_fan_out(
        torch.zeros(shape))


@pytest.mark.parametrize("name,param", [("linear", None), ("relu", None), ("tanh", None),
                                        ("leaky_relu", None), ("leaky_relu", 0.2),
                                        ("selu", None), ("conv2d", None)])
def test_calculate_gain(name, param):
    assert nn.init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param))


def test_initialisers_fill_with_the_right_distribution():
    mg.manual_seed(0)
    t = mg.empty(200, 300)
    fan_in, fan_out = 300, 200
    nn.init.kaiming_uniform_(t, a=0, nonlinearity="relu")
    bound = math.sqrt(2) * math.sqrt(3 / fan_in)
    assert np.abs(t.numpy()).max() <= bound and t.numpy().std() == pytest.approx(
        bound / math.sqrt(3), rel=0.02)
    nn.init.kaiming_normal_(t, mode="fan_out")
    assert t.numpy().std() == pytest.approx(math.sqrt(2 / (1 + 0.01**2)) / math.sqrt(fan_out),
                                            rel=0.02)
    nn.init.xavier_uniform_(t, gain=2.0)
    bound = 2.0 * math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(t.numpy()).max() <= bound and np.abs(t.numpy()).max() > 0.99 * bound
    nn.init.xavier_normal_(t)
    assert t.numpy().std() == pytest.approx(math.sqrt(2 / (fan_in + fan_out)), rel=0.02)
    nn.init.trunc_normal_(t, mean=1.0, std=2.0, a=-1.0, b=2.0)
    assert t.numpy().min() >= -1.0 and t.numpy().max() <= 2.0
    # mean of N(1, 4) truncated to [-1, 2] (closed form) vs the sample mean
    ref = torch.empty(200, 300)
    torch.nn.init.trunc_normal_(ref, mean=1.0, std=2.0, a=-1.0, b=2.0)
    assert t.numpy().mean() == pytest.approx(ref.mean().item(), abs=0.02)
    nn.init.normal_(t, 3.0, 0.5)
    assert t.numpy().mean() == pytest.approx(3.0, abs=0.01)
    nn.init.uniform_(t, -2, -1)
    assert t.numpy().min() >= -2 and t.numpy().max() <= -1
    nn.init.constant_(t, 0.25)
    assert np.all(t.numpy() == 0.25)
    nn.init.zeros_(t), nn.init.ones_(mg.empty(2))
    assert not t.numpy().any()
    assert np.all(nn.init.eye_(mg.empty(2, 3)).numpy() == np.eye(2, 3))


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(mg.empty(3))
    with pytest.raises(ValueError, match="fan_avg"):
        nn.init.kaiming_uniform_(mg.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.init.calculate_gain("swish")


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.3, 100.0])
def test_clip_grad_norm_matches_torch(rng, norm_type, max_norm):
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    mp = [nn.Parameter(mg.zeros(*g.shape, dtype=mg.float64)) for g in grads]
    tp = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, q, g in zip(mp, tp, grads):
        p.grad, q.grad = mg.tensor(g), torch.tensor(g)
    total = nn.utils.clip_grad_norm_(mp, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    assert total.item() == pytest.approx(ttotal.item(), rel=1e-12)
    for p, q in zip(mp, tp):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_nonfinite_and_value():
    p = nn.Parameter(mg.zeros(2))
    p.grad = mg.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    p.grad = mg.tensor([3.0, -0.5])
    nn.utils.clip_grad_value_(p, 1.0)
    assert p.grad.tolist() == [1.0, -0.5]
    v = nn.utils.parameters_to_vector([p, nn.Parameter(mg.ones(2, 2))])
    assert v.shape == (6,)
