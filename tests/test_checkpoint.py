"""mg.utils.checkpoint.checkpoint and checkpoint_sequential against torch.utils.checkpoint
(float64, fresh random inputs): gradients equal to the un-checkpointed ones, and torch's
errors. Dropout draws differ between the libraries, so with dropout each library's
checkpointed gradients are compared with its own plain ones."""
import gc
import warnings
import weakref

import numpy as np
import pytest
import torch
import torch.utils.checkpoint as tc

import minigrad as mg
import minigrad.utils.checkpoint as mc
from minigrad.testing import assert_close

RTOL, ATOL = 1e-10, 1e-11
LIBS = ((mg, mc), (torch, tc))


def randn(*shape):
    return np.random.default_rng().standard_normal(shape)


def load(mm, tm):
    mm.double()
    mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return mm


def mlp(lib, dropout=0.0):
    nn = lib.nn
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Dropout(dropout), nn.Linear(16, 16),
                         nn.ReLU(), nn.Linear(16, 4), nn.Sigmoid())


def grads_of(lib, model, x, g, run):
    """Gradients of sum(run(model, x) * g) w.r.t. x and every parameter (and the output)."""
    model.zero_grad()
    xt = lib.tensor(x, requires_grad=True)
    y = run(model, xt)
    (y * lib.tensor(g)).sum().backward()
    return [y.detach(), xt.grad] + [p.grad for p in model.parameters()]


def assert_all_close(a, b, rtol=RTOL, atol=ATOL):
    assert len(a) == len(b)
    for k, (u, v) in enumerate(zip(a, b)):
        assert_close(u, v, rtol, atol, f"item {k}: ")


@pytest.mark.parametrize("reentrant", [False, True])
def test_mlp_matches_plain_and_torch(reentrant):
    tm = mlp(torch)
    mm = load(mlp(mg), tm)
    x, g = randn(5, 6), randn(5, 4)
    res = []
    for lib, ck in LIBS:
        model = mm if lib is mg else tm
        plain = grads_of(lib, model, x, g, lambda m, t: m(t))
        ckpt = grads_of(lib, model, x, g,
                        lambda m, t: ck.checkpoint(m, t, use_reentrant=reentrant))
        assert_all_close(plain, ckpt)
        res.append(ckpt)
    assert_all_close(res[0], res[1])


@pytest.mark.parametrize("reentrant", [False, True])
def test_transformer_layer_with_dropout_preserves_rng(reentrant):
    tlayer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.3,
                                              batch_first=True)
    mlayer = load(mg.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.3,
                                                batch_first=True), tlayer)
    x, g = randn(2, 5, 8), randn(2, 5, 8)
    for lib, ck in LIBS:
        layer = mlayer if lib is mg else tlayer
        layer.train()
        lib.manual_seed(7)
        plain = grads_of(lib, layer, x, g, lambda m, t: m(t))
        lib.manual_seed(7)
        ckpt = grads_of(lib, layer, x, g,
                        lambda m, t: ck.checkpoint(m, t, use_reentrant=reentrant))
        assert_all_close(plain, ckpt)
        after = lib.rand(3)                 # the generator moved on as without checkpoint
        lib.manual_seed(7)
        grads_of(lib, layer, x, g, lambda m, t: m(t))
        assert_close(lib.rand(3), after, 0, 0)


def test_transformer_layer_without_dropout_matches_torch():
    tlayer = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                              batch_first=True, norm_first=True)
    mlayer = load(mg.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                                batch_first=True, norm_first=True), tlayer)
    x, g = randn(3, 4, 8), randn(3, 4, 8)
    res = [grads_of(lib, mlayer if lib is mg else tlayer, x, g,
                    lambda m, t: ck.checkpoint(m, t, use_reentrant=False))
           for lib, ck in LIBS]
    assert_all_close(res[0], res[1], 1e-9, 1e-10)


def test_preserve_rng_state_false_draws_new_masks():
    x = mg.tensor(np.ones(2000), requires_grad=True)
    drop = lambda t: mg.nn.functional.dropout(t, 0.5)     # noqa: E731
    mg.manual_seed(3)
    drop(x).sum().backward()
    plain = x.grad.numpy().copy()
    x.grad = None
    mg.manual_seed(3)
    mc.checkpoint(drop, x, use_reentrant=False, preserve_rng_state=False).sum().backward()
    assert not np.array_equal(x.grad.numpy(), plain)


