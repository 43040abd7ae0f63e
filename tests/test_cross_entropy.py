"""cross_entropy (minigrad/ops/cross_entropy.py) against torch in float64: class-index and
probability targets with every reduction, weight, ignore_index and label_smoothing option,
every device of the `device` fixture. The CUDA kernels' own tests (on a GPU and on the CPU
emulator) are in test_cross_entropy_kernels.py.
"""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.testing import assert_close


# input shape, target shape: batched, unbatched, spatial 1-d and 2-d
CLASS_SHAPES = [((6, 5), (6,)), ((5,), ()), ((3, 4, 5), (3, 5)), ((2, 3, 2, 3), (2, 2, 3))]
OPTIONS = list(itertools.product(["none", "sum", "mean"], [0.0, 0.3], [False, True]))


def _targets(rng, in_shape, t_shape, ignore=-100):
    n_classes = in_shape[0] if len(in_shape) == 1 else in_shape[1]
    t = rng.integers(0, n_classes, t_shape)
    if t.size > 2:
        t.reshape(-1)[1] = ignore                     # one ignored target
    return t, n_classes


@pytest.mark.parametrize("shapes", CLASS_SHAPES)
@pytest.mark.parametrize("reduction,eps,weighted", OPTIONS)
def test_cross_entropy_class_targets(device, rng, shapes, reduction, eps, weighted):
    x = rng.standard_normal(shapes[0]) * 2
    t, c = _targets(rng, *shapes)
    kw = {"reduction": reduction, "label_smoothing": eps}
    if weighted:
        w = rng.random(c) + 0.1
        check_op(lambda a, b, ww: F.cross_entropy(a, b, weight=ww, **kw),
                 lambda a, b, ww: TF.cross_entropy(a, b, weight=ww, **kw), [x, t, w],
                 device=device, requires_grad=[True, False, False], double=True)
    else:
        check_op(lambda a, b: F.cross_entropy(a, b, **kw),
                 lambda a, b: TF.cross_entropy(a, b, **kw), [x, t], device=device, double=True)


@pytest.mark.parametrize("ignore_index", [2, 0])
@pytest.mark.parametrize("reduction,eps,weighted", OPTIONS)
def test_cross_entropy_ignore_index_is_a_real_class(rng, ignore_index, reduction, eps, weighted):
    x = rng.standard_normal((8, 4))
    t = np.array([0, 1, 2, 3, 2, 0, 1, 2])
    w = rng.random(4) + 0.1 if weighted else None
    kw = {"reduction": reduction, "label_smoothing": eps, "ignore_index": ignore_index}
    check_op(lambda a, b: F.cross_entropy(a, b, weight=None if w is None else mg.tensor(w), **kw),
             lambda a, b: TF.cross_entropy(a, b, weight=None if w is None else torch.tensor(w),
                                           **kw), [x, t], double=True)


@pytest.mark.parametrize("in_shape", [(6, 5), (5,), (3, 4, 5), (2, 3, 2, 2)])
@pytest.mark.parametrize("reduction,eps,weighted", OPTIONS)
def test_cross_entropy_probability_targets(device, rng, in_shape, reduction, eps, weighted):
    x = rng.standard_normal(in_shape)
    dim = 0 if len(in_shape) == 1 else 1
    p = rng.random(in_shape)
    p /= p.sum(dim, keepdims=True)
    kw = {"reduction": reduction, "label_smoothing": eps}
    if weighted:
        w = rng.random(in_shape[dim])
        check_op(lambda a, b, ww: F.cross_entropy(a, b, weight=ww, **kw),
                 lambda a, b, ww: TF.cross_entropy(a, b, weight=ww, **kw), [x, p, w],
                 device=device, requires_grad=[True, True, False], double=True)
    else:
        check_op(lambda a, b: F.cross_entropy(a, b, **kw),
                 lambda a, b: TF.cross_entropy(a, b, **kw), [x, p], device=device, double=True)


@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_cross_entropy_all_ignored_mean_is_nan_like_torch(eps):
    x = np.random.default_rng().standard_normal((3, 4))
    t = np.full(3, -100)
    out = F.cross_entropy(mg.tensor(x), mg.tensor(t), label_smoothing=eps).item()
    assert np.isnan(out) and np.isnan(TF.cross_entropy(torch.tensor(x), torch.tensor(t),
                                                       label_smoothing=eps).item())


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_cross_entropy_stable_at_extreme_float32_logits(rng, eps):
    x = (rng.standard_normal((16, 10)) * 1e4).astype(np.float32)
    x[0] = 1e4
    x[1] = -1e4
    t = rng.integers(0, 10, 16)
    mx = mg.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    for red in ["none", "mean"]:
        out = F.cross_entropy(mx, mg.tensor(t), reduction=red, label_smoothing=eps)
        ref = TF.cross_entropy(tx, torch.tensor(t), reduction=red, label_smoothing=eps)
        assert np.isfinite(out.detach().numpy()).all()
        np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-5)
    out.backward()
    ref.backward()
    assert np.isfinite(mx.grad.numpy()).all()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("shape", [(2048, 130), (40, 5000)])
