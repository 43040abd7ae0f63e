"""Per-sample gradients: vmap over a gradient transform, against torch.func.vmap(grad(...)):
a small CNN and an MLP (parameters unbatched, in_dims=None), gradients with respect to the
batched input, nested vmaps (float64)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import minigrad as mg
import minigrad.nn.functional as mF
from minigrad.func import functional_call, grad, vmap

r = np.random.default_rng(53)


def mg_grad(f, argnums=0):
    return grad(f, argnums)


def cnn_loss(L, F, p, x, y):
    h = F.max_pool2d(F.relu(F.conv2d(x.unsqueeze(0), p["w1"], p["b1"], padding=1)), 2)
    h = F.relu(F.conv2d(h, p["w2"], p["b2"]))
    return F.cross_entropy(F.linear(h.flatten(1), p["w3"], p["b3"]), y.unsqueeze(0))


def cnn_params():
    return {"w1": r.standard_normal((4, 2, 3, 3)) * 0.5, "b1": r.standard_normal(4),
            "w2": r.standard_normal((3, 4, 3, 3)) * 0.3, "b2": r.standard_normal(3),
            "w3": r.standard_normal((5, 3 * 2 * 2)), "b3": r.standard_normal(5)}


def _compare(m, t):
    for k in t:
        assert tuple(m[k].shape) == tuple(t[k].shape)
        np.testing.assert_allclose(m[k].numpy(), t[k].detach().numpy(), atol=1e-10)


@pytest.mark.parametrize("batch", [1, 6])
def test_per_sample_gradients_cnn(batch):
    p = cnn_params()
    x, y = r.standard_normal((batch, 2, 8, 8)), r.integers(0, 5, batch)
    gm = vmap(mg_grad(lambda p, x, y: cnn_loss(mg, mF, p, x, y)), in_dims=(None, 0, 0))(
        {k: mg.tensor(v) for k, v in p.items()}, mg.tensor(x), mg.tensor(y))
    gt = torch.func.vmap(torch.func.grad(lambda p, x, y: cnn_loss(torch, torch.nn.functional,
                                                                 p, x, y)),
                         in_dims=(None, 0, 0))({k: torch.tensor(v) for k, v in p.items()},
                                               torch.tensor(x), torch.tensor(y))
    _compare(gm, gt)
    # the per-sample gradients average to the batch gradient of the mean loss
    P = {k: mg.tensor(v, requires_grad=True) for k, v in p.items()}
    loss = sum(cnn_loss(mg, mF, P, mg.tensor(x[i]), mg.tensor(y[i:i + 1])[0])
               for i in range(batch)) / batch
    loss.backward()
    for k in p:
        np.testing.assert_allclose(gm[k].numpy().mean(0), P[k].grad.numpy(), atol=1e-10)


def mlp_loss(L, F, p, x, y):
    h = F.layer_norm(F.gelu(F.linear(x, p["w1"], p["b1"])), (8,))
    return F.mse_loss(F.linear(h, p["w2"]).squeeze(-1), y)


def test_per_sample_gradients_mlp_and_input_grads():
    p = {"w1": r.standard_normal((8, 4)), "b1": r.standard_normal(8),
         "w2": r.standard_normal((1, 8))}
    x, y = r.standard_normal((7, 4)), r.standard_normal(7)
    for argnums in (0, 1):
        gm = vmap(mg_grad(lambda p, x, y: mlp_loss(mg, mF, p, x, y), argnums),
                  in_dims=(None, 0, 0))({k: mg.tensor(v) for k, v in p.items()},
                                        mg.tensor(x), mg.tensor(y))
        gt = torch.func.vmap(torch.func.grad(
            lambda p, x, y: mlp_loss(torch, torch.nn.functional, p, x, y), argnums),
            in_dims=(None, 0, 0))({k: torch.tensor(v) for k, v in p.items()},
                                  torch.tensor(x), torch.tensor(y))
        if argnums == 0:
            _compare(gm, gt)
        else:
            np.testing.assert_allclose(gm.numpy(), gt.numpy(), atol=1e-10)


def test_nested_vmap_of_grad():
    w = r.standard_normal((3, 4))
    x = r.standard_normal((2, 5, 4))

    def f(L, w, x):
        return (L.tanh(w @ x) ** 2).sum()
    gm = vmap(vmap(mg_grad(lambda w, x: f(mg, w, x)), in_dims=(None, 0)),
              in_dims=(None, 0))(mg.tensor(w), mg.tensor(x))
    gt = torch.func.vmap(torch.func.vmap(torch.func.grad(lambda w, x: f(torch, w, x)),
                                         in_dims=(None, 0)), in_dims=(None, 0))(
        torch.tensor(w), torch.tensor(x))
    assert gm.shape == (2, 5, 3, 4)
    np.testing.assert_allclose(gm.numpy(), gt.numpy(), atol=1e-10)


def test_grad_needs_a_scalar_per_sample():
    with pytest.raises(RuntimeError, match="scalar"):
        vmap(mg_grad(lambda x: x * 2))(mg.ones(3, 2))


def test_per_sample_gradients_with_functional_call():
    # the classic recipe: a Module, its parameters as a dict, functional_call, vmap(grad)
    class Net(mg.nn.Module):
        def __init__(self, nn):
            super().__init__()
            self.conv = nn.Conv2d(1, 3, 3)
            self.fc = nn.Linear(3 * 4 * 4, 4)

        def forward(self, x):
            h = self.conv(x).relu()
            return self.fc(h.flatten(1))

    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 3, 3)
            self.fc = torch.nn.Linear(3 * 4 * 4, 4)

        def forward(self, x):
            return self.fc(self.conv(x).relu().flatten(1))
    m, t = Net(mg.nn), TNet().double()
    params = {k: v.detach().numpy().astype(np.float64) for k, v in t.named_parameters()}
    mp = {k: mg.tensor(v) for k, v in params.items()}
    tp = {k: torch.tensor(v) for k, v in params.items()}
    x, y = r.standard_normal((5, 1, 6, 6)), r.integers(0, 4, 5)

    def mloss(p, x, y):
        return mF.cross_entropy(functional_call(m, p, (x.unsqueeze(0),)), y.unsqueeze(0))

    def tloss(p, x, y):
        out = torch.func.functional_call(t, p, (x.unsqueeze(0),))
        return torch.nn.functional.cross_entropy(out, y.unsqueeze(0))
    gm = vmap(grad(mloss), in_dims=(None, 0, 0))(mp, mg.tensor(x), mg.tensor(y))
    gt = torch.func.vmap(torch.func.grad(tloss), in_dims=(None, 0, 0))(
        tp, torch.tensor(x), torch.tensor(y))
    _compare(gm, gt)


def test_grad_and_value_has_aux_and_second_order_under_vmap():
    x = r.standard_normal((4, 3))

    def f(L, v):
        y = (L.sin(v) * v).sum()
        return y, v * 2

    gm, (vm, am) = vmap(mg.func.grad_and_value(lambda v: f(mg, v), has_aux=True))(
        mg.tensor(x))
    gt, (vt, at) = torch.func.vmap(torch.func.grad_and_value(lambda v: f(torch, v),
                                                             has_aux=True))(torch.tensor(x))
    for a, b in ((gm, gt), (vm, vt), (am, at)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)
    # per-sample second derivatives: grad of (sum of the gradient), nested inside vmap
    h = vmap(grad(lambda v: grad(lambda u: f(mg, u)[0])(v).sum()))(mg.tensor(x))
    ht = torch.func.vmap(torch.func.grad(lambda v: torch.func.grad(
        lambda u: f(torch, u)[0])(v).sum()))(torch.tensor(x))
    np.testing.assert_allclose(h.numpy(), ht.numpy(), atol=1e-12)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd", "hessian", "vjp", "jvp"])
def test_other_transforms_inside_vmap_are_per_sample(name):
    # once refused; now per sample, as torch.func's (more in test_vmap_transforms.py)
    def mk(L, F):
        def f(v):
            return L.sin(v) * v.sum()
        return {"jacrev": lambda: F.jacrev(f), "jacfwd": lambda: F.jacfwd(f),
                "hessian": lambda: F.hessian(lambda v: f(v).sum()),
                "vjp": lambda: (lambda v: F.vjp(f, v)[1](L.ones_like(v))[0]),
                "jvp": lambda: (lambda v: F.jvp(f, (v,), (L.ones_like(v),))[1])}[name]()
    x = r.standard_normal((3, 4))
    got = vmap(mk(mg, mg.func))(mg.tensor(x))
    want = torch.func.vmap(mk(torch, torch.func))(torch.tensor(x))
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-10)
    # inside vmap on tensors that are not batched: the same value for every sample
    one = mk(mg, mg.func)(mg.ones(4, dtype=mg.float64)).sum()
    assert vmap(lambda x: x * mk(mg, mg.func)(mg.ones(4, dtype=mg.float64)).sum())(
        mg.ones(3, 4)).numpy() == pytest.approx(np.full((3, 4), one.item()))