@pytest.mark.parametrize("reentrant", [False, True])
def test_checkpoint_sequential_over_sequential(reentrant):
    tm = mlp(torch)
    mm = load(mlp(mg), tm)
    x, g = randn(4, 6), randn(4, 4)
    res = []
    for lib, ck in LIBS:
        model = mm if lib is mg else tm
        plain = grads_of(lib, model, x, g, lambda m, t: m(t))
        for segments in (1, 2, 3, 7):
            seq = grads_of(lib, model, x, g, lambda m, t: ck.checkpoint_sequential(
                m, segments, t, use_reentrant=reentrant))
            assert_all_close(plain, seq)
        res.append(seq)
    assert_all_close(res[0], res[1])


def test_checkpoint_sequential_list_and_errors():
    fns = [lambda t: t.sin(), lambda t: t * 2, lambda t: t.exp()]
    a = randn(3)
    outs = []
    for lib, ck in LIBS:
        x = lib.tensor(a, requires_grad=True)
        y = ck.checkpoint_sequential(fns, 2, x, use_reentrant=False)
        y.sum().backward()
        outs.append((y.detach(), x.grad))
        with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
            ck.checkpoint_sequential(fns, 2, x, use_reentrant=False, foo=1)
        with pytest.raises(ZeroDivisionError):
            ck.checkpoint_sequential(fns, 0, x, use_reentrant=False)
        with pytest.raises(ValueError):
            ck.checkpoint_sequential(fns, 4, x, use_reentrant=False)
        with pytest.warns(UserWarning, match="use_reentrant"):
            ck.checkpoint_sequential(fns, 2, x)
    assert_all_close(outs[0], outs[1])


def test_grad_to_inner_params_and_create_graph():
    w0, a = randn(4), randn(4)
    res = []
    for lib, ck in LIBS:
        w = lib.tensor(w0, requires_grad=True)
        x = lib.tensor(a, requires_grad=True)
        f = lambda t: (t * w).sin() * w.exp()                   # noqa: E731
        y = ck.checkpoint(f, x, use_reentrant=False).sum()
        grad = mg.grad if lib is mg else torch.autograd.grad
        gw, = grad(y, [w], create_graph=True)
        gww, gx = grad(gw.sum(), [w, x])
        res.append([gw.detach(), gww, gx])
    assert_all_close(res[0], res[1])


def test_kwargs_non_tensor_and_tuple_outputs():
    a, b = randn(3), randn(3)
    res = []
    for lib, ck in LIBS:
        x, z = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        f = lambda t, k=1.0, other=None: (t.sin() * k + other.cos(), 3, None)   # noqa: E731
        y, three, none = ck.checkpoint(f, x, 2.0, other=z, use_reentrant=False)
        assert three == 3 and none is None
        y.sum().backward()
        yr, three, none = ck.checkpoint(f, x, 2.0, z, use_reentrant=True)
        assert three == 3 and none is None
        yr.sum().backward()
        res.append([y.detach(), x.grad, z.grad])
    assert_all_close(res[0], res[1])


def test_recomputes_once_per_backward_and_keeps_no_intermediates():
    calls, inner = [], []

    def f(t):
        calls.append(1)
        h = t.exp()
        inner.append(weakref.ref(h.data))       # an intermediate array of the region
        d = mg.nn.functional.dropout(h, 0.5)
        inner.append(weakref.ref(d.grad_fn.mask))   # an array an op keeps as an attribute
        return (d * t).tanh()
    x = mg.tensor(randn(100), requires_grad=True)
    y = mc.checkpoint(f, x, use_reentrant=False)
    gc.collect()
    assert len(calls) == 1 and inner[0]() is None and inner[1]() is None   # nothing kept
    y.sum().backward(retain_graph=True)
    assert len(calls) == 2
    y.sum().backward()
    assert len(calls) == 3                            # a second backward recomputes again
    calls.clear()
    inner.clear()
    y = f(x)
    gc.collect()
    assert inner[0]() is not None and inner[1]() is not None   # without checkpoint: kept


