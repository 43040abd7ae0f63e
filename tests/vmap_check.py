"""check_vmap: minigrad.func.vmap against torch.func.vmap on the same float64 numbers,
values and the gradients that flow back through the vmapped call from outside."""
from __future__ import annotations

import numpy as np
import torch

import minigrad as mg
from minigrad.func import vmap


def as_pair(a, grad):
    """(minigrad, torch) tensors holding the same numbers; float arrays require grad."""
    if not isinstance(a, np.ndarray):
        return a, a
    g = grad and a.dtype.kind == "f"
    return mg.tensor(a, requires_grad=g), torch.tensor(a, requires_grad=g)


def _flat(x):
    if isinstance(x, (tuple, list)):
        return [y for v in x for y in _flat(v)]
    if isinstance(x, dict):
        return [y for v in x.values() for y in _flat(v)]
    return [x]


def check_vmap(fn, arrays, in_dims=0, out_dims=0, grad=True, atol=1e-10, **kw):
    """fn(L, *inputs) is written once against a library L (minigrad or torch; F(L) is its
    nn.functional); compares vmap(fn) with torch.func.vmap(fn)."""
    pairs = [as_pair(a, grad) for a in arrays]
    m_in, t_in = [p[0] for p in pairs], [p[1] for p in pairs]
    m_out = vmap(lambda *a: fn(mg, *a), in_dims, out_dims, **kw)(*m_in)
    t_out = torch.func.vmap(lambda *a: fn(torch, *a), in_dims, out_dims, **kw)(*t_in)
    mo, to = _flat(m_out), _flat(t_out)
    assert len(mo) == len(to)
    for m, t in zip(mo, to):
        assert tuple(m.shape) == tuple(t.shape), (m.shape, t.shape)
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), atol=atol, rtol=1e-7)
    if not grad:
        return m_out
    rng = np.random.default_rng(0)
    m_sum, t_sum = 0, 0
    for m, t in zip(mo, to):
        if m.requires_grad and t.requires_grad:
            g = rng.standard_normal(tuple(t.shape))
            m_sum = m_sum + (m * mg.tensor(g)).sum()
            t_sum = t_sum + (t * torch.tensor(g)).sum()
    if isinstance(t_sum, int):
        return m_out
    m_sum.backward()
    t_sum.backward()
    for (m, t) in pairs:
        if isinstance(t, torch.Tensor) and t.requires_grad:
            tg = t.grad if t.grad is not None else torch.zeros_like(t)
            mgrad = m.grad.numpy() if m.grad is not None else np.zeros(tuple(t.shape))
            np.testing.assert_allclose(mgrad, tg.numpy(), atol=atol, rtol=1e-7)
    return m_out


def F(L):
    """nn.functional of library L (minigrad or torch)."""
    import minigrad.nn.functional as mF
    return mF if L is mg else torch.nn.functional
