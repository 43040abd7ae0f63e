"""Forward-mode rules of the activation, math, loss, softmax, attention, norm and distance ops
that the crosscheck sweep does not reach (backward-helper ops, options, fused paths), against
torch.autograd.forward_ad in float64:

  jvp:  the tangent of f(x) for a random tangent of every differentiable input;
  hvp:  forward over reverse, the tangent of a gradient taken with create_graph=True (a
        Hessian-vector product): it runs the rules of the *Backward helper ops;
  rof:  reverse over forward, the gradient of a tangent (the rules' own differentiability).
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as mgF
from minigrad import forward_ad as fw

torch = pytest.importorskip("torch")
tF = torch.nn.functional
tfw = torch.autograd.forward_ad


class Lib:
    def __init__(self, m, F, ad, grad):
        self.m, self.F, self.ad, self.grad = m, F, ad, grad

    def t(self, a, **kw):
        return self.m.tensor(a, **kw)


MG = Lib(mg, mgF, fw, mg.autograd.grad)
TORCH = Lib(torch, tF, tfw, torch.autograd.grad)


def _np(t):
    return None if t is None else t.detach().numpy().copy()


def _tangents(arrays, rng, which):
    return [rng.standard_normal(np.shape(a)) if k in which else None
            for k, a in enumerate(arrays)]


def jvp(L, f, arrays, tangents):
    """(primals, tangents) of f's outputs, inputs made dual where a tangent is given."""
    with L.ad.dual_level():
        xs = [L.t(a) if v is None else L.ad.make_dual(L.t(a), L.t(v))
              for a, v in zip(arrays, tangents)]
        ys = f(L, *xs)
        ys = list(ys) if isinstance(ys, (tuple, list)) else [ys]
        return [tuple(map(_np, L.ad.unpack_dual(y))) for y in ys]


def hvp(L, f, arrays, tangents, upstream_seed=1):
    """The tangents of the gradients of <f(x), u> w.r.t. the inputs with a tangent (forward
    over reverse: the gradient is taken inside the dual level, with create_graph=True)."""
    with L.ad.dual_level():
        leaves = [L.t(a, requires_grad=v is not None) for a, v in zip(arrays, tangents)]
        xs = [x if v is None else L.ad.make_dual(x, L.t(v)) for x, v in zip(leaves, tangents)]
        y = f(L, *xs)
        u = np.random.default_rng(upstream_seed).standard_normal(tuple(y.shape))
        wrt = [x for x, v in zip(xs, tangents) if v is not None]
        gs = L.grad((y * L.t(u)).sum(), wrt, create_graph=True)
        return [_np(L.ad.unpack_dual(g).tangent) for g in gs]


def check_jvp(f, arrays, which=(0,), seed=0, rtol=1e-9, atol=1e-11):
    tangents = _tangents(arrays, np.random.default_rng(seed), which)
    ours, theirs = jvp(MG, f, arrays, tangents), jvp(TORCH, f, arrays, tangents)
    assert len(ours) == len(theirs)
    for (p, t), (tp, tt) in zip(ours, theirs):
        np.testing.assert_allclose(p, tp, rtol=rtol, atol=atol)
        if tt is None:
            assert t is None or not np.any(t)
        else:
            assert t is not None
            np.testing.assert_allclose(t, tt, rtol=rtol, atol=atol)
    return ours


def check_hvp(f, arrays, which=(0,), seed=0, rtol=1e-8, atol=1e-10):
    tangents = _tangents(arrays, np.random.default_rng(seed), which)
    ours, theirs = hvp(MG, f, arrays, tangents), hvp(TORCH, f, arrays, tangents)
    assert len(ours) == len(theirs) > 0
    for t, tt in zip(ours, theirs):
        if t is None:                       # a gradient that does not depend on x: torch
            assert tt is None or not np.any(tt)     # gives zeros or nothing
        else:
            np.testing.assert_allclose(t, tt, rtol=rtol, atol=atol)


def R(*shape, seed=0):
    return np.random.default_rng(seed + 100).standard_normal(shape)


def P(*shape, seed=0):                      # positive, away from 0
    return np.random.default_rng(seed + 200).uniform(0.5, 2.0, shape)


def U(*shape, seed=0):                      # in (0, 1), away from the ends
    return np.random.default_rng(seed + 300).uniform(0.1, 0.9, shape)


# ---- softmax / log_softmax and their backward ops --------------------------------------------
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_jvp_and_hvp(name, dim):
    def f(L, x):
        return getattr(L.F, name)(x, dim)
    check_jvp(f, [R(3, 4, 5)])
    check_hvp(f, [R(3, 4, 5)])
    # the upstream gradient of the backward op depends on x too: both of its tangents
    check_hvp(lambda L, x: f(L, x) * x.sin(), [R(3, 4, 5)])


