"""The float32 accuracy check of test_float32_accuracy.py, run through the CUDA kernels on the
CPU emulator (the op's hand-off sends the emulator's arrays to the launchers; see
test_fastpath_emulated.py). The emulator has no thread-block clusters, so rows above 64 KB take
the one-block kernels here where an sm_90 GPU takes the cluster kernels."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from conftest import devices
from kernel_check import dev
from test_float32_accuracy import _grad_err, _inputs, _no_worse, _run_torch, _value_err

torch = pytest.importorskip("torch")
TF = torch.nn.functional
F = mg.nn.functional


def _run_mg(fn, x):
    xm = mg.Tensor._make(dev(x)).requires_grad_()
    out = fn(xm)
    out.sum().backward()
    return np.asarray(out.detach().data), np.asarray(xm.grad.data)


@devices("emu")
@pytest.mark.parametrize("offset", [0.0, 70.0, -1000.0])
@pytest.mark.parametrize("n_classes,rows", [(10, 256), (1000, 32), (100_000, 2)])
@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_cross_entropy_kernels_float32_error_no_worse_than_torch(device, launched, n_classes, rows,
                                                                 offset, eps):
    rng = np.random.default_rng()
    x = _inputs(rng, n_classes, rows, offset)
    t = rng.integers(0, n_classes, rows)
    tt = torch.tensor(t)

    def torch_fn(xt):
        return TF.cross_entropy(xt, tt, label_smoothing=eps)

    ref, gref = _run_torch(torch_fn, x, torch.float64)
    theirs, gtheirs = _run_torch(torch_fn, x, torch.float32)
    mt = mg.Tensor._make(dev(t))
    ours, gours = _run_mg(lambda xm: F.cross_entropy(xm, mt, label_smoothing=eps), x)
    assert "cross_entropy" in launched
    _no_worse(_value_err(ours, ref), _value_err(theirs, ref), "loss")
    _no_worse(_grad_err(gours, gref), _grad_err(gtheirs, gref), "gradient")


@devices("emu")
@pytest.mark.parametrize("offset", [0.0, 70.0, -1000.0])
@pytest.mark.parametrize("n_classes,rows", [(10, 256), (1000, 32), (100_000, 2)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_kernels_float32_error_no_worse_than_torch(device, launched, n_classes, rows,
                                                           offset, name):
    rng = np.random.default_rng()
    x = _inputs(rng, n_classes, rows, offset)
    w = rng.standard_normal(x.shape)        # a random upstream gradient through a weighted sum
    wt, wm = torch.tensor(w), mg.Tensor._make(dev(w.astype(np.float32)))
    ref, gref = _run_torch(lambda xt: getattr(TF, name)(xt, -1) * wt.to(xt.dtype), x,
                           torch.float64)
    theirs, gtheirs = _run_torch(lambda xt: getattr(TF, name)(xt, -1) * wt.to(xt.dtype), x,
                                 torch.float32)
    ours, gours = _run_mg(lambda xm: getattr(F, name)(xm, -1) * wm, x)
    assert name in launched
    err = _grad_err if name == "softmax" else _value_err
    _no_worse(err(ours, ref), err(theirs, ref), name)
    _no_worse(_grad_err(gours, gref), _grad_err(gtheirs, gref), "gradient")
