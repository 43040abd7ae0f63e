"""check_module: a minigrad module against the same torch module with the same weights."""
from __future__ import annotations

import numpy as np
import torch

import minigrad as mg
from minigrad.testing import assert_close


def load_from_torch(m, t):
    """Copy torch module t's state_dict (as NumPy arrays) into minigrad module m."""
    m.load_state_dict({k: v.detach().cpu().numpy() for k, v in t.state_dict().items()})
    return m


def check_module(m, t, inputs, rtol=1e-9, atol=1e-10, grad_inputs=True, load=True):
    """Load t's weights into m (float64 both), run both on `inputs` (NumPy arrays), and
    compare outputs, input gradients, parameter gradients and buffers afterwards."""
    t = t.double()
    m = m.double()
    if load:
        load_from_torch(m, t)
    req = [grad_inputs and a.dtype.kind == "f" for a in inputs]
    xs = [mg.tensor(a, requires_grad=r) for a, r in zip(inputs, req)]
    ts = [torch.tensor(a, requires_grad=r) for a, r in zip(inputs, req)]
    out, tout = m(*xs), t(*ts)
    outs = out if isinstance(out, tuple) else (out,)
    touts = tout if isinstance(tout, tuple) else (tout,)
    for o, to in zip(outs, touts):
        assert tuple(o.shape) == tuple(to.shape)
        assert_close(o, to, rtol, atol, "forward: ")
    diff = [(o, to) for o, to in zip(outs, touts) if to.requires_grad]
    ws = [np.random.default_rng().standard_normal(tuple(to.shape)) for _, to in diff]
    if diff:
        mg.autograd.run_backward([o for o, _ in diff], [mg.tensor(w) for w in ws], False, False)
        torch.autograd.backward([to for _, to in diff], [torch.tensor(w) for w in ws])
    for k, (x, tx) in enumerate(zip(xs, ts)):
        if tx.requires_grad:
            assert_close(x.grad, tx.grad, rtol, atol, f"grad of input {k}: ")
    tparams = dict(t.named_parameters())
    for name, p in m.named_parameters():
        tp = tparams[name]
        if tp.grad is None:
            assert p.grad is None or not np.any(p.grad.numpy()), name
        else:
            assert p.grad is not None, f"{name} has no grad, torch has one"
            assert_close(p.grad, tp.grad, rtol, atol, f"grad of {name}: ")
    tbuf = dict(t.named_buffers())
    for name, b in m.named_buffers():
        assert_close(b, tbuf[name], rtol, atol, f"buffer {name}: ")
    return outs
