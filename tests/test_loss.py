"""cross_entropy, nll_loss, kl_div, mse/l1/smooth_l1 and their modules vs torch in float64:
every option, values, gradients, second derivatives; bad input; the distillation seed."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F

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


@pytest.mark.parametrize("shapes", CLASS_SHAPES)
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(device, rng, shapes, reduction, weighted):
    x = rng.standard_normal(shapes[0])
    t, c = _targets(rng, *shapes)
    w = rng.random(c) + 0.1 if weighted else None
    mw = None if w is None else mg.tensor(w, device=device)
    tw = None if w is None else torch.tensor(w)
    check_op(lambda a, b: F.nll_loss(a, b, weight=mw, reduction=reduction),
             lambda a, b: TF.nll_loss(a, b, weight=tw, reduction=reduction), [x, t],
             device=device)
    # nll_loss is linear in its input: second derivatives through log_softmax exercise its
    # backward's own backward
    dim = 0 if x.ndim == 1 else 1
    check_op(lambda a, b: F.nll_loss(F.log_softmax(a, dim), b, weight=mw, reduction=reduction),
             lambda a, b: TF.nll_loss(TF.log_softmax(a, dim), b, weight=tw, reduction=reduction),
             [x, t], device=device, double=True)


def test_nll_loss_module_and_legacy_flags(rng):
    x = rng.standard_normal((4, 3))
    t = np.array([0, 2, 1, 1])
    check_op(lambda a, b: mg.nn.NLLLoss(ignore_index=1)(a, b),
             lambda a, b: torch.nn.NLLLoss(ignore_index=1)(a, b), [x, t])
    for legacy in [{"size_average": False}, {"reduce": False}]:
        with pytest.warns(UserWarning, match="deprecated"):
            check_op(lambda a, b, kw=legacy: F.nll_loss(a, b, **kw),
                     lambda a, b, kw=legacy: TF.nll_loss(a, b, **kw), [x, t])


BAD_CLASS_INPUT = [
    ((3, 4), [1, 2], ValueError, r"batch_size \(3\).*batch_size \(2\)"),
    ((3, 4), [1, 2, 4], IndexError, "target 4 is out of bounds for 4 classes"),
    ((3, 4), [1, -1, 2], IndexError, "target -1 is out of bounds"),
    ((3, 4), [1.0, 2.0, 3.0], ValueError, "integer dtype.*float"),
    ((3, 4), [True, False, True], ValueError, "integer dtype.*bool"),
    ((3, 4, 5), [1, 2, 3], ValueError, r"target of shape \(3, 5\).*got \(3,\)"),
    ((4,), [1], ValueError, r"target of shape \(\)"),
]


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
@pytest.mark.parametrize("in_shape,target,err,msg", BAD_CLASS_INPUT)
def test_class_target_errors(fn, in_shape, target, err, msg):
    with pytest.raises(err, match=msg):
        fn(mg.randn(*in_shape), mg.tensor(target))


def test_reduction_errors_list_what_each_loss_accepts():
    logp = mg.randn(3, 4).log_softmax(1)
    with pytest.raises(ValueError, match=r"kl_div: 'avg' .*'sum', 'batchmean'"):
        F.kl_div(logp, logp.exp(), reduction="avg")
    with pytest.raises(ValueError, match=r"mse_loss: 'batchmean' .*\(expected one of 'none', "
                                         r"'mean', 'sum'\)"):
        F.mse_loss(logp, logp, reduction="batchmean")


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


@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(device, rng, reduction, log_target):
    x = np.log(rng.dirichlet(np.ones(5), size=4))
    t = rng.dirichlet(np.ones(5), size=4)
    if log_target:
        t = np.log(t)
    with pytest.warns(UserWarning) if reduction == "mean" else _nothing():
        check_op(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
                 lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target),
                 [x, t], device=device, double=True)


def test_kl_div_zero_targets_like_torch(rng):
    """0 log 0 = 0 in the value; torch's target gradient at exactly 0 is NaN, and so is ours."""
    x = np.log(rng.dirichlet(np.ones(4), size=3))
    t = rng.dirichlet(np.ones(4), size=3)
    t[:, 0] = 0
    check_op(lambda a, b: F.kl_div(a, b, reduction="sum"),
             lambda a, b: TF.kl_div(a, b, reduction="sum"), [x, t])
    loss = F.kl_div(mg.tensor(x), mg.tensor(t), reduction="none").numpy()
    assert np.all(loss[:, 0] == 0)
    check_op(lambda a, b: F.kl_div(a, b, reduction="batchmean"),
             lambda a, b: TF.kl_div(a, b, reduction="batchmean"), [x, t],
             requires_grad=[True, False], double=True)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("weighted", [False, True])
