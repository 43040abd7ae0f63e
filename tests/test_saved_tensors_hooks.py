"""mg.autograd.graph.saved_tensors_hooks, save_on_cpu and disable_saved_tensors_hooks against
torch.autograd.graph (float64, fresh random inputs)."""
import gc
import threading
import weakref

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad.testing import assert_close

RTOL, ATOL = 1e-12, 1e-12


def randn(*shape):
    return np.random.default_rng().standard_normal(shape)


def both(a):
    return mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


# ops whose saved tensors are the same in minigrad and torch (count and values)
OPS = {
    "sin": lambda a, b: a.sin(), "cos": lambda a, b: a.cos(), "exp": lambda a, b: a.exp(),
    "tanh": lambda a, b: a.tanh(), "sigmoid": lambda a, b: a.sigmoid(),
    "log": lambda a, b: a.abs().log(), "sqrt": lambda a, b: a.abs().sqrt(),
    "mul": lambda a, b: a * b, "div": lambda a, b: a / b, "matmul": lambda a, b: a @ b.T,
    "relu": lambda a, b: a.relu(), "softmax": lambda a, b: a.softmax(-1),
    "log_softmax": lambda a, b: a.log_softmax(-1), "add": lambda a, b: a + b,
    "chain": lambda a, b: ((a * b).exp() @ b.T.tanh()).softmax(0).sum(),
}


def _key(x):
    return x.shape, round(float(x.sum()), 8)


def run_logged(lib, fn, arrays, grad):
    """fn under hooks that log what is packed and unpacked; returns the logs and the grads."""
    packed, unpacked = [], []

    def pack(t):
        packed.append(t.detach().numpy().copy())
        return t.detach()

    def unpack(t):
        unpacked.append(t.numpy().copy())
        return t
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = fn(*ts)
    (y * lib.tensor(grad)).sum().backward()
    return packed, unpacked, [t.grad for t in ts]


@pytest.mark.parametrize("name", list(OPS))
def test_hooks_see_the_saved_tensors(name):
    a, b = randn(3, 4), randn(3, 4)
    y = OPS[name](torch.tensor(a), torch.tensor(b))
    g = randn(*y.shape)
    mp, mu, mgrads = run_logged(mg, OPS[name], [a, b], g)
    tp, tu, tgrads = run_logged(torch, OPS[name], [a, b], g)
    assert len(mp) == len(tp) and len(mu) == len(tu) == len(tp)
    for m, t in zip(sorted(mp, key=_key), sorted(tp, key=_key)):
        np.testing.assert_allclose(m, t, RTOL, ATOL)
    for m, t in zip(mgrads, tgrads):
        assert_close(m, t, RTOL, ATOL)


def test_pack_gets_the_tensor_itself_and_outputs_with_history():
    for lib in (mg, torch):
        a = lib.tensor(randn(3), requires_grad=True)
        seen = []
        with lib.autograd.graph.saved_tensors_hooks(lambda t: seen.append(t) or 0,
                                                    lambda p: a):
            y = a.sin()
            z = y.exp()
        assert seen[0] is a                        # an input: the tensor itself
        assert seen[1].grad_fn is not None and seen[1].requires_grad    # exp's output
        np.testing.assert_allclose(seen[1].detach().numpy(), z.detach().numpy())
        del z, y


def test_replaced_values_flow_into_the_gradient():
    a, g = randn(5), randn(5)
    grads = []
    for lib in (mg, torch):
        x = lib.tensor(a, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t * 2, lambda t: t + 1):
            y = x.sin()
        (y * lib.tensor(g)).sum().backward()
        grads.append(x.grad)
    assert_close(grads[0], grads[1], RTOL, ATOL)
    np.testing.assert_allclose(grads[0].numpy(), g * np.cos(2 * a + 1), RTOL, ATOL)


def test_pack_may_return_any_object_and_runs_without_grad():
    a = randn(4)
    res = []
    for lib in (mg, torch):
        x = lib.tensor(a, requires_grad=True)
        modes = []

        def pack(t):
            modes.append((lib.is_grad_enabled(), (t * 2).requires_grad))
            return {"array": t.detach().numpy().copy()}
        with lib.autograd.graph.saved_tensors_hooks(pack, lambda d: lib.tensor(d["array"])):
            y = x.tanh()
        y.sum().backward()
        res.append((modes, x.grad))
    assert res[0][0] == res[1][0] == [(False, False)]
    assert_close(res[0][1], res[1][1], RTOL, ATOL)


def test_nested_hooks_innermost_wins():
    a = randn(3)
    for lib in (mg, torch):
        x = lib.tensor(a, requires_grad=True)
        log = []
        H = lib.autograd.graph.saved_tensors_hooks
        with H(lambda t: log.append("outer") or t.detach(), lambda t: t):
            with H(lambda t: log.append("inner") or t.detach(), lambda t: t):
                x.sin()
            x.cos()
        assert log == ["inner", "outer"]


def test_custom_function_saves_through_hooks():
    class Cube:
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * x * x * g

    a = randn(4)
    out = []
    for lib, base in ((mg, mg.Function), (torch, torch.autograd.Function)):
        fn = type("Cube", (base,), dict(vars(Cube)))
        x = lib.tensor(a, requires_grad=True)
        n = []
        with lib.autograd.graph.saved_tensors_hooks(lambda t: n.append(1) or t * 0.5,
                                                    lambda t: t * 2):
            y = fn.apply(x)
        y.sum().backward()
        out.append((len(n), x.grad))
    assert out[0][0] == out[1][0] == 1
    assert_close(out[0][1], out[1][1], RTOL, ATOL)


