"""Helpers for the distribution tests: build the same distribution in minigrad and torch
from NumPy parameters, and compare a property or method (values and parameter gradients
for a random upstream gradient) in float64."""
from __future__ import annotations

import numpy as np
import torch
import torch.distributions as td

import minigrad as mg
import minigrad.distributions as md


def pair(params, grad=True):
    """{name: ndarray | float} -> (minigrad kwargs, torch kwargs, leaves [(mg, torch)])."""
    mk, tk, leaves = {}, {}, []
    for k, v in params.items():
        if isinstance(v, np.ndarray):
            g = grad and v.dtype.kind == "f"
            m = mg.tensor(v, requires_grad=g)
            t = torch.tensor(v, requires_grad=g)
            if g:
                leaves.append((m, t))
            mk[k], tk[k] = m, t
        else:
            mk[k], tk[k] = v, v
    return mk, tk, leaves


def build(name, params, grad=True, **kw):
    mk, tk, leaves = pair(params, grad)
    return getattr(md, name)(**mk, **kw), getattr(td, name)(**tk, **kw), leaves


def close(m, t, what, rtol=1e-9, atol=1e-10):
    assert isinstance(m, mg.Tensor), f"{what}: not a tensor: {type(m)}"
    assert tuple(m.shape) == tuple(t.shape), f"{what}: shape {m.shape} vs {tuple(t.shape)}"
    assert str(m.dtype) == str(t.dtype).replace("torch.", ""), f"{what}: {m.dtype} {t.dtype}"
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol,
                               equal_nan=True, err_msg=what)


def check(name, params, fn, rng, what="", grad=True, rtol=1e-9, atol=1e-10, **kw):
    """fn(dist, module) -> tensor, compared between minigrad and torch; then the gradients
    of sum(out * w) w.r.t. every float parameter, w random."""
    dm, dt, leaves = build(name, params, grad, **kw)
    om, ot = fn(dm, mg), fn(dt, torch)
    close(om, ot, f"{name}.{what}", rtol, atol)
    live = [(m, t) for m, t in leaves]
    if not grad or not live or not ot.requires_grad or ot.dtype.is_floating_point is False:
        return
    w = rng.standard_normal(tuple(ot.shape))
    ok = np.isfinite(ot.detach().numpy())
    w = np.where(ok, w, 0.0)
    tg = torch.autograd.grad((ot * torch.tensor(w)).sum(), [t for _, t in live],
                             allow_unused=True)
    mgr = mg.autograd.grad((om * mg.tensor(w)).sum(), [m for m, _ in live],
                           allow_unused=True)
    for (m, t), a, b in zip(live, mgr, tg):
        if b is None:
            assert a is None or not np.any(a.numpy()), f"{name}.{what}: grad not None"
            continue
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-7, atol=1e-9,
                                   equal_nan=True, err_msg=f"{name}.{what} grad")


def value_pair(v):
    return mg.tensor(v), torch.tensor(v)
