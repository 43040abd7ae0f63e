"""Forward-mode rules of the losses, norms, distances, attention and dropout against torch's
forward AD in float64 (helpers in test_forward_ad_math.py); where torch has no forward
derivative (multi_margin, multilabel_margin, ctc_loss, cdist) against minigrad's reverse mode:
<J v, u> == <v, J^T u>."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import forward_ad as fw
from tests.test_forward_ad_math import MG, TORCH, P, R, U, _np, check_hvp, check_jvp, jvp

torch = pytest.importorskip("torch")


def I(high, *shape, seed=0):                # noqa: E743 (class indices)
    return np.random.default_rng(seed + 400).integers(0, high, shape)


def check_adjoint(f, arrays, which=(0,), seed=0, rtol=1e-9):
    """<J v, u> from minigrad's forward mode equals <v, J^T u> from its reverse mode."""
    rng = np.random.default_rng(seed)
    vs = [rng.standard_normal(np.shape(a)) if k in which else None for k, a in enumerate(arrays)]
    (p, t), = jvp(MG, f, arrays, vs)
    u = rng.standard_normal(np.shape(p))
    xs = [MG.t(a, requires_grad=k in which) for k, a in enumerate(arrays)]
    gs = mg.autograd.grad((f(MG, *xs) * MG.t(u)).sum(), [xs[k] for k in which])
    back = sum(float((g.numpy() * vs[k]).sum()) for g, k in zip(gs, which))
    assert float((t * u).sum()) == pytest.approx(back, rel=rtol, abs=1e-12)


class Targets:
    """A class-index target as a constant of either library (not an input with a tangent)."""

    def __init__(self, array):
        self.array = array

    def __call__(self, L):
        return L.t(self.array)


# ---- cross-entropy and its backward op -------------------------------------------------------
CE = [dict(), dict(reduction="sum"), dict(reduction="none"), dict(label_smoothing=0.2),
      dict(ignore_index=1), dict(weight=True, label_smoothing=0.1, ignore_index=2),
      dict(weight=True, reduction="none")]


@pytest.mark.parametrize("kw", CE, ids=[str(k) for k in CE])
def test_cross_entropy_jvp_and_hvp(kw):
    t, w = Targets(I(5, 6)), U(5)

    def f(L, x):
        opts = dict(kw)
        if opts.pop("weight", False):
            opts["weight"] = L.t(w)
        return L.F.cross_entropy(x, t(L), **opts)
    check_jvp(f, [R(6, 5)])
    check_hvp(f, [R(6, 5)])
    check_hvp(lambda L, x: f(L, x * x.tanh()), [R(6, 5)])   # the upstream depends on x too


def test_cross_entropy_mean_over_nothing_has_a_nan_tangent_as_torch():
    check_jvp(lambda L, x: L.F.cross_entropy(x, L.t(np.zeros(0, dtype=np.int64))),
              [np.zeros((0, 5))])
    check_jvp(lambda L, x: L.F.cross_entropy(x, L.t(np.array([1, 1, 1])), ignore_index=1,
                                             label_smoothing=0.2), [R(3, 4)])
    check_jvp(lambda L, x: L.F.cross_entropy(x, L.t(np.array([1, 2])), weight=L.t(np.zeros(4))),
              [R(2, 4)])


def test_cross_entropy_k_dimensional_and_probabilities():
    t = Targets(I(4, 2, 3))
    check_jvp(lambda L, x: L.F.cross_entropy(x, t(L)), [R(2, 4, 3)])
    check_jvp(lambda L, x, p: L.F.cross_entropy(x, p.softmax(1), label_smoothing=0.1),
              [R(3, 4), R(3, 4, seed=1)], (0, 1))


