"""huber_loss, gaussian_nll_loss, poisson_nll_loss, cosine_similarity, pairwise_distance,
triplet_margin_loss and triplet_margin_with_distance_loss vs torch in float64: every option
and reduction, values, gradients (w.r.t. every float argument, var included) and second
derivatives; broadcasting, 0-d and empty inputs, dtypes, torch's errors; the modules.
The margin and multi-class losses are in test_loss_margin.py."""
import contextlib
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F

RED = ["none", "mean", "sum"]


@contextlib.contextmanager
def torch_float32_default():
    """conftest makes float64 torch's default; minigrad's default is float32."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def raises_like_torch(call):
    """call(L, F) raises in torch; minigrad raises the same builtin kind, from its own code."""
    with pytest.raises(Exception) as tinfo:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call(torch, TF)
    kind = next(k for k in type(tinfo.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(kind) as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call(mg, F)
    assert "/minigrad/" in info.traceback[-1].path.as_posix()
    return info.value


# ---- huber_loss ------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 3, 4), (3, 4)), ((), ()),
                                    ((0, 3), (0, 3))])
def test_huber_loss(rng, reduction, delta, shapes):
    x, y = (rng.standard_normal(s) * 2 for s in shapes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # the broadcast-size warning, in both
        check_op(lambda a, b: F.huber_loss(a, b, reduction, delta),
                 lambda a, b: TF.huber_loss(a, b, reduction, delta), [x, y], double=True)


@pytest.mark.parametrize("reduction", RED)
def test_huber_loss_weight(rng, reduction):
    x, y, w = rng.standard_normal((3, 3, 4))
    check_op(lambda a, b, c: F.huber_loss(a, b, reduction, 0.5, c),
             lambda a, b, c: TF.huber_loss(a, b, reduction, 0.5, c), [x, y, w], double=True)


def test_huber_loss_dtypes_and_errors(rng):
    x = rng.standard_normal((3, 4))
    for xd, yd in [("float32", "float64"), ("float64", "float32"), ("float32", "int64"),
                   ("float32", "bool")]:
        out = F.huber_loss(mg.tensor(x.astype(xd)), mg.tensor(x.astype(yd) * 0.5))
        ref = TF.huber_loss(torch.tensor(x.astype(xd)), torch.tensor(x.astype(yd) * 0.5))
        assert str(out.dtype) == str(ref.dtype).removeprefix("torch.")
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5)
    for bad in [lambda L, F_: F_.huber_loss(L.ones(3), L.ones(3), delta=0.0),
                lambda L, F_: F_.huber_loss(L.ones(3), L.ones(3), delta=-1.0),
                lambda L, F_: F_.huber_loss(L.ones(3, dtype=L.int64), L.ones(3)),
                lambda L, F_: F_.huber_loss(L.ones(3, dtype=L.int64), L.ones(3, dtype=L.int64)),
                lambda L, F_: F_.huber_loss(L.ones(3), L.ones(4)),
                lambda L, F_: F_.huber_loss(L.ones(3), L.ones(3), weight=L.ones(1)),
                lambda L, F_: F_.huber_loss(L.ones(3), L.ones(3), reduction="bogus"),
                lambda L, F_: F_.huber_loss(L.ones(3), L.ones(3), "bogus", weight=L.ones(3))]:
        raises_like_torch(bad)
    with pytest.warns(UserWarning, match="size"):
        F.huber_loss(mg.ones(2, 3), mg.ones(3))


# ---- gaussian_nll_loss -----------------------------------------------------------------------
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
def test_gaussian_nll_loss(rng, reduction, full, var_shape):
    x, y = rng.standard_normal((2, 4, 3))
    v = rng.uniform(0.2, 2.0, var_shape)
    check_op(lambda a, b, c: F.gaussian_nll_loss(a, b, c, full, reduction=reduction),
             lambda a, b, c: TF.gaussian_nll_loss(a, b, c, full, reduction=reduction),
             [x, y, v], double=True)


def test_gaussian_nll_loss_var_clamp_passes_the_gradient(rng):
    """Variances below eps (zero too) are clamped in the value, but torch's gradient w.r.t.
    var ignores the clamp; minigrad's too."""
    x, y = rng.standard_normal((2, 5))
    v = np.array([0.0, 1e-9, 0.05, 1.0, 3.0])
    check_op(lambda a, b, c: F.gaussian_nll_loss(a, b, c, eps=0.01, reduction="none"),
             lambda a, b, c: TF.gaussian_nll_loss(a, b, c, eps=0.01, reduction="none"),
             [x, y, v], double=True)