def test_mse_and_l1(device, rng, name, reduction, weighted):
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    if weighted:
        w = rng.random((4, 3))
        check_op(lambda a, b, c: getattr(F, name)(a, b, reduction=reduction, weight=c),
                 lambda a, b, c: getattr(TF, name)(a, b, reduction=reduction, weight=c),
                 [x, y, w], device=device, requires_grad=[True, True, False],
                 double=name == "mse_loss")       # l1 is piecewise linear: no 2nd derivative
    else:
        check_op(lambda a, b: getattr(F, name)(a, b, reduction=reduction),
                 lambda a, b: getattr(TF, name)(a, b, reduction=reduction), [x, y],
                 device=device, double=name == "mse_loss")


@pytest.mark.parametrize("beta", [1.0, 0.3, 0.0])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_smooth_l1(device, rng, beta, reduction):
    x, y = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    check_op(lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
             lambda a, b: TF.smooth_l1_loss(a, b, reduction=reduction, beta=beta), [x, y],
             device=device, double=beta > 0)


def test_regression_modules_and_broadcast_warning(rng):
    x, y = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    for mod, ref in [(mg.nn.MSELoss(), torch.nn.MSELoss()),
                     (mg.nn.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum")),
                     (mg.nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5)),
                     (mg.nn.KLDivLoss(reduction="batchmean", log_target=True),
                      torch.nn.KLDivLoss(reduction="batchmean", log_target=True))]:
        check_op(lambda a, b, m=mod: m(a, b), lambda a, b, r=ref: r(a, b), [x, y])
    with pytest.warns(UserWarning, match="broadcast"):
        F.mse_loss(mg.randn(3, 1), mg.randn(3))
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"), pytest.warns(UserWarning):
        F.mse_loss(mg.randn(3), mg.randn(2))
    with pytest.raises(ValueError, match="'batchmean' is not a valid"):
        mg.nn.MSELoss(reduction="batchmean")
    with pytest.raises(ValueError, match="'avg'"):
        F.kl_div(mg.randn(3), mg.rand(3), reduction="avg")


@pytest.mark.parametrize("T", [1.0, 4.0])
def test_seed_distillation_loss(device, rng, T):
    """kl_div(log_softmax(s/T), softmax(t/T), 'batchmean') * T**2 + cross_entropy(s, y)."""
    s, te = rng.standard_normal((6, 10)) * 3, rng.standard_normal((6, 10)) * 3
    y = rng.integers(0, 10, 6)

    def loss(F_, a, b, c):
        soft = F_.kl_div(F_.log_softmax(a / T, dim=1), F_.softmax(b / T, dim=1),
                         reduction="batchmean") * T ** 2
        return soft + F_.cross_entropy(a, c)

    check_op(lambda a, b, c: loss(F, a, b, c), lambda a, b, c: loss(TF, a, b, c), [s, te, y],
             device=device, double=True)


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


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_nll_all_targets_ignored_matches_torch(reduction, device):
    x = np.random.default_rng().standard_normal((3, 4))
    t = np.full(3, -100)
    check_op(lambda a: F.nll_loss(a.log_softmax(1), mg.tensor(t, device=device),
                                  reduction=reduction),
             lambda a: torch.nn.functional.nll_loss(a.log_softmax(1), torch.tensor(t),
                                                    reduction=reduction),
             [x], device=device)


def test_cross_entropy_backward_twice_with_retain_graph(rng):
    from minigrad.testing import assert_close
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
