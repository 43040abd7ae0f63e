"""The engine: Function protocol, accumulation, retain_graph, grad(), higher order, graph memory."""
import gc
import weakref

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad.testing import assert_close


class Cube(mg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x ** 2


class TCube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x ** 2


class SaveOutputExp(mg.Function):
    @staticmethod
    def forward(ctx, x, scale):
        y = (x * scale).exp()
        ctx.scale = scale
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        y, = ctx.saved_tensors
        return g * y * ctx.scale, None


def test_user_function_matches_torch_including_double_backward(rng):
    x = rng.standard_normal(5)
    a = mg.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    g, = mg.grad(Cube.apply(a).sum(), a, create_graph=True)
    tg, = torch.autograd.grad(TCube.apply(t).sum(), t, create_graph=True)
    assert_close(g, tg)
    assert_close(mg.grad(g.sum(), a)[0], torch.autograd.grad(tg.sum(), t)[0])


def test_function_saving_its_output_has_no_cycle_and_double_backward(rng):
    x = mg.tensor(rng.standard_normal(4), requires_grad=True)
    y = SaveOutputExp.apply(x, 2.0)
    g, = mg.grad(y.sum(), x, create_graph=True)
    assert_close(g, 2 * np.exp(2 * x.detach().numpy()))
    gg, = mg.grad(g.sum(), x)
    assert_close(gg, 4 * np.exp(2 * x.detach().numpy()))
    assert y.grad_fn.needs_input_grad == (True, False)


def test_grad_accumulates_across_backward_calls():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert_close(x.grad, np.array([2 + 3, 4 + 3], dtype=np.float32))


def test_second_backward_without_retain_graph_raises():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()
    z = x.exp().sum()
    z.backward(retain_graph=True)
    z.backward()
    assert_close(x.grad, 3 * np.exp(x.detach().numpy()))


def test_backward_of_non_scalar_needs_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    (x * 2).backward(mg.tensor([1.0, 10.0]))
    assert_close(x.grad, np.array([2.0, 20.0], dtype=np.float32))
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\)"):
        (x * 2).backward(mg.ones(3))


def test_grad_allow_unused_and_leaves_untouched():
    x = mg.tensor([1.0], requires_grad=True)
    y = mg.tensor([2.0], requires_grad=True)
    out = (x * 3).sum()
    with pytest.raises(RuntimeError, match=r"inputs\[1\].*not used"):
        mg.grad(out, [x, y], retain_graph=True)
    gx, gy = mg.grad(out, [x, y], allow_unused=True)
    assert gy is None and gx.item() == 3.0 and x.grad is None


def test_grad_with_respect_to_intermediate():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    out = (h * 3).sum()
    gh, = mg.grad(out, h)
    assert_close(gh, np.array([3.0, 3.0], dtype=np.float32))


def test_hessian_vector_product_matches_torch(rng):
    w = rng.standard_normal((4, 3))
    v = rng.standard_normal((4, 3))

    def f(lib, w):
        return (lib.tanh(w @ w.T) ** 2).sum() + (w.exp() * w).sum()
    a = mg.tensor(w, requires_grad=True)
    t = torch.tensor(w, requires_grad=True)
    g, = mg.grad(f(mg, a), a, create_graph=True)
    tg, = torch.autograd.grad(f(torch, t), t, create_graph=True)
    hv, = mg.grad((g * mg.tensor(v)).sum(), a)
    thv, = torch.autograd.grad((tg * torch.tensor(v)).sum(), t)
    assert_close(hv, thv, rtol=1e-10, atol=1e-12)


