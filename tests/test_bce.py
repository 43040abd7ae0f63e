"""binary_cross_entropy and binary_cross_entropy_with_logits vs torch: every option, gradients
to input and target, second derivatives, p = 0 / 1, logits at +-1e4, bad input, modules."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F

REDUCTIONS = ["none", "sum", "mean"]
# weight shapes: none, same as input, broadcast over rows
WEIGHTS = [None, (4, 3), (3,)]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("wshape", WEIGHTS)
def test_bce_matches_torch(device, rng, reduction, wshape):
    p = rng.uniform(0.02, 0.98, (4, 3))
    t = rng.random((4, 3))
    arrays = [p, t] + ([] if wshape is None else [rng.random(wshape)])
    grads = [True, True] + ([] if wshape is None else [False])
    check_op(lambda a, b, *w: F.binary_cross_entropy(a, b, *w, reduction=reduction),
             lambda a, b, *w: TF.binary_cross_entropy(a, b, *w, reduction=reduction), arrays,
             device=device, requires_grad=grads, double=True, rtol=1e-6)


def test_bce_probabilities_of_exactly_0_and_1_stay_finite(device):
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    t = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    mp = mg.tensor(p, device=device, requires_grad=True)
    loss = F.binary_cross_entropy(mp, mg.tensor(t, device=device), reduction="none")
    tp = torch.tensor(p, requires_grad=True)
    ref = TF.binary_cross_entropy(tp, torch.tensor(t), reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), ref.detach().numpy())     # 100 where clamped
    loss.sum().backward()
    ref.sum().backward()
    assert np.isfinite(mp.grad.numpy()).all()
    np.testing.assert_allclose(mp.grad.numpy(), tp.grad.numpy())


@pytest.mark.parametrize("bad", [1.5, -0.1, np.nan])
def test_bce_rejects_input_outside_0_1(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(mg.tensor([0.5, bad]), mg.tensor([1.0, 0.0]))


@pytest.mark.parametrize("fn", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits])
def test_bce_shape_dtype_and_reduction_errors(fn):
    with pytest.raises(ValueError, match=r"target size \(1,\).*input size \(2,\)"):
        fn(mg.tensor([0.5, 0.5]), mg.tensor([1.0]))
    with pytest.raises(ValueError, match="target must be a floating point.*int64"):
        fn(mg.tensor([0.5, 0.5]), mg.tensor([1, 0]))
    with pytest.raises(ValueError, match="'elementwise' is not a valid value"):
        fn(mg.tensor([0.5]), mg.tensor([1.0]), reduction="elementwise")
    with pytest.raises(ValueError, match=r"weight of shape \(3,\)"):
        fn(mg.tensor([0.5, 0.5]), mg.tensor([1.0, 0.0]), weight=mg.ones(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("wshape", WEIGHTS)
@pytest.mark.parametrize("pos_weight", [False, True])
def test_bce_with_logits_matches_torch(device, rng, reduction, wshape, pos_weight):
    x = rng.standard_normal((4, 3)) * 3
    t = rng.random((4, 3))
    arrays, grads, names = [x, t], [True, True], []
    if wshape is not None:
        arrays.append(rng.random(wshape))
        grads.append(False)
        names.append("weight")
    if pos_weight:
        arrays.append(rng.random(3) * 3)              # broadcast along the last dim
        grads.append(False)
        names.append("pos_weight")

    def run(fn):
        return lambda a, b, *rest: fn(a, b, reduction=reduction, **dict(zip(names, rest)))

    check_op(run(F.binary_cross_entropy_with_logits), run(TF.binary_cross_entropy_with_logits),
             arrays, device=device, requires_grad=grads, double=True)


@pytest.mark.parametrize("pos_weight", [None, 2.5])
def test_bce_with_logits_stable_at_extreme_float32_logits(rng, pos_weight):
    x = np.array([1e4, -1e4, 1e4, -1e4, 30.0, -30.0, 0.0], np.float32)
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3, 0.7, 0.5], np.float32)
    pw = None if pos_weight is None else np.full(7, pos_weight, np.float32)
    mx = mg.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(
        mx, mg.tensor(t), reduction="none", pos_weight=None if pw is None else mg.tensor(pw))
    ref = TF.binary_cross_entropy_with_logits(
        tx, torch.tensor(t), reduction="none",
        pos_weight=None if pw is None else torch.tensor(pw))
    assert np.isfinite(out.detach().numpy()).all()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6, atol=1e-6)
    g = rng.standard_normal(7).astype(np.float32)
    out.backward(mg.tensor(g))
    ref.backward(torch.tensor(g))
    assert np.isfinite(mx.grad.numpy()).all()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_pos_weight_must_broadcast():
    with pytest.raises(ValueError, match=r"pos_weight of shape \(4,\)"):
        F.binary_cross_entropy_with_logits(mg.randn(2, 3), mg.rand(2, 3), pos_weight=mg.ones(4))


def test_modules(rng):
    x, t, w = rng.standard_normal((5, 2)), rng.random((5, 2)), rng.random(2)
    pw = rng.random(2) + 0.5
    m = mg.nn.BCEWithLogitsLoss(weight=mg.tensor(w), pos_weight=mg.tensor(pw), reduction="sum")
    r = torch.nn.BCEWithLogitsLoss(weight=torch.tensor(w), pos_weight=torch.tensor(pw),
                                   reduction="sum")
    check_op(lambda a, b: m(a, b), lambda a, b: r(a, b), [x, t])
    assert set(dict(m.named_buffers())) == {"weight", "pos_weight"}
    p = 1 / (1 + np.exp(-x))
    check_op(lambda a, b: mg.nn.BCELoss(weight=mg.tensor(w))(a, b),
             lambda a, b: torch.nn.BCELoss(weight=torch.tensor(w))(a, b), [p, t])


def test_logits_and_probability_forms_agree(rng):
    x, t = rng.standard_normal((6,)), rng.random(6)
    mx = mg.tensor(x, requires_grad=True)
    a = F.binary_cross_entropy_with_logits(mx, mg.tensor(t))
    b = F.binary_cross_entropy(mx.sigmoid(), mg.tensor(t))
    np.testing.assert_allclose(a.item(), b.item(), rtol=1e-12)