def test_unpack_counts_follow_backward_calls():
    for lib in (mg, torch):
        x = lib.tensor(randn(3), requires_grad=True)
        n = []
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach(),
                                                    lambda t: n.append(1) or t):
            y = x.exp().sum()
        y.backward(retain_graph=True)
        y.backward()
        assert len(n) == 2
        with pytest.raises(RuntimeError, match="second time"):
            y.backward()


def test_double_backward_through_hooked_tensors():
    a = randn(4)
    out = []
    for lib in (mg, torch):
        x = lib.tensor(a, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach(), lambda t: t):
            y = (x.sin() * x.exp()).sum()
        g, = lib.autograd.grad(y, x, create_graph=True) if lib is torch else \
            mg.grad(y, x, create_graph=True)
        gg, = lib.autograd.grad(g.sum(), x) if lib is torch else mg.grad(g.sum(), x)
        out.append((g.detach(), gg))
    assert_close(out[0][0], out[1][0], RTOL, ATOL)
    assert_close(out[0][1], out[1][1], RTOL, ATOL)


def test_no_version_check_for_hooked_tensors_as_torch():
    a = randn(3)
    grads = []
    for lib in (mg, torch):
        x = lib.tensor(a, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
            c = x * 1
            d = c.sin()
        c.add_(1)               # the hooks kept a copy: torch does not check the version
        d.sum().backward()
        grads.append(x.grad)
    assert_close(grads[0], grads[1], RTOL, ATOL)
    np.testing.assert_allclose(grads[0].numpy(), np.cos(a))


def test_version_check_still_applies_without_hooks():
    for lib in (mg, torch):
        x = lib.tensor(randn(3), requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach(), lambda t: t):
            pass
        c = x * 1
        d = c.sin()
        c.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            d.sum().backward()


def test_errors_match_torch():
    for lib in (mg, torch):
        H = lib.autograd.graph.saved_tensors_hooks
        x = lib.tensor(randn(3), requires_grad=True)
        with H(lambda t: t.detach(), lambda t: 3):
            y = x.sin()
        with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor"):
            y.sum().backward()
        with pytest.raises(RuntimeError, match="pack hook is modifying its input in place"):
            with H(lambda t: t.mul_(1), lambda t: t):
                (x * 1).sin()
        with pytest.raises(TypeError):
            with H(1, lambda t: t):
                x.sin()


def test_no_packs_without_a_graph():
    for lib in (mg, torch):
        x = lib.tensor(randn(3), requires_grad=True)
        n = []
        with lib.autograd.graph.saved_tensors_hooks(lambda t: n.append(1) or t, lambda t: t):
            with lib.no_grad():
                x.sin()
            lib.tensor(randn(3)).sin()      # no input requires grad: no node
        assert n == []


def test_hooks_are_per_thread():
    for lib in (mg, torch):
        x = lib.tensor(randn(3), requires_grad=True)
        n = []
        with lib.autograd.graph.saved_tensors_hooks(lambda t: n.append(1) or t, lambda t: t):
            th = threading.Thread(target=lambda: x.sin().sum().backward())
            th.start()
            th.join()
        assert n == []
        assert x.grad is not None


def test_hooked_outputs_make_no_reference_cycle():
    gc.disable()
    try:
        x = mg.tensor(randn(3), requires_grad=True)
        with mg.autograd.graph.saved_tensors_hooks(lambda t: t.detach(), lambda t: t):
            y = x.exp().sigmoid()
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()


def test_save_on_cpu_on_cpu_tensors():
    a, b = randn(3, 4), randn(4, 2)
    out = []
    for lib in (mg, torch):
        x, w = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        with lib.autograd.graph.save_on_cpu(pin_memory=True):
            y = (x @ w).tanh().sum()
        y.backward()
        out.append((y.detach(), x.grad, w.grad))
    for m, t in zip(*out):
        assert_close(m, t, RTOL, ATOL)
    for lib in (mg, torch):                 # on CPU the hooks keep the tensor itself
        x = lib.tensor(a, requires_grad=True)
        hooks = lib.autograd.graph.save_on_cpu()
        device, kept = hooks.pack_hook(x)
        assert kept is x and hooks.unpack_hook((device, kept)) is x


def test_graph_module_imports_as_torch_s():
    from minigrad.autograd.graph import saved_tensors_hooks
    assert saved_tensors_hooks is mg.autograd.graph.saved_tensors_hooks


def test_disable_saved_tensors_hooks():
    for lib in (mg, torch):
        G = lib.autograd.graph
        with G.disable_saved_tensors_hooks("no hooks here"):
            with pytest.raises(RuntimeError, match="no hooks here"):
                with G.saved_tensors_hooks(lambda t: t, lambda t: t):
                    pass
            with pytest.raises(RuntimeError, match="no hooks here"):
                with G.save_on_cpu():
                    pass
        with G.saved_tensors_hooks(lambda t: t, lambda t: t):
            with pytest.raises(RuntimeError, match="hooks active"):
                with G.disable_saved_tensors_hooks("hooks active"):
                    pass
        with G.saved_tensors_hooks(lambda t: t, lambda t: t):    # enabled again after
            pass