def test_cross_entropy_cpu_fast_path_float32(rng, shape):
    x = rng.standard_normal(shape).astype(np.float32) * 3
    x[5] *= 100                                         # one block takes the shifted path
    t = rng.integers(0, shape[1], shape[0])
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = F.cross_entropy(mx, mg.tensor(t), label_smoothing=0.1)
    ref = TF.cross_entropy(tx, torch.tensor(t), label_smoothing=0.1)
    np.testing.assert_allclose(out.item(), ref.item(), rtol=1e-5)
    out.backward()
    ref.backward()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-9)


def test_cross_entropy_uint8_targets_and_module(rng):
    x = rng.standard_normal((5, 3))
    t = rng.integers(0, 3, 5).astype(np.uint8)
    w = rng.random(3)
    mod = mg.nn.CrossEntropyLoss(weight=mg.tensor(w), label_smoothing=0.05, reduction="sum")
    ref = torch.nn.CrossEntropyLoss(weight=torch.tensor(w), label_smoothing=0.05,
                                    reduction="sum")
    check_op(lambda a, b: mod(a, b), lambda a, b: ref(a, b), [x, t], double=True)
    assert "weight" in dict(mod.named_buffers())


def test_other_cross_entropy_errors():
    x, t = mg.randn(3, 4), mg.tensor([0, 1, 2])
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        F.cross_entropy(x, t, reduction="avg")
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\).*\(3,\)"):
        F.cross_entropy(x, t, weight=mg.ones(3))
    with pytest.raises(ValueError, match="label_smoothing.*1.5"):
        F.cross_entropy(x, t, label_smoothing=1.5)
    with pytest.raises(ValueError, match="ignore_index=1 is not supported"):
        F.cross_entropy(x, mg.rand(3, 4), ignore_index=1)
    with pytest.raises(ValueError, match="input must be a floating point"):
        F.cross_entropy(mg.tensor([[1, 2]]), mg.tensor([0]))


@pytest.mark.parametrize("eps", [0.0, 0.1])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_all_targets_ignored_matches_torch(eps, reduction, device):
    """Every target ignored: torch's mean loss is NaN (0/0) but its gradient is 0."""
    x = np.random.default_rng().standard_normal((3, 4))
    t = np.full(3, -100)
    check_op(lambda a: F.cross_entropy(a, mg.tensor(t, device=device), reduction=reduction,
                                       label_smoothing=eps),
             lambda a: torch.nn.functional.cross_entropy(a, torch.tensor(t), reduction=reduction,
                                                         label_smoothing=eps),
             [x], device=device)


def test_cross_entropy_backward_twice_with_retain_graph(rng):
    """The CPU forward keeps its exponentials for one backward; a second one recomputes."""
    x = mg.tensor(rng.standard_normal((6, 5)), requires_grad=True)
    t = mg.tensor(rng.integers(0, 5, 6))
    loss = mg.nn.functional.cross_entropy(x, t, label_smoothing=0.1)
    g1, = mg.grad(loss, x, retain_graph=True)
    g2, = mg.grad(loss, x)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    tg, = torch.autograd.grad(torch.nn.functional.cross_entropy(
        tx, torch.tensor(t.numpy()), label_smoothing=0.1), tx)
    assert_close(g1, tg, 1e-12, 1e-12)
    assert_close(g2, tg, 1e-12, 1e-12)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("reduction,eps,weighted", OPTIONS)
def test_ignored_rows_with_inf_or_nan_logits_are_left_out(device, dtype, reduction, eps,
                                                          weighted):
    """torch leaves an ignored row out of the loss even when its logits are inf, -inf or NaN
    (its gradient there is NaN in torch too); the (N, C, L) padded form as well."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 4, 3)).astype(dtype)
    x[1, :, 0] = [np.inf, -np.inf, np.nan, 1.0]
    x[2, :, 1] = -np.inf                                    # a padding position
    x[0, :, 2] = [np.inf, 1.0, 2.0, 3.0]
    t = rng.integers(0, 4, (5, 3))
    t[1, 0] = t[2, 1] = t[0, 2] = -100
    w = rng.uniform(0.5, 2.0, 4).astype(dtype) if weighted else None
    a = mg.tensor(x, device=device, requires_grad=True)
    ta = torch.tensor(x, requires_grad=True)
    kw = dict(reduction=reduction, label_smoothing=eps)
    loss = F.cross_entropy(a, mg.tensor(t, device=device),
                           weight=None if w is None else mg.tensor(w, device=device), **kw)
    tloss = TF.cross_entropy(ta, torch.tensor(t), weight=None if w is None else torch.tensor(w),
                             **kw)
    assert np.all(np.isfinite(loss.detach().numpy()))
    tol = 1e-12 if dtype == "float64" else 1e-5
    assert_close(loss, tloss, tol, tol)
    g, = mg.grad(loss.sum(), a)
    tg, = torch.autograd.grad(tloss.sum(), ta)
    assert_close(g, tg, tol, tol)                           # NaN exactly where torch has it
    nll = F.nll_loss(a, mg.tensor(t, device=device), reduction=reduction)
    tnll = TF.nll_loss(ta, torch.tensor(t), reduction=reduction)
    assert_close(nll, tnll, tol, tol)