def test_softmax_0d_empty_and_float32():
    check_jvp(lambda L, x: L.F.softmax(x, 0), [np.array(1.5)])
    check_jvp(lambda L, x: L.F.log_softmax(x, 0), [np.array(1.5)])
    check_jvp(lambda L, x: L.F.softmax(x, 1), [np.zeros((0, 3))])
    x, v = R(4, 6).astype(np.float32), R(4, 6, seed=1).astype(np.float32)
    outs = []
    for L in (MG, TORCH):
        with L.ad.dual_level():
            y = L.F.log_softmax(L.ad.make_dual(L.t(x), L.t(v)), 1)
            t = L.ad.unpack_dual(y).tangent
            assert str(t.dtype).endswith("float32")
            outs.append(_np(t))
    np.testing.assert_allclose(*outs, rtol=1e-5, atol=1e-6)


# ---- elementwise math and activations (the generic diagonal rule, options) ---------------------
UNARY = [
    ("tan", lambda L, x: L.m.tan(x), R), ("asin", lambda L, x: L.m.asin(x * 0.5), R),
    ("acos", lambda L, x: L.m.acos(x * 0.5), R), ("atan", lambda L, x: L.m.atan(x), R),
    ("sinh", lambda L, x: L.m.sinh(x), R), ("cosh", lambda L, x: L.m.cosh(x), R),
    ("asinh", lambda L, x: L.m.asinh(x), R), ("acosh", lambda L, x: L.m.acosh(x + 1.5), P),
    ("atanh", lambda L, x: L.m.atanh(x * 0.3), R), ("log1p", lambda L, x: L.m.log1p(x), P),
    ("expm1", lambda L, x: L.m.expm1(x), R), ("log2", lambda L, x: L.m.log2(x), P),
    ("log10", lambda L, x: L.m.log10(x), P), ("exp2", lambda L, x: L.m.exp2(x), R),
    ("rsqrt", lambda L, x: L.m.rsqrt(x), P), ("reciprocal", lambda L, x: L.m.reciprocal(x), P),
    ("square", lambda L, x: L.m.square(x), R), ("erf", lambda L, x: L.m.erf(x), R),
    ("erfc", lambda L, x: L.m.erfc(x), R), ("erfinv", lambda L, x: L.m.erfinv(x * 0.4), R),
    ("sign", lambda L, x: L.m.sign(x), R), ("floor", lambda L, x: L.m.floor(x * 3), R),
    ("ceil", lambda L, x: L.m.ceil(x * 3), R), ("trunc", lambda L, x: L.m.trunc(x * 3), R),
    ("round", lambda L, x: L.m.round(x * 3, decimals=1), R),
    ("frac", lambda L, x: L.m.frac(x * 3), R),
    ("gelu", lambda L, x: L.F.gelu(x), R), ("logsigmoid", lambda L, x: L.F.logsigmoid(x), R),
    ("softplus", lambda L, x: L.F.softplus(x, beta=2.0, threshold=1.0), R),
    ("silu", lambda L, x: L.F.silu(x), R), ("mish", lambda L, x: L.F.mish(x), R),
    ("elu", lambda L, x: L.F.elu(x, 0.7), R), ("celu", lambda L, x: L.F.celu(x, 1.5), R),
    ("selu", lambda L, x: L.F.selu(x), R),
    ("leaky_relu", lambda L, x: L.F.leaky_relu(x, 0.2), R),
    ("hardtanh", lambda L, x: L.F.hardtanh(x, -0.5, 0.7), R),
    ("hardswish", lambda L, x: L.F.hardswish(x * 4), R),
    ("hardsigmoid", lambda L, x: L.F.hardsigmoid(x * 4), R),
    ("threshold", lambda L, x: L.F.threshold(x, 0.1, -2.0), R),
    ("hardshrink", lambda L, x: L.F.hardshrink(x, 0.4), R),
    ("softshrink", lambda L, x: L.F.softshrink(x, 0.4), R),
    ("nan_to_num", lambda L, x: L.m.nan_to_num(L.m.log(x - 0.5), posinf=3.0), P),
]


@pytest.mark.parametrize("name,f,make", UNARY, ids=[u[0] for u in UNARY])
def test_elementwise_jvp_hvp_and_edge_shapes(name, f, make):
    check_jvp(f, [make(3, 5)])
    if name not in ("sign", "floor", "ceil", "trunc", "round", "hardsigmoid"):
        check_hvp(f, [make(3, 5)])          # (torch: no forward derivative of hardsigmoid's
                                            # backward; the rounding ops': a constant)
    check_jvp(f, [make(1)[0]])              # 0-d
    check_jvp(f, [make(0, 3)])              # empty


@pytest.mark.parametrize("name,f", [("elu_", lambda L, x: L.F.elu(x * 1, 0.7, inplace=True)),
                                    ("leaky_relu_", lambda L, x: L.F.leaky_relu_(x * 1, 0.2))])
def test_in_place_activations_saving_their_result(name, f):
    check_jvp(f, [R(4, 3)])