def test_backward_twice_errors_and_retain_graph():
    a = randn(3)
    res = []
    for lib, ck in LIBS:
        for reentrant in (False, True):
            x = lib.tensor(a, requires_grad=True)
            y = ck.checkpoint(lambda t: t.sin().cos(), x, use_reentrant=reentrant).sum()
            y.backward(retain_graph=True)
            y.backward()
            res.append(x.grad)
            with pytest.raises(RuntimeError, match="second time"):
                y.backward()
    for r in res[1:]:
        assert_close(r, res[0], RTOL, ATOL)


def test_reentrant_restrictions_as_torch():
    for lib, ck in LIBS:
        x = lib.tensor(randn(3), requires_grad=True)
        y = ck.checkpoint(lambda t: t.sin(), x, use_reentrant=True).sum()
        grad = mg.grad if lib is mg else torch.autograd.grad
        with pytest.raises(RuntimeError, match="incompatible with .grad()"):
            grad(y, x)
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
            out = ck.checkpoint(lambda t: t.sin(), lib.tensor(randn(3)), use_reentrant=True)
        assert not out.requires_grad
        with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
            ck.checkpoint(lambda t: t, x, use_reentrant=True, foo=1)
        with pytest.raises(ValueError, match="only supported when use_reentrant=False"):
            ck.checkpoint(lambda t: t, x, use_reentrant=True, debug=True)
        with pytest.raises(ValueError, match="determinism_check should be one of"):
            ck.checkpoint(lambda t: t, x, use_reentrant=False, determinism_check="bad")
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
            y = ck.checkpoint(lambda t: t.exp(), x)
        y.sum().backward()              # None meant use_reentrant=True: backward works


def _flaky(first, later):
    n = []

    def f(t):
        n.append(1)
        return first(t) if len(n) == 1 else later(t)
    return f


def test_recomputation_mismatch_errors():
    for lib, ck in LIBS:
        x = lib.tensor(randn(3), requires_grad=True)
        y = ck.checkpoint(_flaky(lambda t: t.sin().cos(), lambda t: t.sin()), x,
                          use_reentrant=False)
        with pytest.raises(ck.CheckpointError, match="A different number of tensors"):
            y.sum().backward()
        y = ck.checkpoint(_flaky(lambda t: t.sin(), lambda t: t[:2].sin()), x,
                          use_reentrant=False)
        with pytest.raises(RuntimeError, match="different metadata"):
            y.sum().backward()
        y = ck.checkpoint(_flaky(lambda t: t.sin(), lambda t: t[:2].sin()), x,
                          use_reentrant=False, determinism_check="none")
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()          # not checked: the wrong-shaped value reaches sin's
        assert not isinstance(e.value, ck.CheckpointError)     # backward, which fails


def test_early_stop():
    for lib, ck in LIBS:
        x = lib.tensor(randn(3), requires_grad=True)
        more = _flaky(lambda t: t.sin(), lambda t: t.sin().cos())
        ck.checkpoint(more, x, use_reentrant=False).sum().backward()   # stops after sin
        more = _flaky(lambda t: t.sin(), lambda t: t.sin().cos())
        with ck.set_checkpoint_early_stop(False):
            y = ck.checkpoint(more, x, use_reentrant=False)
        with pytest.raises(ck.CheckpointError, match="trying to save more tensors"):
            y.sum().backward()


def test_debug_names_the_ops():
    x = mg.tensor(randn(3), requires_grad=True)
    y = mc.checkpoint(_flaky(lambda t: t.sin().cos(), lambda t: t.sin()), x,
                      use_reentrant=False, debug=True)
    with pytest.raises(mc.CheckpointError, match="(?s)original forward:.*SinBackward.*"
                                                 "CosBackward.*recomputation:.*SinBackward"):
        y.sum().backward()


def test_inplace_write_into_an_input_is_caught():
    for lib, ck in LIBS:
        x = lib.tensor(randn(3), requires_grad=True)
        c = x * 1
        y = ck.checkpoint(lambda t: t.sin(), c, use_reentrant=False)
        c.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_nested_checkpoints():
    a, g = randn(4), randn(4)
    res = []
    for lib, ck in LIBS:
        x = lib.tensor(a, requires_grad=True)
        inner = lambda t: ck.checkpoint(lambda u: u.exp().sin(), t, use_reentrant=False)  # noqa
        y = ck.checkpoint(lambda t: inner(t.cos()) * t, x, use_reentrant=False)
        (y * lib.tensor(g)).sum().backward()
        res.append([y.detach(), x.grad])
    assert_all_close(res[0], res[1])


