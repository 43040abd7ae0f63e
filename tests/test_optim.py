"""Optimizers and schedulers: 15-step trajectories against torch from the same start."""
import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad import nn, optim


def _problem(rng):
    w0 = [rng.standard_normal((4, 3)), rng.standard_normal(3)]
    x = rng.standard_normal((5, 4))
    mp = [nn.Parameter(mg.tensor(w)) for w in w0]
    tp = [torch.nn.Parameter(torch.tensor(w)) for w in w0]

    def loss_mg():
        return ((mg.tensor(x) @ mp[0] + mp[1]).tanh() ** 2).sum()

    def loss_t():
        return ((torch.tensor(x) @ tp[0] + tp[1]).tanh() ** 2).sum()
    return mp, tp, loss_mg, loss_t


def _run(om, ot, mp, tp, loss_mg, loss_t, steps=15, sm=None, st=None):
    for _ in range(steps):
        om.zero_grad(), ot.zero_grad()
        loss_mg().backward()
        loss_t().backward()
        om.step(), ot.step()
        if sm is not None:
            sm.step(), st.step()
            assert sm.get_last_lr() == pytest.approx(st.get_last_lr(), rel=1e-12)
    # fresh inputs each run: 15 steps at lr up to 0.5 can amplify a last-bit difference in a
    # gradient to ~4e-10 (seen once in CI at rtol 1e-10)
    for a, b in zip(mp, tp):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kwargs", [
    {"lr": 0.1}, {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True}, {"lr": 0.05, "maximize": True}])
def test_sgd_trajectory_matches_torch(rng, kwargs):
    mp, tp, lm, lt = _problem(rng)
    _run(optim.SGD(mp, **kwargs), torch.optim.SGD(tp, **kwargs), mp, tp, lm, lt)


@pytest.mark.parametrize("cls", ["Adam", "AdamW"])
@pytest.mark.parametrize("kwargs", [
    {"lr": 0.1}, {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1, "amsgrad": True},
    {"lr": 0.05, "eps": 1e-3}, {"lr": 0.05, "weight_decay": 0.3, "maximize": True}])
def test_adam_trajectory_matches_torch(rng, cls, kwargs):
    mp, tp, lm, lt = _problem(rng)
    _run(getattr(optim, cls)(mp, **kwargs), getattr(torch.optim, cls)(tp, **kwargs),
         mp, tp, lm, lt)


@pytest.mark.parametrize("name,kwargs", [
    ("StepLR", {"step_size": 4, "gamma": 0.5}),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda e: 1 / (e + 1)}),
    ("MultiStepLR", {"milestones": [2, 5, 5]}), ("ExponentialLR", {"gamma": 0.9})])
def test_schedulers_match_torch(rng, name, kwargs):
    mp, tp, lm, lt = _problem(rng)
    om, ot = optim.SGD(mp, lr=0.1, momentum=0.5), torch.optim.SGD(tp, lr=0.1, momentum=0.5)
    sm = getattr(optim.lr_scheduler, name)(om, **kwargs)
    st = getattr(torch.optim.lr_scheduler, name)(ot, **kwargs)
    _run(om, ot, mp, tp, lm, lt, sm=sm, st=st)


def test_param_groups_with_own_options(rng):
    mp, tp, lm, lt = _problem(rng)
    om = optim.SGD([{"params": [mp[0]]}, {"params": [mp[1]], "lr": 0.5}], lr=0.1, momentum=0.9)
    ot = torch.optim.SGD([{"params": [tp[0]]}, {"params": [tp[1]], "lr": 0.5}], lr=0.1,
                         momentum=0.9)
    assert [g["lr"] for g in om.param_groups] == [0.1, 0.5]
    _run(om, ot, mp, tp, lm, lt)


def test_state_dict_resume_continues_identically(rng):
    mp, tp, lm, lt = _problem(rng)
    om, ot = optim.Adam(mp, lr=0.05, amsgrad=True), torch.optim.Adam(tp, lr=0.05, amsgrad=True)
    _run(om, ot, mp, tp, lm, lt, steps=5)
    sd = om.state_dict()
    assert sorted(sd["state"][0]) == sorted(ot.state_dict()["state"][0])
    assert sd["param_groups"][0]["params"] == [0, 1]
    om2 = optim.Adam(mp, lr=0.9, amsgrad=True)
    om2.load_state_dict(sd)
    assert om2.param_groups[0]["lr"] == 0.05
    _run(om2, ot, mp, tp, lm, lt, steps=10)


def test_zero_grad_modes():
    p = nn.Parameter(mg.ones(2))
    opt = optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and not p.grad.numpy().any()
    opt.zero_grad()
    assert p.grad is None
    opt.step()                              # parameters without grad are skipped
    assert p.tolist() == [1.0, 1.0]


def test_closure_is_called_with_grad_enabled():
    p = nn.Parameter(mg.ones(2))
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    with mg.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 2.0 and p.tolist() == pytest.approx([0.8, 0.8])


def test_optimizer_errors():
    p = nn.Parameter(mg.ones(2))
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adam([p], lr=-1)
    with pytest.raises(ValueError, match="beta parameter at index 1"):
        optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(TypeError, match="not an Optimizer"):
        optim.lr_scheduler.StepLR(object(), 1)