def test_float32_tangents_stay_float32():
    x, v = R(3, 4).astype(np.float32), R(3, 4, seed=1).astype(np.float32)
    for fn in ("tan", "erf", "log1p"):
        outs = []
        for L in (MG, TORCH):
            with L.ad.dual_level():
                y = getattr(L.m, fn)(L.ad.make_dual(L.t(abs(x)), L.t(v)))
                t = L.ad.unpack_dual(y).tangent
                assert str(t.dtype).endswith("float32")
                outs.append(_np(t))
        np.testing.assert_allclose(*outs, rtol=1e-5, atol=1e-6)


# ---- binary and ternary math -----------------------------------------------------------------
BINARY = [
    ("xlogy", lambda L, a, b: L.m.xlogy(a, b), [R(3, 4), P(4)]),
    ("xlogy zeros", lambda L, a, b: L.m.xlogy(a * (a > 0), b), [R(3, 4), P(3, 4)]),
    ("xlogy number y", lambda L, a: L.m.xlogy(a, 2.5), [R(3, 4)]),
    ("xlogy number x", lambda L, b: L.m.xlogy(1.5, b), [P(3, 4)]),
    ("logaddexp", lambda L, a, b: L.m.logaddexp(a, b), [R(3, 1), R(1, 4)]),
    ("logaddexp2", lambda L, a, b: L.m.logaddexp2(a, b), [R(3, 4), R(4)]),
    ("hypot", lambda L, a, b: L.m.hypot(a, b), [R(2, 3, 4), R(3, 1)]),
    ("atan2", lambda L, a, b: L.m.atan2(a, b), [R(3, 4), R(3, 4, seed=1)]),
    ("clamp numbers", lambda L, a: L.m.clamp(a, -0.3, 0.5), [R(3, 4)]),
    ("clamp tensors", lambda L, a, lo, hi: L.m.clamp(a, lo, hi),
     [R(3, 4), R(4, seed=1) - 0.5, R(3, 1, seed=2) + 0.5]),
    ("clamp_min tensor", lambda L, a, lo: L.m.clamp_min(a, lo), [R(3, 4), R(3, 4, seed=1)]),
    ("where", lambda L, a, b: L.m.where(a > 0, a, b), [R(3, 4), R(4)]),
    ("where number", lambda L, a: L.m.where(a > 0, 2.0, a), [R(3, 4)]),
    ("where broadcast branch", lambda L, a, b: L.m.where(b > 0, a, b * 2), [R(4), R(3, 4)]),
    ("maximum", lambda L, a, b: L.m.maximum(a, b), [R(3, 4), R(4)]),
    ("maximum ties", lambda L, a, b: L.m.maximum(a.round(), b.round()),
     [R(3, 4) * 2, R(3, 4, seed=1) * 2]),
    ("minimum", lambda L, a, b: L.m.minimum(a, b), [R(3, 1), R(4)]),
    ("remainder", lambda L, a, b: L.m.remainder(a, b), [R(3, 4) * 3, P(4)]),
    ("fmod", lambda L, a, b: L.m.fmod(a, b), [R(3, 4) * 3, P(3, 4)]),
    ("remainder number", lambda L, a: a % 0.7, [R(3, 4) * 3]),
    ("div trunc", lambda L, a, b: L.m.div(a, b, rounding_mode="trunc"), [R(3, 4), P(4)]),
    ("div floor", lambda L, a, b: L.m.div(a, b, rounding_mode="floor"), [R(3, 4), P(4)]),
    ("lerp number", lambda L, a, b: L.m.lerp(a, b, 0.3), [R(3, 4), R(4)]),
    ("lerp tensor", lambda L, a, b, w: L.m.lerp(a, b, w), [R(3, 4), R(4), R(3, 1)]),
    ("addcmul", lambda L, x, a, b: L.m.addcmul(x, a, b, value=0.5), [R(3, 4), R(4), R(3, 1)]),
    ("addcdiv", lambda L, x, a, b: L.m.addcdiv(x, a, b, value=-2), [R(3, 4), R(4), P(3, 1)]),
]


@pytest.mark.parametrize("name,f,arrays", BINARY, ids=[b[0] for b in BINARY])
def test_binary_and_ternary_jvp_and_hvp(name, f, arrays):
    every = tuple(range(len(arrays)))
    for which in {(0,), every}:
        check_jvp(f, arrays, which)
    if "div" not in name:                   # (torch: div with rounding has no 2nd derivative)
        check_hvp(f, arrays, every)


def test_atan2_at_the_origin_and_hypot_of_zeros():
    z = np.zeros((2, 3))
    check_jvp(lambda L, a, b: L.m.atan2(a, b), [z, z], (0, 1))
    check_jvp(lambda L, a, b: L.m.hypot(a, b) + L.m.hypot(a, a), [R(2, 3), z], (0, 1))


def test_floor_divide_has_no_forward_derivative_as_in_torch():
    for L in (MG, TORCH):
        with L.ad.dual_level():
            x = L.ad.make_dual(L.t(R(3)), L.t(R(3, seed=1)))
            with pytest.raises(NotImplementedError, match="floor_divide"):
                L.m.floor_divide(x, 0.7)
