"""nll_loss, kl_div, mse/l1/smooth_l1 and their modules vs torch in float64: every option,
values, gradients, second derivatives; bad input (shared with cross_entropy, whose own tests
are in test_cross_entropy.py); the distillation seed."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op
from test_cross_entropy import CLASS_SHAPES, _targets

import minigrad as mg
import minigrad.nn.functional as F


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


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_nll_all_targets_ignored_matches_torch(reduction, device):
    x = np.random.default_rng().standard_normal((3, 4))
    t = np.full(3, -100)
    check_op(lambda a: F.nll_loss(a.log_softmax(1), mg.tensor(t, device=device),
                                  reduction=reduction),
             lambda a: torch.nn.functional.nll_loss(a.log_softmax(1), torch.tensor(t),
                                                    reduction=reduction),
             [x], device=device)


BAD_ARGS = [  # (what, call on (lib, F), error minigrad must raise, text it must contain)
    ("dropout of an int tensor", lambda L, F_: F_.dropout(L.tensor([1, 2]), 0.5),
     RuntimeError, "can't be cast"),
    ("dropout of None", lambda L, F_: F_.dropout(None, 0.5), TypeError, "'input'"),
    ("conv2d stride 1.5", lambda L, F_: F_.conv2d(L.ones(1, 1, 4, 4), L.ones(1, 1, 2, 2),
                                                   stride=1.5), TypeError, "stride"),
    ("embedding with a 3-D weight", lambda L, F_: F_.embedding(L.tensor([0, 1]),
                                                               L.ones(3, 2, 2)),
     RuntimeError, "2-D"),
    ("embedding padding_idx out of range", lambda L, F_: F_.embedding(
        L.tensor([0, 1]), L.ones(3, 2), padding_idx=5), ValueError, "padding_idx"),
    ("cross_entropy ignore_index=None", lambda L, F_: F_.cross_entropy(
        L.ones(2, 3), L.tensor([0, 1]), ignore_index=None), TypeError, "ignore_index"),
    ("cross_entropy NumPy target", lambda L, F_: F_.cross_entropy(L.ones(2, 3),
                                                                  np.array([0, 1])),
     TypeError, "'target'"),
    ("nll_loss list target", lambda L, F_: F_.nll_loss(L.ones(2, 3), [0, 1]), TypeError,
     "'target'"),
    ("Conv2d reflect padding >= input", lambda L, F_: L.nn.Conv2d(
        1, 1, 1, padding=2, padding_mode="reflect")(L.ones(1, 1, 2, 2)), RuntimeError,
     "reflect"),
    ("Conv2d circular padding > input", lambda L, F_: L.nn.Conv2d(
        1, 1, 1, padding=3, padding_mode="circular")(L.ones(1, 1, 2, 2)), RuntimeError,
     "circular"),
]


@pytest.mark.parametrize("what,call,err,text", BAD_ARGS, ids=[b[0] for b in BAD_ARGS])
def test_bad_arguments_raise_at_the_call_like_torch(what, call, err, text):
    """Each raises in torch too; minigrad raises a clear error of its own (torch's kind, or
    ValueError where torch raises an AssertionError) naming the argument."""
    with pytest.raises(Exception):                   # noqa: B017 - torch's kinds vary
        call(torch, TF)
    with pytest.raises(err, match=text) as info:
        call(mg, F)
    where = info.traceback[-1].path.as_posix()       # the frame that raised: ours, not NumPy's
    assert "/minigrad/" in where and "site-packages" not in where, where


def test_loss_module_reprs_are_torchs():
    """torch's loss modules print no options (MSELoss(), whatever the reduction)."""
    import torch
    for name, kw in [("MSELoss", {"reduction": "sum"}), ("L1Loss", {}),
                     ("CrossEntropyLoss", {"reduction": "none", "label_smoothing": 0.1}),
                     ("KLDivLoss", {"reduction": "batchmean"}), ("BCELoss", {}),
                     ("NLLLoss", {"reduction": "sum"}), ("SmoothL1Loss", {"beta": 0.5})]:
        assert repr(getattr(mg.nn, name)(**kw)) == repr(getattr(torch.nn, name)(**kw))