def test_gradient_penalty_pattern(rng):
    """A WGAN-GP style penalty: the norm of an input gradient, differentiated again."""
    x, w = rng.standard_normal((5, 3)), rng.standard_normal((3, 1))
    xs, ws = mg.tensor(x, requires_grad=True), mg.tensor(w, requires_grad=True)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    gx, = mg.grad((xs @ ws).sigmoid().sum(), xs, create_graph=True)
    gxt, = torch.autograd.grad((xt @ wt).sigmoid().sum(), xt, create_graph=True)
    ((gx.pow(2).sum(1).sqrt() - 1) ** 2).mean().backward()
    ((gxt.pow(2).sum(1).sqrt() - 1) ** 2).mean().backward()
    assert_close(ws.grad, wt.grad, rtol=1e-10, atol=1e-12)


def test_fan_out_and_diamond():
    x = mg.tensor(2.0, requires_grad=True)
    a = x * 3
    b = a.exp()
    c = a * a
    (b + c + a).backward()
    expected = 3 * np.exp(6.0) + 2 * 6 * 3 + 3
    assert abs(x.grad.item() - expected) < 1e-3 * expected


def test_no_grad_and_enable_grad():
    x = mg.tensor([1.0], requires_grad=True)
    with mg.no_grad():
        y = x * 2
        assert not mg.is_grad_enabled()
        with mg.enable_grad():
            z = x * 2
    assert y.grad_fn is None and not y.requires_grad and z.requires_grad

    @mg.no_grad()
    def f(t):
        return t * 2
    assert f(x).grad_fn is None and mg.is_grad_enabled()
    with mg.set_grad_enabled(False):
        assert (x + 1).grad_fn is None


def test_retain_grad_and_leaf_flags():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    (h * h).sum().backward()
    assert_close(h.grad, 2 * h.detach().numpy())
    assert x.is_leaf and not h.is_leaf and h.grad_fn.name() == "MulBackward"


def test_long_chain_has_no_recursion_limit():
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_graph_freed_without_cyclic_gc():
    gc.disable()
    try:
        x = mg.tensor(np.ones(3), requires_grad=True)
        y = (x.exp() * x).softmax(0).sum()
        node = weakref.ref(y.grad_fn)
        inner = weakref.ref(y.grad_fn._inputs[0].grad_fn)
        del y
        assert node() is None and inner() is None
        z = x.exp()
        keep = weakref.ref(z.grad_fn)
        out = z * 2
        del z
        assert keep() is not None          # still reachable from `out`
        del out
        assert keep() is None
    finally:
        gc.enable()


def test_only_float_tensors_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        mg.tensor([1, 2], requires_grad=True)
    assert (mg.tensor([1.0], requires_grad=True).argmax()).requires_grad is False


def test_backward_on_graph_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (mg.ones(2) * 2).sum().backward()


def test_to_dtype_is_differentiable():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double() * x.double()
    y.sum().backward()
    assert x.grad.dtype == mg.float32
    assert_close(x.grad, np.array([2.0, 4.0]))


def test_default_gradient_is_one_even_for_a_nan_output():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = mg.where(mg.tensor([True, False]), x, mg.tensor([0.0, float("nan")])).sum()
    y.backward()
    assert np.isnan(y.item()) and x.grad.tolist() == [1.0, 0.0]


def test_is_implicit_one_only_for_the_unwritten_seed_of_backward():
    seen, kept = [], []

    class Probe(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            seen.append(mg.backward_seed.is_implicit_one(g.data))
            kept.append(g)
            return g * 2

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    Probe.apply(x).sum().backward()                     # g reaching Probe is a broadcast 1s
    Probe.apply(x.sum()).backward()                     # g is the implicit seed itself
    Probe.apply(x.sum()).backward(mg.tensor(1.0))       # an explicit 1: not the seed
    mg.grad(Probe.apply(x.sum()), [x])                  # grad() seeds too
    assert seen == [False, True, False, True]
    one = kept[1].data
    assert mg.backward_seed.is_implicit_one(one)
    kept[1].mul_(3)                                     # written in place: no longer a sure 1
    assert not mg.backward_seed.is_implicit_one(one)
    assert not mg.backward_seed.is_implicit_one(np.ones(()))
