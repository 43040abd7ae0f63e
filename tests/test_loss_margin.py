"""margin_ranking_loss, hinge_embedding_loss, soft_margin_loss, multilabel_soft_margin_loss,
cosine_embedding_loss, multi_margin_loss and multilabel_margin_loss vs torch in float64:
every option and reduction, values, gradients, second derivatives (where torch has them),
0-d/empty/broadcast inputs, dtypes, torch's errors; the modules."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op
from module_check import check_module
from test_loss_more import raises_like_torch, torch_float32_default

import minigrad as mg
import minigrad.nn.functional as F

RED = ["none", "mean", "sum"]


def _pm(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1, 1)


# ---- margin_ranking, hinge_embedding, soft_margin --------------------------------------------
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("margin", [0.0, 0.5])
@pytest.mark.parametrize("shapes", [((5,), (5,), (5,)), ((3, 4), (1, 4), (3, 1)), ((), (), ()),
                                    ((0,), (0,), (0,))])
def test_margin_ranking_loss(rng, reduction, margin, shapes):
    x1, x2 = (rng.standard_normal(s) for s in shapes[:2])
    y = _pm(rng, shapes[2])
    for t in (y, y.astype(float)):
        check_op(lambda a, b, c: F.margin_ranking_loss(a, b, c, margin, reduction=reduction),
                 lambda a, b, c: TF.margin_ranking_loss(a, b, c, margin, reduction=reduction),
                 [x1, x2, t], double=True)


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("margin", [1.0, 0.3])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((4,), (3, 4)), ((), ()), ((0, 2), (0, 2))])
def test_hinge_embedding_loss(rng, reduction, margin, shapes):
    x = rng.standard_normal(shapes[0]) * 2
    y = _pm(rng, shapes[1])
    if y.size:
        y.flat[0] = 0                           # neither 1 nor -1: both terms count
    check_op(lambda a, b: F.hinge_embedding_loss(a, b, margin, reduction=reduction),
             lambda a, b: TF.hinge_embedding_loss(a, b, margin, reduction=reduction), [x, y],
             double=True)


def test_hinge_embedding_loss_integer_input():
    """torch fills a tensor of the input's dtype with the margin: an integer input keeps its
    dtype (sum/none) and the margin is truncated; mean of an integer loss raises."""
    for margin, red in [(1.0, "sum"), (2.7, "none"), (-1.5, "sum")]:
        x = np.array([[0, 1, 2], [3, -1, 0]])
        y = np.array([[1, -1, -1], [-1, -1, 1]])
        out = F.hinge_embedding_loss(mg.tensor(x), mg.tensor(y), margin, reduction=red)
        ref = TF.hinge_embedding_loss(torch.tensor(x), torch.tensor(y), margin, reduction=red)
        assert out.dtype == mg.int64 and ref.dtype == torch.int64
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
    raises_like_torch(lambda L, F_: F_.hinge_embedding_loss(L.ones(2, dtype=L.int64),
                                                            L.ones(2)))
    raises_like_torch(lambda L, F_: F_.hinge_embedding_loss(L.ones(2) > 0, L.ones(2),
                                                            reduction="sum"))


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((), ()), ((0, 3), (0, 3))])
def test_soft_margin_loss(rng, reduction, shapes):
    x = rng.standard_normal(shapes[0]) * 3
    for y in (_pm(rng, shapes[1]), rng.standard_normal(shapes[1])):
        check_op(lambda a, b: F.soft_margin_loss(a, b, reduction=reduction),
                 lambda a, b: TF.soft_margin_loss(a, b, reduction=reduction), [x, y],
                 requires_grad=[True, False], double=True)


def test_soft_margin_loss_target_gets_no_gradient():
    """torch refuses a target that requires grad (not under no_grad); so does minigrad."""
    raises_like_torch(lambda L, F_: F_.soft_margin_loss(L.ones(3), L.ones(3).requires_grad_()))
    with mg.no_grad():
        F.soft_margin_loss(mg.ones(3), mg.ones(3).requires_grad_())


def test_margin_losses_dtypes_and_errors():
    with torch_float32_default():
        for call in [lambda L, F_: F_.margin_ranking_loss(L.ones(3, dtype=L.int64),
                                                          L.zeros(3, dtype=L.int64),
                                                          L.ones(3, dtype=L.int64)),
                     lambda L, F_: F_.margin_ranking_loss(L.ones(3), L.zeros(3),
                                                          L.ones(3, dtype=L.float64)),
                     lambda L, F_: F_.hinge_embedding_loss(L.ones(3), L.ones(3, dtype=L.int64)),
                     lambda L, F_: F_.soft_margin_loss(L.ones(3), L.ones(3, dtype=L.float64)),
                     lambda L, F_: F_.soft_margin_loss(L.ones(3, dtype=L.float64), L.ones(3)),
                     lambda L, F_: F_.soft_margin_loss(L.ones(3), L.ones(3) > 0)]:
            out, ref = call(mg, F), call(torch, TF)
            assert str(out.dtype) == str(ref.dtype).removeprefix("torch.")
            np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    for bad in [lambda L, F_: F_.margin_ranking_loss(L.ones(3), L.ones(3), L.ones(3) > 0),
                lambda L, F_: F_.margin_ranking_loss(L.ones(2, 3), L.ones(3), L.ones(3)),
                lambda L, F_: F_.margin_ranking_loss(L.ones(3), L.ones(4), L.ones(3)),
                lambda L, F_: F_.margin_ranking_loss(L.ones(3), L.ones(3), L.ones(3), None),
                lambda L, F_: F_.hinge_embedding_loss(L.ones(3), L.ones(4)),
                lambda L, F_: F_.hinge_embedding_loss(L.ones(3), L.ones(3), reduction="x"),
                lambda L, F_: F_.soft_margin_loss(L.ones(3, dtype=L.int64), L.ones(3)),
                lambda L, F_: F_.soft_margin_loss(L.ones(3) > 0, L.ones(3)),
                lambda L, F_: F_.soft_margin_loss(L.ones(3), L.ones(2, 3))]:
        raises_like_torch(bad)


# ---- multilabel_soft_margin, cosine_embedding ------------------------------------------------
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("weight", [None, (4,), (3, 1)])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (4,)])
def test_multilabel_soft_margin_loss(rng, reduction, weight, shape):
    x = rng.standard_normal(shape) * 2
    y = (rng.random(shape) < 0.5).astype(float)
    w = None if weight is None or len(shape) == 1 else rng.random(weight)
    args = [x, y] if w is None else [x, y, w]
    check_op(lambda *a: F.multilabel_soft_margin_loss(*a, reduction=reduction),
             lambda *a: TF.multilabel_soft_margin_loss(*a, reduction=reduction), args,
             double=True)                   # a weight gets a gradient too, as in torch


def test_multilabel_soft_margin_loss_edges(rng):
    check_op(F.multilabel_soft_margin_loss, TF.multilabel_soft_margin_loss,
             [np.zeros((0, 4)), np.zeros((0, 4))])
    check_op(lambda a, b: F.multilabel_soft_margin_loss(a, b, reduction="none"),
             lambda a, b: TF.multilabel_soft_margin_loss(a, b, reduction="none"),
             [np.zeros((3, 0)), np.zeros((3, 0))])
    check_op(F.multilabel_soft_margin_loss, TF.multilabel_soft_margin_loss,
             [rng.standard_normal((3, 4)), rng.integers(0, 2, (3, 4))])
    for bad in [lambda L, F_: F_.multilabel_soft_margin_loss(L.ones(()), L.ones(())),
                lambda L, F_: F_.multilabel_soft_margin_loss(L.ones(3, 4), L.ones(3, 4) > 0),
                lambda L, F_: F_.multilabel_soft_margin_loss(L.ones(3, dtype=L.int64),
                                                             L.ones(3)),
                lambda L, F_: F_.multilabel_soft_margin_loss(L.ones(3), L.ones(3),
                                                             reduction="elementwise_mean")]:
        raises_like_torch(bad)


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("margin", [0.0, 0.4, -0.3])
@pytest.mark.parametrize("shapes", [((5, 3), ()), ((4,), None), ((0, 3), ()), ((5, 0), ())])
def test_cosine_embedding_loss(rng, reduction, margin, shapes):
    x1, x2 = rng.standard_normal((2,) + shapes[0])
    y = _pm(rng, shapes[0][:-1])
    if y.size:
        y.flat[0] = 0                           # neither 1 nor -1: no loss
    check_op(lambda a, b, c: F.cosine_embedding_loss(a, b, c, margin, reduction=reduction),
             lambda a, b, c: TF.cosine_embedding_loss(a, b, c, margin, reduction=reduction),
             [x1, x2, y], double=True)


def test_cosine_embedding_loss_errors_and_dtypes():
    for bad in [lambda L, F_: F_.cosine_embedding_loss(L.ones(3, 4), L.ones(3, 4), L.ones(())),
                lambda L, F_: F_.cosine_embedding_loss(L.ones(4), L.ones(4), L.ones(1)),
                lambda L, F_: F_.cosine_embedding_loss(L.ones(2, 3, 4), L.ones(2, 3, 4),
                                                       L.ones(2, 3)),
                lambda L, F_: F_.cosine_embedding_loss(L.ones(3, 4), L.ones(3, 5), L.ones(3)),
                lambda L, F_: F_.cosine_embedding_loss(L.ones(3, 4), L.ones(3, 4), L.ones(2))]:
        raises_like_torch(bad)
    with torch_float32_default():
        out = F.cosine_embedding_loss(mg.ones(3, 4, dtype=mg.int64), mg.ones(3, 4), mg.ones(3))
        assert out.dtype == mg.float32
        out = F.cosine_embedding_loss(mg.ones(3, 4), mg.ones(3, 4, dtype=mg.float64), mg.ones(3))
        assert out.dtype == mg.float64


# ---- multi_margin, multilabel_margin ---------------------------------------------------------
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("margin", [1.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shapes", [((5, 4), (5,)), ((4,), ()), ((4,), (1,)), ((), ()),
                                    ((1, 3), ())])
def test_multi_margin_loss(rng, reduction, p, margin, weighted, shapes):
    x = rng.standard_normal(shapes[0])
    c = x.shape[-1] if x.ndim else 1
    y = rng.integers(0, c, shapes[1])
    w = rng.random(c) + 0.5 if weighted else None
    mw, tw = (None, None) if w is None else (mg.tensor(w), torch.tensor(w))
    # torch has no second derivative here (minigrad's composition has one)
    check_op(lambda a, b: F.multi_margin_loss(a, b, p, margin, mw, reduction=reduction),
             lambda a, b: TF.multi_margin_loss(a, b, p, margin, tw, reduction=reduction),
             [x, y])


def test_multi_margin_loss_ties_and_nan_margin():
    x = np.array([[0.5, 0.5, 0.5], [1.0, 0.0, 1.0]])
    y = np.array([1, 0])
    for margin in [0.0, 1.0, float("nan")]:
        check_op(lambda a, b, m=margin: F.multi_margin_loss(a, b, margin=m, reduction="none"),
                 lambda a, b, m=margin: TF.multi_margin_loss(a, b, margin=m, reduction="none"),
                 [x, y])


def test_multi_margin_loss_errors():
    x, y = (lambda L: L.ones(3, 4)), (lambda L: L.tensor([0, 1, 3]))
    for bad in [lambda L, F_: F_.multi_margin_loss(x(L), y(L), p=3),
                lambda L, F_: F_.multi_margin_loss(x(L), y(L), weight=L.ones(1, 4)),
                lambda L, F_: F_.multi_margin_loss(x(L), y(L), weight=L.ones(3)),
                lambda L, F_: F_.multi_margin_loss(x(L), y(L), weight=L.ones(4, dtype=L.int64)),
                lambda L, F_: F_.multi_margin_loss(x(L), y(L), weight=L.ones(4).requires_grad_()),
                lambda L, F_: F_.multi_margin_loss(x(L), L.tensor([0, 1, 4])),
                lambda L, F_: F_.multi_margin_loss(x(L), L.tensor([0, 1, -1])),
                lambda L, F_: F_.multi_margin_loss(x(L), L.tensor([0., 1., 2.])),
                lambda L, F_: F_.multi_margin_loss(x(L), y(L).to(L.int32)),
                lambda L, F_: F_.multi_margin_loss(x(L), L.tensor([0, 1])),
                lambda L, F_: F_.multi_margin_loss(x(L), y(L)[:, None]),
                lambda L, F_: F_.multi_margin_loss(L.ones(2, 3, 4), L.zeros(2, 3, dtype=L.int64)),
                lambda L, F_: F_.multi_margin_loss(L.ones(3, 0), L.zeros(3, dtype=L.int64)),
                lambda L, F_: F_.multi_margin_loss(L.ones(3, 4, dtype=L.int64), y(L)),
                lambda L, F_: F_.multi_margin_loss(x(L), y(L), reduction="bogus")]:
        raises_like_torch(bad)


@pytest.mark.parametrize("reduction", RED)
def test_multilabel_margin_loss(rng, reduction):
    x = rng.standard_normal((4, 5))
    t = np.array([[3, 0, -1, 1, 4],            # stops at the first -1 (the 1 and 4 after it
                  [0, 1, 2, 3, 4],             # are ignored); every class a target: no loss
                  [-1, 2, 1, 0, 0],            # no target: no loss
                  [2, 2, 4, -1, -1]])          # a repeated target counts twice, as in torch
    check_op(lambda a, b: F.multilabel_margin_loss(a, b, reduction=reduction),
             lambda a, b: TF.multilabel_margin_loss(a, b, reduction=reduction), [x, t])
    for xs, ts in [(x[0], t[0]), (x[0, 0], np.array(0)), (x[0, 0], np.array([-1])),
                   (x[:1], t[:1])]:
        check_op(lambda a, b: F.multilabel_margin_loss(a, b, reduction=reduction),
                 lambda a, b: TF.multilabel_margin_loss(a, b, reduction=reduction), [xs, ts])


def test_multilabel_margin_loss_blocks_and_empty(rng, monkeypatch):
    """Rows are processed in blocks (memory of one block of (rows, C, C) pairs)."""
    import minigrad.ops.loss_multiclass as lm
    monkeypatch.setattr(lm, "_BLOCK", 20)
    x = rng.standard_normal((7, 4))
    t = np.array([rng.permutation(4) for _ in range(7)])
    t[:, 2] = -1
    check_op(lambda a, b: F.multilabel_margin_loss(a, b, reduction="none"),
             lambda a, b: TF.multilabel_margin_loss(a, b, reduction="none"), [x, t])
    for red in ["none", "sum"]:                 # (torch's mean of no rows is uninitialized)
        check_op(lambda a, b, r=red: F.multilabel_margin_loss(a, b, reduction=r),
                 lambda a, b, r=red: TF.multilabel_margin_loss(a, b, reduction=r),
                 [np.zeros((0, 4)), np.zeros((0, 4), np.int64)])


def test_multilabel_margin_loss_errors():
    x = lambda L: L.ones(3, 4)                  # noqa: E731
    t = lambda L: L.tensor([[3, 0, -1, 1]] * 3)  # noqa: E731
    for bad in [lambda L, F_: F_.multilabel_margin_loss(x(L), t(L) + 1),
                lambda L, F_: F_.multilabel_margin_loss(x(L), t(L) - 1),
                lambda L, F_: F_.multilabel_margin_loss(L.ones(4), L.tensor([1, -1, -5, 9])),
                lambda L, F_: F_.multilabel_margin_loss(L.ones(()), L.tensor(1)),
                lambda L, F_: F_.multilabel_margin_loss(x(L), t(L).to(L.int32)),
                lambda L, F_: F_.multilabel_margin_loss(x(L), t(L).to(L.float32)),
                lambda L, F_: F_.multilabel_margin_loss(x(L), t(L)[:, :3]),
                lambda L, F_: F_.multilabel_margin_loss(x(L), t(L)[0]),
                lambda L, F_: F_.multilabel_margin_loss(L.ones(1, 3, 4), t(L)[None]),
                lambda L, F_: F_.multilabel_margin_loss(L.ones(0), L.ones(0, dtype=L.int64)),
                lambda L, F_: F_.multilabel_margin_loss(L.ones(3, 4, dtype=L.int64), t(L))]:
        raises_like_torch(bad)


def test_float32_results(rng):
    x, z = (rng.standard_normal((4, 3)).astype(np.float32) for _ in range(2))
    y = np.where(rng.random(4) < 0.5, -1, 1).astype(np.float32)
    for name, args in [("margin_ranking_loss", (x[:, 0], z[:, 0], y)),
                       ("hinge_embedding_loss", (x[:, 0], y)),
                       ("soft_margin_loss", (x[:, 0], y)),
                       ("multilabel_soft_margin_loss", (x, np.abs(z))),
                       ("cosine_embedding_loss", (x, z, y)),
                       ("multi_margin_loss", (x, np.array([0, 2, 1, 1]))),
                       ("multilabel_margin_loss", (x, np.array([[0, -1, 1]] * 4)))]:
        req = [a.dtype.kind == "f" and not (name == "soft_margin_loss" and k == 1)
               for k, a in enumerate(args)]
        check_op(getattr(F, name), getattr(TF, name), list(args), requires_grad=req,
                 rtol=1e-5, atol=1e-6)


# ---- modules ---------------------------------------------------------------------------------
def _inputs(rng, name):
    x, y = rng.standard_normal((2, 4, 3))
    pm = np.where(rng.random(4) < 0.5, -1.0, 1.0)
    return {"MarginRankingLoss": [x[:, 0], y[:, 0], pm], "HingeEmbeddingLoss": [x, y],
            "CosineEmbeddingLoss": [x, y, pm], "SoftMarginLoss": [x, y],
            "MultiLabelSoftMarginLoss": [x, (y > 0) * 1.0],
            "MultiLabelMarginLoss": [x, np.array([[0, -1, 1]] * 4)],
            "MultiMarginLoss": [x, np.array([0, 2, 1, 1])]}[name]


MODULES = [("MarginRankingLoss", (0.5,), {}, ["margin"]),
           ("HingeEmbeddingLoss", (2.0,), {"reduction": "sum"}, ["margin", "reduction"]),
           ("CosineEmbeddingLoss", (0.2,), {"reduction": "none"}, ["margin", "reduction"]),
           ("SoftMarginLoss", (), {"size_average": False}, ["reduction"]),
           ("MultiLabelSoftMarginLoss", (), {"reduce": False}, ["reduction"]),
           ("MultiLabelMarginLoss", (), {}, ["reduction"]),
           ("MultiMarginLoss", (2, 0.5), {}, ["p", "margin"])]


@pytest.mark.parametrize("name,args,kw,attrs", MODULES)
def test_modules_match_torch(rng, name, args, kw, attrs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # the legacy flags' deprecation warnings
        m, t = getattr(mg.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    for a in attrs:
        assert getattr(m, a) == getattr(t, a), a
    assert repr(m) == repr(t)
    inputs = _inputs(rng, name)
    if name == "SoftMarginLoss":                # its target gets no gradient (torch raises)
        out = m(mg.tensor(inputs[0]), mg.tensor(inputs[1]))
        ref = t(torch.tensor(inputs[0]), torch.tensor(inputs[1]))
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12)
        return
    check_module(m, t, inputs)


@pytest.mark.parametrize("name", ["MultiLabelSoftMarginLoss", "MultiMarginLoss"])
def test_weighted_modules(rng, name):
    w = rng.random(3) + 0.5
    m, t = getattr(mg.nn, name)(weight=mg.tensor(w)), getattr(torch.nn, name)(
        weight=torch.tensor(w))
    assert [k for k, _ in m.named_buffers()] == [k for k, _ in t.named_buffers()] == ["weight"]
    assert list(m.state_dict()) == list(t.state_dict())
    m2 = getattr(mg.nn, name)(weight=mg.ones(3, dtype=mg.float64))
    check_module(m2, t, _inputs(rng, name))     # the weight comes from torch's state_dict
    assert mg.nn.MultiMarginLoss().weight is None and mg.nn.MultiMarginLoss().p == 1
    for bad in [lambda L: L.nn.MultiMarginLoss(p=3),
                lambda L: L.nn.MultiMarginLoss(weight=L.ones(2, 2))]:
        with pytest.raises(ValueError):
            bad(torch)
        with pytest.raises(ValueError):
            bad(mg)


def test_module_defaults():
    for name in ["MarginRankingLoss", "HingeEmbeddingLoss", "CosineEmbeddingLoss",
                 "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss",
                 "MultiMarginLoss"]:
        m, t = getattr(mg.nn, name)(), getattr(torch.nn, name)()
        for k, v in vars(t).items():
            if not k.startswith("_") and k != "training":
                assert getattr(m, k) == v, (name, k)
        assert repr(m) == repr(t) and m.reduction == "mean"


@pytest.mark.parametrize("name,args", [
    ("multi_margin_loss", (np.array([0, 2, 1]),)), ("multilabel_margin_loss",
                                                   (np.array([[0, -1, 1]] * 3),))])
def test_no_second_derivative_as_in_torch(rng, name, args):
    """torch has first derivatives only for these two: a second one raises, in both."""
    x = rng.standard_normal((3, 3))
    for L, F_ in ((torch, TF), (mg, F)):
        xs = L.tensor(x, requires_grad=True)
        out = getattr(F_, name)(xs, L.tensor(args[0]), reduction="sum")
        g, = (torch.autograd.grad if L is torch else mg.grad)(out, [xs], create_graph=True)
        with pytest.raises(RuntimeError, match="derivative"):
            (torch.autograd.grad if L is torch else mg.grad)(g.sum(), [xs])


def test_soft_margin_loss_bool_target_backward_raises_as_in_torch(rng):
    """torch's forward takes a bool target, its backward then fails (it negates the target):
    the values agree, and both backward passes raise."""
    x = rng.standard_normal((2, 3))
    y = rng.random((2, 3)) < 0.5
    outs = []
    for L, F_ in ((torch, TF), (mg, F)):
        xs = L.tensor(x, requires_grad=True)
        out = F_.soft_margin_loss(xs, L.tensor(y))
        outs.append(out.detach().numpy())
        with pytest.raises(RuntimeError, match="bool"):
            out.backward()
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-12)
