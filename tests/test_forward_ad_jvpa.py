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
        assert t is not None
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
