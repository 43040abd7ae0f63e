"""Float32 softmax, log_softmax and cross_entropy are as accurate as torch's at every input scale.

Both libraries run in float32 on the same inputs; both are compared with torch in float64 on
those inputs (exact to float32's eyes). Rows are shifted far from 0 (the row max decides
whether exp overflows and how much a shortcut loses), the class count goes up to 10^6, and
label smoothing sums over every class. Our error may not exceed torch's by more than a factor
of 2 plus a few float32 roundings (the two differ by summation order, so neither is always
the smaller). Errors are root-mean-square over rows, of |error| / max(|value|, 1) for values
(a loss near 0 is lse - x_t with both terms large: its rounding is absolute, and relative
errors of the few smallest losses would decide a comparison by chance) and of |error| relative
to the largest entry for gradients.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")
TF = torch.nn.functional
F = mg.nn.functional
EPS32 = float(np.finfo(np.float32).eps)

SHAPES = [(10, 2048), (1000, 256), (10**6, 2)]           # (classes, rows)
OFFSETS = [0.0, 15.0, 70.0, 1000.0, -1000.0]


def _value_err(got, ref):
    rel = np.abs(got.astype(np.float64) - ref) / np.maximum(np.abs(ref), 1.0)
    return float(np.sqrt(np.mean(rel ** 2)))


def _grad_err(got, ref):
    return float(np.sqrt(np.mean((got.astype(np.float64) - ref) ** 2)) / np.abs(ref).max())


def _no_worse(ours, theirs, what):
    assert ours <= 2 * theirs + 4 * EPS32, f"{what}: minigrad {ours:.2e}, torch {theirs:.2e}"


def _inputs(rng, n_classes, rows, offset):
    return (rng.standard_normal((rows, n_classes)) * 3 + offset).astype(np.float32)


def _run_torch(fn, x, dtype):
    xt = torch.tensor(x, dtype=dtype, requires_grad=True)
    out = fn(xt)
    out.sum().backward()
    return out.detach().double().numpy(), xt.grad.double().numpy()


def _run_mg(fn, x, device):
    xm = mg.tensor(x, device=device, requires_grad=True)
    out = fn(xm)
    out.sum().backward()
    return out.detach().to("cpu").numpy(), xm.grad.to("cpu").numpy()


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("n_classes,rows", SHAPES)
@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_cross_entropy_float32_error_no_worse_than_torch(device, rng, n_classes, rows, offset,
                                                         reduction, eps):
    x = _inputs(rng, n_classes, rows, offset)
    t = rng.integers(0, n_classes, rows)
    tt = torch.tensor(t)

    def torch_fn(xt):
        return TF.cross_entropy(xt, tt, label_smoothing=eps, reduction=reduction)

    mt = mg.tensor(t, device=device)
    ref, gref = _run_torch(torch_fn, x, torch.float64)
    theirs, gtheirs = _run_torch(torch_fn, x, torch.float32)
    ours, gours = _run_mg(lambda xm: F.cross_entropy(xm, mt, label_smoothing=eps,
                                                     reduction=reduction), x, device)
    _no_worse(_value_err(ours, ref), _value_err(theirs, ref), "loss")
    _no_worse(_grad_err(gours, gref), _grad_err(gtheirs, gref), "gradient")


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("n_classes,rows", SHAPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_float32_error_no_worse_than_torch(device, rng, n_classes, rows, offset, name):
    x = _inputs(rng, n_classes, rows, offset)
    w = rng.standard_normal(x.shape)        # a random upstream gradient through a weighted sum
    wt = torch.tensor(w)

    def torch_fn(xt):
        return getattr(TF, name)(xt, -1) * wt.to(xt.dtype)

    wm = mg.tensor(w.astype(np.float32), device=device)
    ref, gref = _run_torch(torch_fn, x, torch.float64)
    theirs, gtheirs = _run_torch(torch_fn, x, torch.float32)
    ours, gours = _run_mg(lambda xm: getattr(F, name)(xm, -1) * wm, x, device)
    if name == "softmax":                   # tiny probabilities: compare against the largest
        _no_worse(_grad_err(ours, ref), _grad_err(theirs, ref), "softmax")
    else:
        _no_worse(_value_err(ours, ref), _value_err(theirs, ref), "log_softmax")
    _no_worse(_grad_err(gours, gref), _grad_err(gtheirs, gref), "gradient")