def test_gaussian_nll_loss_float_var_and_shapes(rng):
    x, y = rng.standard_normal((2, 4, 3))
    check_op(lambda a, b: F.gaussian_nll_loss(a, b, 0.7), lambda a, b: TF.gaussian_nll_loss(
        a, b, 0.7), [x, y], double=True)
    check_op(lambda a, b: F.gaussian_nll_loss(a, b, np.float64(2.0), full=True),
             lambda a, b: TF.gaussian_nll_loss(a, b, np.float64(2.0), full=True), [x, y])
    check_op(lambda a, b, c: F.gaussian_nll_loss(a, b, c), lambda a, b, c: TF.gaussian_nll_loss(
        a, b, c), [x[0], y[0], np.array(0.5)])            # (3,) with a 0-d var: one dim less
    check_op(lambda a, b, c: F.gaussian_nll_loss(a, b, c, reduction="none"),
             lambda a, b, c: TF.gaussian_nll_loss(a, b, c, reduction="none"),
             [x, y[0], rng.uniform(0.5, 1, (4, 3))])   # target broadcasts


@pytest.mark.parametrize("var", [np.ones(3), np.ones((4, 2)), np.ones(()), np.ones((1, 1)),
                                 -np.ones((4, 3)), np.array(-0.5)])
def test_gaussian_nll_loss_bad_var(var):
    v = float(var) if var.shape == () and var < 0 else var
    raises_like_torch(lambda L, F_: F_.gaussian_nll_loss(
        L.ones(4, 3), L.zeros(4, 3), v if isinstance(v, float) else L.tensor(v)))


def test_gaussian_nll_loss_errors():
    for bad in [lambda L, F_: F_.gaussian_nll_loss(L.ones(2), L.ones(2), 1),
                lambda L, F_: F_.gaussian_nll_loss(L.ones(2), L.ones(2), -1.0),
                lambda L, F_: F_.gaussian_nll_loss(L.ones(2), L.ones(2), L.ones(2), reduction="x"),
                lambda L, F_: F_.gaussian_nll_loss(L.ones(2), L.ones(2),
                                                   L.ones(2, dtype=L.int64)),
                lambda L, F_: F_.gaussian_nll_loss(L.ones(2), L.ones(3), L.ones(2))]:
        raises_like_torch(bad)


def test_gaussian_nll_loss_dtypes():
    with torch_float32_default():
        for xd, vd in [("float32", "float64"), ("int64", "float32"), ("float32", "float32")]:
            out = F.gaussian_nll_loss(mg.ones(3, dtype=xd), mg.zeros(3), mg.ones(3, dtype=vd))
            ref = TF.gaussian_nll_loss(torch.ones(3, dtype=getattr(torch, xd)), torch.zeros(3),
                                       torch.ones(3, dtype=getattr(torch, vd)))
            assert str(out.dtype) == str(ref.dtype).removeprefix("torch.")


# ---- poisson_nll_loss ------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss(rng, reduction, log_input, full):
    x = rng.uniform(0.1, 2.0, (4, 5)) if not log_input else rng.standard_normal((4, 5))
    t = rng.uniform(0.0, 4.0, (4, 5))
    t[0, :3] = [0.5, 1.0, 3.0]                  # either side of the Stirling cut at t = 1
    check_op(lambda a, b: F.poisson_nll_loss(a, b, log_input, full, eps=1e-3,
                                             reduction=reduction),
             lambda a, b: TF.poisson_nll_loss(a, b, log_input, full, eps=1e-3,
                                              reduction=reduction), [x, t], double=True)


def test_poisson_nll_loss_edges(rng):
    check_op(lambda a, b: F.poisson_nll_loss(a, b, full=True, reduction="none"),
             lambda a, b: TF.poisson_nll_loss(a, b, full=True, reduction="none"),
             [np.array([0.5, 1.0, 2.0]), np.array([0.0, 1.0, 3.0])])   # nan grad at t = 0
    check_op(F.poisson_nll_loss, TF.poisson_nll_loss, [np.array(0.3), np.array(2.0)])
    check_op(F.poisson_nll_loss, TF.poisson_nll_loss, [np.zeros((0, 3)), np.zeros((0, 3))])
    with torch_float32_default():
        out = F.poisson_nll_loss(mg.ones(3, dtype=mg.int64), mg.ones(3, dtype=mg.int64))
        assert out.dtype == mg.float32
    raises_like_torch(lambda L, F_: F_.poisson_nll_loss(L.ones(3), L.ones(3) > 0, full=True))
    raises_like_torch(lambda L, F_: F_.poisson_nll_loss(L.ones(3), L.ones(3), log_input=1))
    raises_like_torch(lambda L, F_: F_.poisson_nll_loss(L.ones(3), L.ones(3),
                                                        reduction="elementwise_mean"))