# ---- binary cross-entropy, pointwise and distance losses ------------------------------------
LOSSES = [
    ("bce", lambda L, p, t: L.F.binary_cross_entropy(p, t), [U(3, 4), U(3, 4, seed=1)]),
    ("bce weight none", lambda L, p, t: L.F.binary_cross_entropy(
        p, t, weight=L.t(P(4)), reduction="none"), [U(3, 4), U(3, 4, seed=1)]),
    ("bce logits", lambda L, x, t: L.F.binary_cross_entropy_with_logits(x, t),
     [R(3, 4), U(3, 4)]),
    ("bce logits pos_weight", lambda L, x, t: L.F.binary_cross_entropy_with_logits(
        x, t, pos_weight=L.t(P(4)), reduction="sum"), [R(3, 4), U(3, 4)]),
    ("huber", lambda L, x, y: L.F.huber_loss(x, y, delta=0.5), [R(3, 4), R(3, 4, seed=1)]),
    ("huber on a kink", lambda L, x, y: L.F.huber_loss(x.round(), y.round() + 0.5, delta=0.5),
     [R(3, 4) * 3, R(3, 4, seed=1) * 3]),
    ("smooth_l1", lambda L, x, y: L.F.smooth_l1_loss(x, y, beta=0.5), [R(3, 4), R(4)]),
    ("kl_div", lambda L, x, y: L.F.kl_div(x, y, reduction="batchmean"), [R(3, 4), U(3, 4)]),
    ("cosine_similarity", lambda L, a, b: L.F.cosine_similarity(a, b), [R(3, 4), R(3, 4)]),
    ("gaussian_nll", lambda L, x, y, v: L.F.gaussian_nll_loss(x, y, v, full=True),
     [R(3, 4), R(3, 4), P(3, 4)]),
    # var clamped at eps: torch's clamp_min_ under no_grad zeroes the tangent there (its
    # gradient passes through): forward and reverse mode differ there, in torch and here
    ("gaussian_nll clamped var", lambda L, x, y, v: L.F.gaussian_nll_loss(x, y, v * 1e-7),
     [R(3, 4), R(3, 4), P(3, 4)]),
    ("cosine_similarity clamped norm", lambda L, a, b: L.F.cosine_similarity(a * 1e-9, b),
     [R(3, 4), R(3, 4)]),
    ("soft_margin", lambda L, x: L.F.soft_margin_loss(x, L.t(np.sign(R(3, 4, seed=2)))),
     [R(3, 4)]),
]


@pytest.mark.parametrize("name,f,arrays", LOSSES, ids=[c[0] for c in LOSSES])
def test_losses_jvp_and_hvp(name, f, arrays):
    every = tuple(range(len(arrays)))
    check_jvp(f, arrays, every)
    check_jvp(f, arrays, (0,))
    if name.split()[0] not in ("huber", "soft_margin", "smooth_l1"):  # (torch: no forward
        check_hvp(f, arrays, every)                                   # derivative of their
    else:                                                             # backward)
        check_adjoint(f, arrays, every)


def test_soft_margin_with_a_bool_target_refuses_as_torch():
    for L in (MG, TORCH):
        with L.ad.dual_level():
            x = L.ad.make_dual(L.t(R(3)), L.t(R(3, seed=1)))
            with pytest.raises(RuntimeError, match="bool"):
                L.F.soft_margin_loss(x, L.t(np.array([True, False, True])))


@pytest.mark.parametrize("kw", [dict(), dict(p=2, margin=0.5, reduction="none"),
                                dict(weight=True, reduction="sum")])
def test_multi_margin_against_reverse_mode(kw):
    t, w = Targets(I(5, 4)), P(5)

    def f(L, x):
        opts = dict(kw)
        if opts.pop("weight", False):
            opts["weight"] = L.t(w)
        return L.F.multi_margin_loss(x, t(L), **opts)
    check_adjoint(f, [R(4, 5)])
    check_adjoint(lambda L, x: L.F.multilabel_margin_loss(
        x, L.t(np.array([[3, 0, -1, 1, 2], [1, -1, 0, 0, 0]])), reduction="none"), [R(2, 5)])


def test_first_order_losses_refuse_a_second_derivative():
    """multi_margin's gradient node (FirstOrderOnly), ctc's (CTCGrad) and cdist's
    (CdistBackward) have no derivative, in torch either: forward over reverse raises."""
    cases = [(lambda x: mg.nn.functional.multi_margin_loss(x, mg.tensor(I(5, 4))),
              NotImplementedError),
             (lambda x: mg.nn.functional.ctc_loss(x.reshape(4, 1, 5).log_softmax(2),
                                                  mg.tensor([[1, 2]]), (4,), (2,)),
              RuntimeError),
             (lambda x: mg.cdist(x, mg.tensor(R(3, 5))).sum(), RuntimeError)]
    for f, err in cases:
        with fw.dual_level():
            x = mg.tensor(R(4, 5), requires_grad=True)
            d = fw.make_dual(x, mg.tensor(R(4, 5, seed=1)))
            with pytest.raises(err, match="derivative"):
                mg.autograd.grad(f(d), d, create_graph=True)


