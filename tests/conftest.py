"""Shared test helpers: the `device` fixture and check_op (values and gradients vs torch)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import assert_close, gradcheck, gradgradcheck

try:
    import torch
    torch.set_default_dtype(torch.float64)
except ImportError:          # tests fall back to gradcheck when torch is absent
    torch = None

DEVICES = [pytest.param("cpu", id="cpu"),
           pytest.param("cuda", id="cuda-kernels", marks=pytest.mark.cuda),
           pytest.param("cuda-plain", id="cuda-cupy", marks=pytest.mark.cuda)]


@pytest.fixture(params=DEVICES)
def device(request):
    """Runs a test on CPU, and on CUDA with the hand-written kernels on and off."""
    if request.param != "cpu" and not mg.cuda.is_available():
        pytest.skip("no CUDA GPU")
    if request.param == "cuda-plain":
        with mg.cuda.use_kernels(False):
            yield "cuda"
    else:
        yield request.param


@pytest.fixture
def rng():
    return np.random.default_rng()


def check_op(mg_fn, torch_fn, arrays, device="cpu", requires_grad=None, double=False,
             rtol=1e-7, atol=1e-9, gradcheck_fallback=True):
    """Compare mg_fn and torch_fn on the same float64 inputs: outputs, gradients for a random
    upstream gradient, and (double=True) second derivatives. `arrays` are NumPy arrays;
    float arrays require grad unless `requires_grad` (a list of bools) says otherwise."""
    if requires_grad is None:
        requires_grad = [a.dtype.kind == "f" for a in arrays]
    xs = [mg.tensor(a, device=device, requires_grad=r) for a, r in zip(arrays, requires_grad)]
    out = mg_fn(*xs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if torch is None:
        if gradcheck_fallback and any(requires_grad):
            cpu = [mg.tensor(a, requires_grad=r) for a, r in zip(arrays, requires_grad)]
            gradcheck(mg_fn, cpu)
            if double:
                gradgradcheck(mg_fn, cpu)
        return outs
    ts = [torch.tensor(a, requires_grad=r) for a, r in zip(arrays, requires_grad)]
    tout = torch_fn(*ts)
    touts = list(tout) if isinstance(tout, (tuple, list)) else [tout]
    assert len(outs) == len(touts)
    for o, t in zip(outs, touts):
        assert tuple(o.shape) == tuple(t.shape), (o.shape, t.shape)
        assert_close(o, t, rtol, atol, "forward: ")
    diff = [(o, t) for o, t in zip(outs, touts) if t.requires_grad]
    if not diff or not any(requires_grad):
        return outs
    rng = np.random.default_rng()
    ws = [rng.standard_normal(t.shape) for _, t in diff]
    wrt = [k for k, r in enumerate(requires_grad) if r]
    create = double
    g_mg = mg.grad([o for o, _ in diff], [xs[k] for k in wrt],
                   [mg.tensor(w, device=device) for w in ws], create_graph=create,
                   allow_unused=True)
    g_t = torch.autograd.grad([t for _, t in diff], [ts[k] for k in wrt],
                              [torch.tensor(w) for w in ws], create_graph=create,
                              allow_unused=True)
    for k, a, b in zip(wrt, g_mg, g_t):
        if b is None:
            assert a is None or np.all(a.numpy() == 0), f"grad of input {k}: torch has None"
            continue
        assert a is not None, f"grad of input {k} is None, torch has one"
        assert_close(a, b, rtol, atol, f"grad of input {k}: ")
    if double:
        pairs = [(a, b) for a, b in zip(g_mg, g_t) if a is not None and b is not None
                 and b.requires_grad]
        vs = [rng.standard_normal(tuple(b.shape)) for _, b in pairs]
        gg_mg = mg.grad([a for a, _ in pairs], [xs[k] for k in wrt],
                        [mg.tensor(v, device=device) for v in vs], allow_unused=True)
        gg_t = torch.autograd.grad([b for _, b in pairs], [ts[k] for k in wrt],
                                   [torch.tensor(v) for v in vs], allow_unused=True)
        for k, a, b in zip(wrt, gg_mg, gg_t):
            if b is None:
                assert a is None or np.allclose(a.numpy(), 0), f"2nd grad of input {k}"
                continue
            assert a is not None, f"second derivative of input {k} is None, torch has one"
            assert_close(a, b, rtol, atol, f"second derivative of input {k}: ")
    return outs