# ---- cosine_similarity, pairwise_distance ----------------------------------------------------
@pytest.mark.parametrize("shapes,dim", [(((3, 4), (3, 4)), 1), (((3, 1, 4), (5, 4)), -1),
                                        (((2, 3), (2, 3)), 0), (((), ()), 0),
                                        (((4,), (3, 4)), 1), (((0, 4), (0, 4)), 1)])
@pytest.mark.parametrize("eps", [1e-8, 0.5])
def test_cosine_similarity(rng, shapes, dim, eps):
    x, y = (rng.standard_normal(s) for s in shapes)
    check_op(lambda a, b: F.cosine_similarity(a, b, dim, eps),
             lambda a, b: TF.cosine_similarity(a, b, dim, eps), [x, y], double=True)
    check_op(lambda a, b: mg.cosine_similarity(a, b, dim, eps),
             lambda a, b: torch.cosine_similarity(a, b, dim, eps), [x, y])


def test_cosine_similarity_eps_rule(rng):
    """Each norm is clamped at eps separately (not their product), and the gradient flows
    through the clamp as if it were not there: tiny and zero vectors."""
    x = rng.standard_normal((4, 3))
    x[0] *= 1e-6
    x[1] = 0.0
    y = rng.standard_normal((4, 3))
    y[2] *= 1e-7
    check_op(lambda a, b: F.cosine_similarity(a, b, eps=1e-3),
             lambda a, b: TF.cosine_similarity(a, b, eps=1e-3), [x, y])
    # second derivatives away from the zero vector (there torch's norm gives nan, ours 0)
    check_op(lambda a, b: F.cosine_similarity(a, b, eps=1e-3),
             lambda a, b: TF.cosine_similarity(a, b, eps=1e-3), [x[[0, 2, 3]], y[[0, 2, 3]]],
             double=True)
    check_op(lambda a, b: F.cosine_similarity(a, b, eps=0.0),
             lambda a, b: TF.cosine_similarity(a, b, eps=0.0), [x[2:], y[2:]])


def test_cosine_similarity_dtypes_and_errors():
    with torch_float32_default():
        for a, b in [("int64", "float32"), ("float32", "float64"), ("float32", "float32")]:
            out = mg.cosine_similarity(mg.ones(2, 3, dtype=a), mg.ones(2, 3, dtype=b))
            ref = torch.cosine_similarity(torch.ones(2, 3, dtype=getattr(torch, a)),
                                          torch.ones(2, 3, dtype=getattr(torch, b)))
            assert str(out.dtype) == str(ref.dtype).removeprefix("torch.")
    for bad in [lambda L, F_: F_.cosine_similarity(L.ones(2, 3, dtype=L.int64),
                                                   L.ones(2, 3, dtype=L.int64)),
                lambda L, F_: F_.cosine_similarity(L.ones(2, 3), L.ones(2, 3), eps=-1.0),
                lambda L, F_: F_.cosine_similarity(L.ones(2, 3), L.ones(2, 3), dim=2),
                lambda L, F_: F_.cosine_similarity(L.ones(2, 3), L.ones(3, 3)),
                lambda L, F_: F_.cosine_similarity(L.ones(2, 3), L.ones(2, 3), dim=(0, 1)),
                lambda L, F_: F_.cosine_similarity(L.ones(3), L.ones(3))]:
        raises_like_torch(bad)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, math.inf, -1.0, 0.0])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1, 4), (5, 4)), ((), ()),
                                    ((), (3,)), ((4,), (2, 4)), ((0, 4), (0, 4))])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(rng, p, shapes, keepdim):
    x, y = (rng.standard_normal(s) for s in shapes)
    double = p not in (0.5, -1.0)           # |d|^(p-2) is far from smooth there: first order
    check_op(lambda a, b: F.pairwise_distance(a, b, p, 1e-6, keepdim),
             lambda a, b: TF.pairwise_distance(a, b, p, 1e-6, keepdim), [x, y], double=double)
    check_op(lambda a, b: mg.pairwise_distance(a, b, p, 0.1, keepdim),
             lambda a, b: torch.pairwise_distance(a, b, p, 0.1, keepdim), [x, y])