@pytest.mark.parametrize("kw", [dict(), dict(reduction="sum", zero_infinity=True),
                                dict(reduction="none", blank=2)])
def test_ctc_loss_against_reverse_mode(kw):
    def f(L, x):
        return L.F.ctc_loss(x.log_softmax(2), L.t(np.array([[1, 3, 1], [3, 3, 0]])), (5, 2),
                            (3, 1), **kw)
    check_adjoint(f, [R(5, 2, 4)])


@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, 3.0, 0.5, float("inf")])
def test_cdist_against_reverse_mode(p):
    check_adjoint(lambda L, a, b: L.m.cdist(a, b, p=p), [R(2, 3, 4), R(2, 5, 4)], (0, 1))


# ---- norms -----------------------------------------------------------------------------------
@pytest.mark.parametrize("ord", [2, 1, 0, 3, 0.5, float("inf"), -float("inf"), -1.5])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, True), ((0, 2), False)])
def test_vector_norm(ord, dim, keepdim):
    def f(L, x):
        return L.m.linalg.vector_norm(x, ord, dim, keepdim)
    check_jvp(f, [R(2, 3, 4)])
    if ord != 0:
        check_hvp(f, [R(2, 3, 4)])


def test_vector_norm_of_0d_and_of_zeros():
    check_jvp(lambda L, x: L.m.linalg.vector_norm(x), [np.array(-1.5)])
    check_jvp(lambda L, x: L.m.linalg.vector_norm(x * 0, 3.0, 1), [R(2, 3)])


def test_singular_values_first_order():
    check_jvp(lambda L, x: L.m.linalg.matrix_norm(x, "nuc"), [R(2, 4, 3)])
    check_jvp(lambda L, x: L.m.linalg.matrix_norm(x, "nuc", dim=(0, 1)), [R(3, 4)])


NORMS = [
    ("layer_norm", lambda L, x, w, b: L.F.layer_norm(x, (4,), w, b), [R(3, 4), P(4), R(4)]),
    ("layer_norm 2 dims", lambda L, x: L.F.layer_norm(x, (3, 4)), [R(2, 3, 4)]),
    ("batch_norm train", lambda L, x, w, b: L.F.batch_norm(x, None, None, w, b, training=True),
     [R(4, 3, 2), P(3), R(3)]),
    ("group_norm", lambda L, x, w, b: L.F.group_norm(x, 2, w, b), [R(2, 4, 3), P(4), R(4)]),
    ("instance_norm", lambda L, x: L.F.instance_norm(x), [R(2, 3, 5)]),
]


@pytest.mark.parametrize("name,f,arrays", NORMS, ids=[c[0] for c in NORMS])
def test_normalization_jvp_and_hvp(name, f, arrays):
    every = tuple(range(len(arrays)))
    check_jvp(f, arrays, every)
    check_jvp(f, arrays, (0,))
    check_hvp(f, arrays, every)


def test_singular_values_backward_op_is_linear_in_its_upstream_gradient():
    """d/dx of nuc(x) * sum(y), with a tangent on y only: SvdValsBackward's rule for its
    upstream gradient (linear); a tangent on x too is refused, as its double backward is."""
    x, y, ty = R(3, 4), R(2), R(2, seed=1)
    outs = []
    for L in (MG, TORCH):
        with L.ad.dual_level():
            xx = L.t(x, requires_grad=True)
            yy = L.ad.make_dual(L.t(y), L.t(ty))
            g, = L.grad(L.m.linalg.matrix_norm(xx, "nuc") * yy.sum(), xx, create_graph=True)
            outs.append(_np(L.ad.unpack_dual(g).tangent))
    np.testing.assert_allclose(*outs, rtol=1e-9, atol=1e-11)
    with fw.dual_level():
        xx = fw.make_dual(mg.tensor(x, requires_grad=True), mg.tensor(R(3, 4, seed=2)))
        with pytest.raises(RuntimeError, match="double backward of the singular values"):
            mg.autograd.grad(mg.linalg.matrix_norm(xx, "nuc"), xx, create_graph=True)
