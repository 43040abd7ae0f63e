"""Tensor.register_hook and Tensor.register_post_accumulate_grad_hook against torch: when
hooks run, on which gradient, what a returned gradient replaces, removal, errors."""
import numpy as np
import pytest
import torch

import minigrad as mg


def _lib(lib):
    return (lambda a, **k: mg.tensor(a, **k)) if lib is mg else \
        (lambda a, **k: torch.tensor(a, **k))


def _np(t):
    """A copy: torch may adopt a hook's gradient as .grad and accumulate into it later."""
    return t.detach().numpy().copy()


def _trace(lib):
    """A graph with a leaf x used twice, a non-leaf y used twice and hooks on both; returns
    what the hooks saw, in order, and the gradients."""
    T = _lib(lib)
    x = T(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    seen = []
    y = x * 2
    hy = y.register_hook(lambda g: seen.append(("y", _np(g))) or g * 10)
    x.register_hook(lambda g: seen.append(("x", _np(g))))
    x.register_hook(lambda g: g + 1)
    x.register_post_accumulate_grad_hook(lambda t: seen.append(("post", _np(t.grad))))
    y.retain_grad()
    z = (y * y).sum() + (y * x).sum()
    z.backward(retain_graph=True)
    first = (_np(x.grad), _np(y.grad))
    hy.remove()
    x.grad = None
    gx, = (mg.grad if lib is mg else torch.autograd.grad)(z, [x])
    return seen, first, _np(gx)


def test_hooks_run_like_torchs():
    ms, mf, mg_x = _trace(mg)
    ts, tf, tg_x = _trace(torch)
    assert [k for k, _ in ms] == [k for k, _ in ts]
    for (_, a), (_, b) in zip(ms, ts):
        np.testing.assert_allclose(a, b)
    for a, b in zip(mf, tf):
        np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(mg_x, tg_x)


def test_hook_on_an_input_of_grad_and_double_backward():
    for lib in (mg, torch):
        T = _lib(lib)
        x = T(np.array([0.5, 1.5]), requires_grad=True)
        y = x ** 3
        y.register_hook(lambda g: g * 2)
        grad = mg.grad if lib is mg else torch.autograd.grad
        gy, = grad(y.sum(), [y])
        gx, = grad(y.sum(), [x], create_graph=True)
        g2, = grad(gx.sum(), [x])
        if lib is mg:
            res = [_np(gy), _np(gx), _np(g2)]
        else:
            np.testing.assert_allclose(res[0], _np(gy))
            np.testing.assert_allclose(res[1], _np(gx))
            np.testing.assert_allclose(res[2], _np(g2))


def test_handle_removal_and_context_manager():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with x.register_hook(lambda g: g * 0):
        (x * 3).sum().backward()
    assert np.all(x.grad.numpy() == 0)
    x.grad = None
    (x * 3).sum().backward()
    assert np.all(x.grad.numpy() == 3)


def test_errors_like_torch():
    for lib in (mg, torch):
        T = _lib(lib)
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            T(np.ones(2)).register_hook(lambda g: g)
        x = T(np.ones(2), requires_grad=True)
        with pytest.raises(RuntimeError, match="non-leaf"):
            (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g[:1])
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2).sum().backward()


def test_grad_runs_only_the_nodes_that_lead_to_its_inputs():
    """grad(z, [y]) for an intermediate y runs nothing below y (torch prunes the same way):
    the saved tensors there survive for a later backward, and nothing there is computed."""
    for lib in (mg, torch):
        T = _lib(lib)
        x = T(np.array([0.5, 1.5]), requires_grad=True)
        y = x ** 3
        ran = []
        x.register_hook(lambda g: ran.append("x"))
        grad = mg.grad if lib is mg else torch.autograd.grad
        gy, = grad((y * y).sum(), [y])
        np.testing.assert_allclose(_np(gy), 2 * np.array([0.5, 1.5]) ** 3)
        assert ran == []
        y.sum().backward()              # PowBackward's saved x is still there
        np.testing.assert_allclose(_np(x.grad), 3 * np.array([0.5, 1.5]) ** 2)
        assert ran == ["x"]


def _module_hook_trace(lib, x_grad, replace=None):
    """A Linear with both backward hooks; what they saw and the resulting gradients."""
    rng = np.random.default_rng(0)
    lin = lib.nn.Linear(3, 2).double()
    with (mg.no_grad() if lib is mg else torch.no_grad()):
        for p, a in zip(lin.parameters(), (rng.standard_normal((2, 3)), rng.standard_normal(2))):
            p.copy_(_lib(lib)(a))
    seen = []

    def pre(m, go):
        seen.append(("pre", [_np(g) for g in go]))
        return (go[0] * 2,) if replace == "pre" else None

    def full(m, gi, go):
        seen.append(("full", [None if g is None else _np(g) for g in gi], [_np(g) for g in go]))
        return (gi[0] * 0,) if replace == "full" else None
    lin.register_full_backward_pre_hook(pre)
    h = lin.register_full_backward_hook(full)
    x = _lib(lib)(rng.standard_normal((4, 3)), requires_grad=x_grad)
    (lin(x) ** 2).sum().backward()
    h.remove()
    (lin(x) ** 2).sum().backward()          # the removed hook stays silent
    return seen, [None if x.grad is None else _np(x.grad), _np(lin.weight.grad)]


@pytest.mark.parametrize("x_grad", [True, False])
@pytest.mark.parametrize("replace", [None, "pre", "full"])
def test_module_full_backward_hooks_like_torchs(x_grad, replace):
    if replace == "full" and not x_grad:
        return
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (both warn when no input requires grad)
        ms, mgrads = _module_hook_trace(mg, x_grad, replace)
        ts, tgrads = _module_hook_trace(torch, x_grad, replace)
    assert [s[0] for s in ms] == [s[0] for s in ts]
    for a, b in zip(ms, ts):
        for u, v in zip(a[1:], b[1:]):
            assert len(u) == len(v)
            for p, q in zip(u, v):
                assert (p is None) == (q is None)
                if p is not None:
                    np.testing.assert_allclose(p, q, rtol=1e-12)
    for a, b in zip(mgrads, tgrads):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12)