def test_pairwise_distance_dtypes_and_errors():
    with torch_float32_default():
        out = F.pairwise_distance(mg.ones(2, 3, dtype=mg.int64), mg.zeros(2, 3, dtype=mg.int64))
        assert out.dtype == mg.float32
        np.testing.assert_allclose(out.numpy(), [math.sqrt(3) * (1 + 1e-6)] * 2, rtol=1e-6)
    for bad in [lambda L, F_: F_.pairwise_distance(L.ones(3) > 0, L.ones(3) > 0),
                lambda L, F_: F_.pairwise_distance(L.ones(2, 3), L.ones(2, 4)),
                lambda L, F_: F_.pairwise_distance(L.ones(3), L.ones(3), p="2"),
                lambda L, F_: F_.pairwise_distance(L.ones(3), L.ones(3), keepdim=1)]:
        raises_like_torch(bad)


# ---- triplet losses --------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("opts", [{}, {"margin": 0.5, "p": 1.0, "swap": True},
                                  {"p": 3.0, "eps": 0.1}, {"p": math.inf, "swap": True}])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (), (2, 3, 4)])
def test_triplet_margin_loss(rng, reduction, opts, shape):
    a, p, n = rng.standard_normal((3,) + shape)
    check_op(lambda x, y, z: F.triplet_margin_loss(x, y, z, reduction=reduction, **opts),
             lambda x, y, z: TF.triplet_margin_loss(x, y, z, reduction=reduction, **opts),
             [a, p, n], double=True)


@pytest.mark.parametrize("reduction", RED)
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss(rng, reduction, swap):
    a, p, n = rng.standard_normal((3, 5, 4))
    check_op(lambda x, y, z: F.triplet_margin_with_distance_loss(
        x, y, z, margin=2.0, swap=swap, reduction=reduction),
        lambda x, y, z: TF.triplet_margin_with_distance_loss(
        x, y, z, margin=2.0, swap=swap, reduction=reduction), [a, p, n], double=True)
    check_op(lambda x, y, z: F.triplet_margin_with_distance_loss(
        x, y, z, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v), swap=swap,
        reduction=reduction),
        lambda x, y, z: TF.triplet_margin_with_distance_loss(
        x, y, z, distance_function=lambda u, v: 1 - TF.cosine_similarity(u, v), swap=swap,
        reduction=reduction), [a, p, n], double=True)


def test_triplet_errors():
    for fn in ["triplet_margin_loss", "triplet_margin_with_distance_loss"]:
        for bad in [lambda L, F_, n=fn: getattr(F_, n)(L.ones(3, 4), L.ones(4), L.ones(3, 4)),
                    lambda L, F_, n=fn: getattr(F_, n)(L.ones(3), L.ones(3), L.ones(3),
                                                       margin=0.0),
                    lambda L, F_, n=fn: getattr(F_, n)(L.ones(3), L.ones(3), L.ones(3),
                                                       margin=-1.0),
                    lambda L, F_, n=fn: getattr(F_, n)(L.ones(3), L.ones(3), L.ones(3),
                                                       reduction="bogus"),
                    lambda L, F_, n=fn: getattr(F_, n)(L.ones(3, 4), L.ones(3, 5),
                                                       L.ones(3, 4))]:
            raises_like_torch(bad)
    raises_like_torch(lambda L, F_: F_.triplet_margin_loss(L.ones(3), L.ones(3), L.ones(3),
                                                           swap=1))
    raises_like_torch(lambda L, F_: F_.triplet_margin_with_distance_loss(
        L.ones(3), L.ones(3), L.ones(3), distance_function=3))


def test_legacy_reduction_flags(rng):
    x, y, z = rng.standard_normal((3, 4, 3))
    for kw in [{"size_average": False}, {"reduce": False}, {"size_average": True,
                                                           "reduce": True}]:
        with pytest.warns(UserWarning):
            check_op(lambda a, b, c, kw=kw: F.triplet_margin_loss(a, b, c, **kw),
                     lambda a, b, c, kw=kw: TF.triplet_margin_loss(a, b, c, **kw), [x, y, z])
        with pytest.warns(UserWarning):
            check_op(lambda a, b, kw=kw: F.poisson_nll_loss(a, b, **kw),
                     lambda a, b, kw=kw: TF.poisson_nll_loss(a, b, **kw), [x, np.abs(y)])
    with pytest.warns(UserWarning, match="elementwise_mean"):
        out = F.triplet_margin_loss(*map(mg.tensor, (x, y, z)), reduction="elementwise_mean")
    assert out.shape == ()


