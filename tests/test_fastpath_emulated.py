"""The ops' one-line hand-off (minigrad/fastpath.py) reaches the CUDA launchers with the right
arguments and gets back what the reference returns: softmax, log_softmax, sum, amax,
logsumexp, cross_entropy (with the gradient its forward writes) and attention, forward and
backward, through the op on the CPU emulator.

The emulator's arrays (`DevArray`) are NumPy arrays of a subclass, so fastpath sends them to
the CUDA launchers (a plain NumPy array would take the CPU path); the launchers run the real
kernels on the emulator. A GPU runs the same hand-off on CuPy arrays (tests/test_*_kernels.py).
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from conftest import devices  # (the `launched` fixture is in conftest.py)
from kernel_check import dev

torch = pytest.importorskip("torch")
TF = torch.nn.functional
F = mg.nn.functional


def _leaf(a):
    return mg.Tensor._make(dev(a)).requires_grad_()


def _close(got, want, rtol=2e-5, atol=2e-6):
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=rtol, atol=atol)


@devices("emu")
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_ops_through_the_kernels(device, launched, name):
    rng = np.random.default_rng()
    x = rng.standard_normal((5, 37)).astype(np.float32)
    w = rng.standard_normal(x.shape).astype(np.float32)
    xm = _leaf(x)
    y = getattr(F, name)(xm, 1)
    (y * mg.Tensor._make(dev(w))).sum().backward()
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = getattr(TF, name)(xt, 1)
    (yt * torch.tensor(w, dtype=torch.float64)).sum().backward()
    _close(y.detach().data, yt.detach().numpy())
    _close(xm.grad.data, xt.grad.numpy())
    assert name in launched and f"{name}_backward" in launched and "sum" in launched


@devices("emu")
def test_reductions_through_the_kernels(device, launched):
    x = np.random.default_rng().standard_normal((6, 33)).astype(np.float32)
    xm = _leaf(x)
    (xm.sum(0).sum() + xm.amax(1).sum() + xm.logsumexp(1).sum()).backward()
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (xt.sum(0).sum() + xt.amax(1).sum() + xt.logsumexp(1).sum()).backward()
    _close(xm.grad.data, xt.grad.numpy())
    assert {"sum", "amax", "logsumexp"} <= set(launched)


@devices("emu")
@pytest.mark.parametrize("implicit_seed", [True, False])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_through_the_kernels(device, launched, reduction, implicit_seed):
    rng = np.random.default_rng()
    x = (rng.standard_normal((9, 50)) * 3).astype(np.float32)
    t = rng.integers(0, 50, 9)
    t[2] = -100
    xm = _leaf(x)
    loss = F.cross_entropy(xm, mg.Tensor._make(dev(t)), label_smoothing=0.1,
                           reduction=reduction)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    lt = TF.cross_entropy(xt, torch.tensor(t), label_smoothing=0.1, reduction=reduction)
    if reduction == "none":
        loss.sum().backward()
        lt.sum().backward()
    elif implicit_seed:                 # the forward's gradient is returned as it is
        loss.backward()
        lt.backward()
    else:
        loss.backward(mg.Tensor._make(dev(np.float32(2.5))))
        lt.backward(torch.tensor(2.5, dtype=torch.float64))
    _close(loss.detach().data, lt.detach().numpy())
    _close(xm.grad.data, xt.grad.numpy())
    assert launched.index("cross_entropy") < launched.index("cross_entropy_backward")


@devices("emu")
@pytest.mark.parametrize("causal", [False, True])
def test_attention_through_the_kernels(device, launched, causal):
    rng = np.random.default_rng()
    q, k, v = (rng.standard_normal((2, 3, 17, 32)).astype(np.float32) for _ in range(3))
    qm, km, vm = _leaf(q), _leaf(k), _leaf(v)
    from minigrad.ops import attention
    out, _ = attention.FlashAttention.apply(qm, km, vm, None, causal, 0.25)
    out.sum().backward()
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v)]
    ot = TF.scaled_dot_product_attention(*ts, is_causal=causal, scale=0.25)
    ot.sum().backward()
    _close(out.detach().data, ot.detach().numpy(), 1e-4, 1e-5)
    for a, b in zip((qm, km, vm), ts):
        _close(a.grad.data, b.grad.numpy(), 1e-4, 1e-5)
    assert "flash_forward" in launched and "flash_backward" in launched
