"""minigrad.autograd.functional against torch.autograd.functional in float64: vjp, jvp,
jacobian, hessian, vhp and hvp on single and tuple inputs and outputs, unused inputs (zeros,
or the strict-mode errors), create_graph (the results differentiate again), v=None and the
errors."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import functional as MF

torch = pytest.importorskip("torch")
TF = torch.autograd.functional


def _fns(lib):
    return {
        "single": (lambda x: (x.sin() * x).sum(-1) if x.ndim else x.sin() * x, 1),
        "pair_to_one": (lambda x, y: (x * y.exp()).sum(0), 2),
        "pair_to_two": (lambda x, y: (x @ y, (x * x).sum()), 2),
        "unused": (lambda x, y: x.tanh() * 3, 2),
        "scalar": (lambda x, y: (x * x * y).sum() + (y ** 3).sum(), 2),
    }


SHAPES = {"single": [(3, 4)], "pair_to_one": [(3, 2), (3, 2)], "pair_to_two": [(3, 3), (3, 2)],
          "unused": [(2, 3), (4,)], "scalar": [(3,), (3,)]}


def _inputs(name, lib, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-1, 1, s) for s in SHAPES[name]]
    ts = tuple(lib.tensor(a) for a in arrays)
    return ts if len(ts) > 1 else ts[0]


def _same(got, want, tol=1e-10):
    if isinstance(want, (tuple, list)):     # (torch's forward-mode jacobian gives lists)
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w, tol)
        return
    assert tuple(got.shape) == tuple(want.shape), (got.shape, want.shape)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=tol, atol=tol)


def _v_like(out, lib, seed=1):
    rng = np.random.default_rng(seed)
    if isinstance(out, tuple):
        return tuple(lib.tensor(rng.uniform(-1, 1, tuple(o.shape))) for o in out)
    return lib.tensor(rng.uniform(-1, 1, tuple(out.shape)))


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_jacobian_and_vjp_jvp_as_torch(name):
    mf, tf = _fns(mg)[name][0], _fns(torch)[name][0]
    mi, ti = _inputs(name, mg), _inputs(name, torch)
    _same(MF.jacobian(mf, mi), TF.jacobian(tf, ti))
    _same(MF.jacobian(mf, mi, vectorize=True, strategy="forward-mode"),
          TF.jacobian(tf, ti, vectorize=True, strategy="forward-mode"))
    t_out = tf(*(ti if isinstance(ti, tuple) else (ti,)))
    _same(MF.vjp(mf, mi, _v_like(t_out, mg)), TF.vjp(tf, ti, _v_like(t_out, torch)))
    _same(MF.jvp(mf, mi, _v_like(mi, mg, 2)), TF.jvp(tf, ti, _v_like(ti, torch, 2)))


@pytest.mark.parametrize("name", ["scalar"])
def test_hessian_vhp_hvp_as_torch(name):
    mf, tf = _fns(mg)[name][0], _fns(torch)[name][0]
    mi, ti = _inputs(name, mg), _inputs(name, torch)
    _same(MF.hessian(mf, mi), TF.hessian(tf, ti))
    _same(MF.vhp(mf, mi, _v_like(mi, mg, 3)), TF.vhp(tf, ti, _v_like(ti, torch, 3)))
    _same(MF.hvp(mf, mi, _v_like(mi, mg, 3)), TF.hvp(tf, ti, _v_like(ti, torch, 3)))
    one_m, one_t = mg.tensor([0.7], dtype=mg.float64), torch.tensor([0.7], dtype=torch.float64)
    _same(MF.hessian(lambda x: (x ** 4).sum(), one_m), TF.hessian(lambda x: (x ** 4).sum(),
                                                                   one_t))
    _same(MF.hvp(lambda x: (x ** 4).sum(), one_m), TF.hvp(lambda x: (x ** 4).sum(), one_t))


def test_create_graph_results_differentiate_again():
    for lib, F in ((mg, MF), (torch, TF)):
        x = lib.tensor([0.3, -0.8], dtype=lib.float64, requires_grad=True)
        j = F.jacobian(lambda t: t.sin() * t, x, create_graph=True)
        assert j.requires_grad
        (g,) = (lib.autograd.grad(j.sum(), x) if lib is torch else mg.grad(j.sum(), x))
        want = 2 * np.cos([0.3, -0.8]) - np.array([0.3, -0.8]) * np.sin([0.3, -0.8])
        np.testing.assert_allclose(g.detach().numpy(), want, rtol=1e-12)
        _, vj = F.vjp(lambda t: t * t, x, lib.ones(2, dtype=lib.float64))
        assert not vj.requires_grad


def test_unused_inputs_and_strict_mode_as_torch():
    mf, tf = _fns(mg)["unused"][0], _fns(torch)["unused"][0]
    mi, ti = _inputs("unused", mg), _inputs("unused", torch)
    _same(MF.jacobian(mf, mi), TF.jacobian(tf, ti))
    for F, f, i in ((MF, mf, mi), (TF, tf, ti)):
        with pytest.raises(RuntimeError, match="independent of input 1"):
            F.jacobian(f, i, strict=True)
        with pytest.raises(RuntimeError, match="independent of input 1"):
            F.vjp(f, i, _v_like(f(*i), mg if F is MF else torch), strict=True)


def test_errors_as_torch():
    for lib, F in ((mg, MF), (torch, TF)):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64)
        with pytest.raises(RuntimeError, match="The vector v can only be None if the "
                                               "user-provided function returns a single "
                                               "Tensor with a single element"):
            F.vjp(lambda t: t * 2, x)
        with pytest.raises(RuntimeError, match="The vector v can only be None if the input"):
            F.jvp(lambda t: t * 2, x)
        with pytest.raises(RuntimeError, match="The given v should contain a single Tensor"):
            F.vjp(lambda t: t * 2, x, (x, x))
        with pytest.raises(RuntimeError, match="v is a tuple of invalid length"):
            F.vjp(lambda t: (t * 2, t), x, (x,))
        with pytest.raises(RuntimeError, match=r"^v has invalid size"):
            F.vjp(lambda t: t * 2, x, lib.ones(3, dtype=lib.float64))
        with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
            F.jacobian(lambda t: t, [x, 3])
        with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
            F.jacobian(lambda t: t, x, strategy="forward-mode")
        with pytest.raises(RuntimeError, match="returned by the function given to hessian "
                                               "should contain a single element"):
            F.hessian(lambda t: t * 2, x)
        with pytest.raises(RuntimeError, match="The function given to hvp should return a "
                                               "single Tensor"):
            F.hvp(lambda t: (t.sum(), t.sum()), x, x)
    import importlib
    assert importlib.import_module("minigrad.autograd.functional") is MF
    assert importlib.import_module("minigrad.autograd.forward_ad") is mg.autograd.forward_ad