def test_outer_hooks_see_the_inputs_and_no_grad_runs_plainly():
    for lib, ck in LIBS:
        x = lib.tensor(randn(3), requires_grad=True)
        n = []
        with lib.autograd.graph.saved_tensors_hooks(lambda t: n.append(1) or t.detach(),
                                                    lambda t: t):
            y = ck.checkpoint(lambda t: t.sin().exp(), x, use_reentrant=False)
        assert len(n) == 1                  # only the checkpoint's input
        y.sum().backward()
        with lib.no_grad():
            z = ck.checkpoint(lambda t: t.sin(), x, use_reentrant=False)
        assert not z.requires_grad
        with lib.autograd.graph.disable_saved_tensors_hooks("no checkpoint here"):
            with pytest.raises(RuntimeError, match="no checkpoint here"):
                ck.checkpoint(lambda t: t.sin(), x, use_reentrant=False)


def test_checkpoint_graph_is_freed_without_cyclic_gc():
    x = mg.tensor(randn(3), requires_grad=True)
    gc.disable()
    try:
        y = mc.checkpoint(lambda t: mg.nn.functional.dropout(t.exp(), 0.5), x,
                          use_reentrant=False)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()


def test_rng_state_round_trip_and_errors():
    s = mg.get_rng_state()
    assert s.dtype == mg.uint8 and s.ndim == 1
    a = mg.rand(5)
    mg.set_rng_state(s)
    assert_close(mg.rand(5), a, 0, 0)
    with pytest.raises(TypeError):
        mg.set_rng_state(1)
    with pytest.raises(TypeError):
        mg.set_rng_state(mg.zeros(3))
    with pytest.raises(RuntimeError):
        mg.set_rng_state(mg.zeros(3, dtype=mg.uint8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mg.set_rng_state(s)


def test_checkpoint_function_apply_directly():
    a = randn(4)
    res = []
    for lib, ck in LIBS:
        x = lib.tensor(a, requires_grad=True)
        y = ck.CheckpointFunction.apply(lambda t: (t.sin() * t).exp(), True, x)
        y.sum().backward()
        res.append([y.detach(), x.grad])
    assert_all_close(res[0], res[1])


def test_partial_backwards_through_one_region():
    a, w0 = randn(5), randn(5)
    res = []
    for lib, ck in LIBS:
        drop = mg.nn.functional.dropout if lib is mg else torch.nn.functional.dropout
        grad = mg.grad if lib is mg else torch.autograd.grad
        ref = []
        for use_ckpt in (False, True):
            x, w = lib.tensor(a, requires_grad=True), lib.tensor(w0, requires_grad=True)
            f = lambda t: ((t * w).sin(), drop(t.exp(), 0.5))      # noqa: E731
            lib.manual_seed(5)
            y1, y2 = ck.checkpoint(f, x, use_reentrant=False) if use_ckpt else f(x)
            gx, = grad(y1.sum(), [x], retain_graph=True)    # only sin's part of the region
            (y1 + y2 * y2.detach()).sum().backward()         # then all of it
            ref.append([gx, x.grad, w.grad])
        assert_all_close(ref[0], ref[1])
        res.append([ref[1][0], ref[1][2]])
    assert_all_close(res[0], res[1])


def test_context_fn_and_reentrant_detached_output():
    import contextlib
    for lib, ck in LIBS:
        seen = []

        def context_fn():
            @contextlib.contextmanager
            def mark(name):
                seen.append(name)
                yield
            return mark("forward"), mark("recompute")
        x = lib.tensor(randn(3), requires_grad=True)
        y = ck.checkpoint(lambda t: t.sin().exp(), x, use_reentrant=False, context_fn=context_fn)
        assert seen == ["forward"]
        y.sum().backward()
        assert seen == ["forward", "recompute"]
        with pytest.raises(ValueError, match="debug=True is incompatible"):
            ck.checkpoint(lambda t: t, x, use_reentrant=False, context_fn=context_fn,
                          debug=True)
        y = ck.checkpoint(lambda t: t.detach() * 2, x, use_reentrant=True)
        with pytest.raises(RuntimeError, match="none of output has requires_grad=True"):
            y.sum().backward()
