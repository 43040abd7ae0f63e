"""Class weights that require grad, as torch: the kernels whose autograd formula has no
weight derivative (binary_cross_entropy, its logits form with weight and pos_weight, nll_loss
and cross_entropy with class indices) refuse them under grad mode with torch's RuntimeError;
cross_entropy with class probabilities differentiates them."""
import numpy as np
import pytest
import torch

import minigrad as mg

CALLS = {
    "binary_cross_entropy": lambda L, x, w, c, p: L.nn.functional.binary_cross_entropy(
        x.sigmoid(), p, weight=w.expand(3, 4)),
    "bce_with_logits weight": lambda L, x, w, c, p: L.nn.functional.
    binary_cross_entropy_with_logits(x, p, weight=w),
    "bce_with_logits pos_weight": lambda L, x, w, c, p: L.nn.functional.
    binary_cross_entropy_with_logits(x, p, pos_weight=w),
    "nll_loss": lambda L, x, w, c, p: L.nn.functional.nll_loss(x, c, weight=w),
    "cross_entropy": lambda L, x, w, c, p: L.nn.functional.cross_entropy(x, c, weight=w),
    "cross_entropy 3-d": lambda L, x, w, c, p: L.nn.functional.cross_entropy(
        x.reshape(3, 4, 1), c.reshape(3, 1), weight=w),
    "cross_entropy smoothing": lambda L, x, w, c, p: L.nn.functional.cross_entropy(
        x, c, weight=w, label_smoothing=0.2),
}


def _inputs(L, rng):
    x = L.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = L.tensor(rng.uniform(0.5, 2, 4), requires_grad=True)
    return x, w, L.tensor(rng.integers(0, 4, 3)), L.tensor(rng.uniform(0, 1, (3, 4)))


@pytest.mark.parametrize("name", list(CALLS))
def test_weight_that_requires_grad_is_refused_as_torch(name):
    rng = np.random.default_rng(0)
    with pytest.raises(RuntimeError, match="is not differentiable with respect to argument") \
            as want:
        CALLS[name](torch, *_inputs(torch, rng))
    with pytest.raises(RuntimeError) as got:
        CALLS[name](mg, *_inputs(mg, rng))
    assert str(got.value) == str(want.value)
    with mg.no_grad():                      # without grad mode it is just a weight
        CALLS[name](mg, *_inputs(mg, rng))


def test_probability_targets_differentiate_the_weight():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((5, 4)), rng.uniform(0.5, 2, 4)
    p = np.exp(rng.standard_normal((5, 4)))
    p /= p.sum(1, keepdims=True)
    grads = []
    for L in (torch, mg):
        xs, ws = L.tensor(x, requires_grad=True), L.tensor(w, requires_grad=True)
        for reduction in ("mean", "sum", "none"):
            out = L.nn.functional.cross_entropy(xs, L.tensor(p), weight=ws, reduction=reduction,
                                                label_smoothing=0.1)
            grads.append([g.detach().numpy().copy() for g in L.autograd.grad(
                out, (xs, ws), L.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(out.shape)))])
    for want, got in zip(grads[:3], grads[3:]):
        for a, b in zip(want, got):
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)