# ---- modules ---------------------------------------------------------------------------------
MODULES = [("HuberLoss", (), {}, ["reduction", "delta"]),
           ("HuberLoss", ("sum", 0.5), {}, ["reduction", "delta"]),
           ("GaussianNLLLoss", (), {"full": True, "eps": 0.1}, ["full", "eps", "reduction"]),
           ("PoissonNLLLoss", (False, True), {"eps": 1e-3}, ["log_input", "full", "eps"]),
           ("TripletMarginLoss", (0.5, 1.0, 1e-3, True), {}, ["margin", "p", "eps", "swap"]),
           ("TripletMarginWithDistanceLoss", (), {"margin": 2.0, "swap": True},
            ["margin", "swap"]),
           ("CosineSimilarity", (0, 1e-3), {}, ["dim", "eps"]),
           ("PairwiseDistance", (1.0, 0.1, True), {}, ["norm", "eps", "keepdim"])]


@pytest.mark.parametrize("name,args,kw,attrs", MODULES)
def test_modules_match_torch(rng, name, args, kw, attrs):
    m, t = getattr(mg.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    for a in attrs:
        assert getattr(m, a) == getattr(t, a), a
    assert repr(m) == repr(t)
    assert dict(m.named_parameters()) == {} and list(t.parameters()) == []
    x, y, z = rng.standard_normal((3, 4, 3))
    inputs = {"GaussianNLLLoss": [x, y, np.abs(z)], "PoissonNLLLoss": [np.abs(x), np.abs(y)],
              "TripletMarginLoss": [x, y, z], "TripletMarginWithDistanceLoss": [x, y, z]}
    check_module(m, t, inputs.get(name, [x, y]))


def test_module_defaults():
    for name in ["HuberLoss", "GaussianNLLLoss", "PoissonNLLLoss", "TripletMarginLoss",
                 "TripletMarginWithDistanceLoss", "CosineSimilarity", "PairwiseDistance"]:
        m, t = getattr(mg.nn, name)(), getattr(torch.nn, name)()
        for k, v in vars(t).items():
            if not k.startswith("_") and k != "training":
                assert getattr(m, k) == v or name == "TripletMarginWithDistanceLoss", (name, k)
        assert repr(m) == repr(t)
    assert isinstance(mg.nn.TripletMarginWithDistanceLoss().distance_function,
                      mg.nn.PairwiseDistance)
    with pytest.raises(TypeError):
        mg.nn.GaussianNLLLoss(True)                 # keyword-only, as torch's
    for bad in [lambda nn: nn.HuberLoss(delta="1"), lambda nn: nn.TripletMarginLoss(margin=0.0),
                lambda nn: nn.TripletMarginWithDistanceLoss(margin=-1.0)]:
        with pytest.raises(Exception) as tinfo:
            bad(torch.nn)
        with pytest.raises(type(tinfo.value)):
            bad(mg.nn)


def test_float32_results(rng):
    x, y, z = (rng.standard_normal((4, 3)).astype(np.float32) for _ in range(3))
    for name, args in [("huber_loss", (x, y)), ("gaussian_nll_loss", (x, y, np.abs(z))),
                       ("poisson_nll_loss", (x, np.abs(y))), ("cosine_similarity", (x, y)),
                       ("pairwise_distance", (x, y)), ("triplet_margin_loss", (x, y, z)),
                       ("triplet_margin_with_distance_loss", (x, y, z))]:
        check_op(getattr(F, name), getattr(TF, name), list(args), rtol=1e-5, atol=1e-6)


def test_huber_loss_second_derivative_at_delta():
    """At |input - target| == delta torch's second derivative is 0 (the linear piece)."""
    check_op(lambda a, b: F.huber_loss(a, b, "sum", 1.0), lambda a, b: TF.huber_loss(
        a, b, "sum", 1.0), [np.array([1.0, -1.0, 0.0, 0.5, 2.0]), np.zeros(5)], double=True)
