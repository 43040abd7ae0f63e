"""F.linear_cross_entropy, nn.LinearCrossEntropyLoss and nn.LinearCrossEntropyOptions against
torch 2.13 (float64): the chunked path (options given) against torch's reference path
(options=None) for values, gradients and second and third derivatives, every option; that
it never allocates the (N, C) logits; torch's errors; the module and its state_dict."""
import tracemalloc

import numpy as np
import pytest
import torch
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F

tF = torch.nn.functional
Options = mg.nn.LinearCrossEntropyOptions


def _inputs(rng, n=7, d=4, C=5, K=(), probs=False, bias=True):
    x = rng.standard_normal((n, d))
    W = rng.standard_normal((C, *K, d))
    b = rng.standard_normal((C, *K)) if bias else None
    if probs:
        t = rng.dirichlet(np.ones(C), (n, *K))           # (n, *K, C) -> (n, C, *K)
        t = np.moveaxis(t, -1, 1).copy()
    else:
        t = rng.integers(0, C, (n, *K))
    return x, W, b, t


def _run(lib, x, W, b, t, kw, options=None, order=2, seed=0):
    """Loss, its gradients for a random upstream gradient, and the gradient of <grads, u>
    (second derivatives) and of that's square norm (third), w.r.t. input, weight, bias."""
    rng = np.random.default_rng(seed)
    T = (lambda a, **k: mg.tensor(a, **k)) if lib is mg else (lambda a, **k: torch.tensor(a, **k))
    leaves = [T(a, requires_grad=True) for a in (x, W, b) if a is not None]
    kw = {k: T(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    fn = F.linear_cross_entropy if lib is mg else tF.linear_cross_entropy
    extra = {"options": options} if options is not None else {}
    loss = fn(leaves[0], leaves[1], T(t), linear_bias=leaves[2] if b is not None else None,
              **kw, **extra)
    grad = mg.grad if lib is mg else torch.autograd.grad
    g = T(rng.standard_normal(tuple(loss.shape)))
    out = [loss]
    gs = grad(loss, leaves, g, create_graph=order > 1)
    out += list(gs)
    if order > 1:
        us = [T(rng.standard_normal(tuple(a.shape))) for a in leaves]
        hv = grad(sum((a * u).sum() for a, u in zip(gs, us)), leaves, create_graph=order > 2)
        out += list(hv)
        if order > 2:
            out += list(grad(sum((h * h).sum() for h in hv), leaves))
    return [o.detach().numpy() if lib is torch else o.detach().numpy() for o in out]


def _same(mo, to, rtol=1e-10, atol=1e-12):
    assert len(mo) == len(to)
    for k, (a, b) in enumerate(zip(mo, to)):
        assert a.shape == b.shape, (k, a.shape, b.shape)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"output {k}")


OPTIONS = [Options(batch_chunk_size=1), Options(batch_chunk_size=3), Options(),
           Options(chunking_method="aspect_ratio"), Options(chunking_method=None)]
KWARGS = [{}, {"reduction": "sum"}, {"reduction": "none"}, {"label_smoothing": 0.25},
          {"ignore_index": 2}, {"ignore_index": 2, "reduction": "sum", "label_smoothing": 0.1}]


@pytest.mark.parametrize("options", OPTIONS, ids=repr)
@pytest.mark.parametrize("kw", KWARGS, ids=repr)
def test_chunked_matches_torch_reference(options, kw):
    rng = np.random.default_rng()
    x, W, b, t = _inputs(rng)
    _same(_run(mg, x, W, b, t, kw, options), _run(torch, x, W, b, t, kw))


@pytest.mark.parametrize("kw", [{}, {"reduction": "none"}, {"label_smoothing": 0.3},
                                {"ignore_index": 1, "reduction": "sum"}], ids=repr)
def test_class_weights(kw):
    rng = np.random.default_rng()
    x, W, b, t = _inputs(rng, n=9, C=6)
    kw = dict(kw, weight=rng.uniform(0.1, 2.0, 6))
    for options in (None, Options(batch_chunk_size=4)):
        _same(_run(mg, x, W, b, t, kw, options), _run(torch, x, W, b, t, kw))


@pytest.mark.parametrize("kw", [{}, {"reduction": "none"}, {"label_smoothing": 0.2},
                                {"reduction": "sum"}], ids=repr)
@pytest.mark.parametrize("K", [(), (2,), (2, 3)])
def test_probabilities_and_k_dimensional_weights(kw, K):
    """Beyond torch's chunked path, which falls back to the reference for these."""
    rng = np.random.default_rng()
    for probs in (False, True):
        x, W, b, t = _inputs(rng, n=6, d=3, C=4, K=K, probs=probs)
        weight = {"weight": rng.uniform(0.5, 1.5, 4)} if not K else {}
        _same(_run(mg, x, W, b, t, {**kw, **weight}, Options(batch_chunk_size=4)),
              _run(torch, x, W, b, t, {**kw, **weight}))


@pytest.mark.parametrize("options", [None, Options(batch_chunk_size=2)], ids=repr)
def test_third_derivatives_and_no_bias(options):
    rng = np.random.default_rng()
    x, W, _, t = _inputs(rng, n=5, bias=False)
    _same(_run(mg, x, W, None, t, {}, options, order=3),
          _run(torch, x, W, None, t, {}, order=3))


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_unbatched_inputs(n):
    rng = np.random.default_rng()
    x, W, b, t = _inputs(rng, n=n)
    for kw in ({}, {"reduction": "none"}, {"reduction": "sum"}):
        _same(_run(mg, x, W, b, t, kw, Options(), order=1), _run(torch, x, W, b, t, kw, order=1))
    if n:                            # unbatched: input (in_features,), target ()
        _same(_run(mg, x[0], W, b, t[0], {}, Options(), order=2),
              _run(torch, x[0], W, b, t[0], {}, order=2))


def test_all_rows_ignored_gives_nan_mean_like_torch():
    rng = np.random.default_rng()
    x, W, b, _ = _inputs(rng)
    t = np.full(7, -100)
    m = F.linear_cross_entropy(mg.tensor(x), mg.tensor(W), mg.tensor(t), options=Options())
    ref = tF.linear_cross_entropy(torch.tensor(x), torch.tensor(W), torch.tensor(t))
    assert np.isnan(m.item()) and np.isnan(ref.item())


def test_float32_close_to_torch():
    rng = np.random.default_rng()
    x, W, b, t = (a.astype(np.float32) if a.dtype.kind == "f" else a
                  for a in _inputs(rng, n=33, d=16, C=50))
    _same(_run(mg, x, W, b, t, {}, Options(batch_chunk_size=8), order=1),
          _run(torch, x, W, b, t, {}, order=1), rtol=2e-5, atol=2e-6)
    assert F.linear_cross_entropy(mg.tensor(x), mg.tensor(W), mg.tensor(t),
                                  options=Options()).dtype == mg.float32


@pytest.mark.parametrize("keep", [False, True])
def test_second_backward_with_retain_graph_works(keep):
    """torch's chunked path refuses a second backward unless allow_retain_graph=True;
    minigrad hands its gradient buffers to the first backward (or keeps them, with
    allow_retain_graph=True), and a second backward recomputes: it always works."""
    rng = np.random.default_rng()
    x, W, b, t = _inputs(rng)
    xm = mg.tensor(x, requires_grad=True)
    loss = F.linear_cross_entropy(xm, mg.tensor(W), mg.tensor(t),
                                  options=Options(allow_retain_graph=keep))
    loss.backward(retain_graph=True)
    first = xm.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(xm.grad.numpy(), 2 * first, rtol=1e-12)
    xt = torch.tensor(x, requires_grad=True)
    tF.linear_cross_entropy(xt, torch.tensor(W), torch.tensor(t)).backward()
    np.testing.assert_allclose(first, xt.grad.numpy(), rtol=1e-10)


def test_chunked_path_never_holds_the_logits():
    """Peak memory of forward + backward: the chunked path stays far below one (N, C) logits
    array; the reference path needs several."""
    rng = np.random.default_rng(0)
    n, d, C = 512, 8, 4000
    x, W, _, t = _inputs(rng, n=n, d=d, C=C, bias=False)
    logits_bytes = n * C * 8

    def peak(options):
        xm, Wm = mg.tensor(x, requires_grad=True), mg.tensor(W, requires_grad=True)
        tm = mg.tensor(t)
        tracemalloc.start()
        try:
            F.linear_cross_entropy(xm, Wm, tm, options=options).backward()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    chunked = peak(Options(batch_chunk_size=16))
    reference = peak(None)
    assert reference > logits_bytes
    assert chunked < logits_bytes / 4, (chunked, logits_bytes)


AR2 = {"chunking_method": "aspect_ratio:2"}


@pytest.mark.parametrize("n,d,C,kw", [(1000, 64, 50000, AR2), (8192, 512, 32000, AR2),
                                      (7, 4, 5, AR2), (100, 3, 7, {"chunking_method": None}),
                                      (300, 3, 7, {"batch_chunk_size": 50}),
                                      (64, 16, 300, {"chunking_method": "aspect_ratio:4"}),
                                      (64, 16, 300, {"batch_chunk_size": 10})])
def test_chunk_size_rule_matches_torch(n, d, C, kw):
    tk = dict(kw)
    mine = Options(**kw).chunk_size(n, d, C)
    theirs = torch.nn.LinearCrossEntropyOptions(**tk)._adjust(
        num_batches=n, in_features=d, num_classes=C, dtype=torch.float64,
        device=torch.device("cpu")).batch_chunk_size
    assert mine == theirs


def test_auto_chunk_size_is_torchs_with_a_floor_of_512_rows():
    def torchs(n, d, C):
        return torch.nn.LinearCrossEntropyOptions(chunking_method="aspect_ratio:2")._adjust(
            num_batches=n, in_features=d, num_classes=C, dtype=torch.float32,
            device=torch.device("cpu")).batch_chunk_size
    for n, d, C in [(2048, 768, 50257), (8192, 512, 32000), (100, 8, 10), (4096, 4096, 128)]:
        assert Options().chunk_size(n, d, C) == min(n, max(512, torchs(n, d, C)))
    assert Options().chunk_size(2048, 768, 50257) == 512 > torchs(2048, 768, 50257) == 16


def _raises_like(fn_mg, fn_torch):
    with pytest.raises(Exception) as t_err:
        fn_torch()
    kind = next(k for k in t_err.type.__mro__ if k.__module__ == "builtins")
    with pytest.raises(kind, match="linear_cross_entropy|batch_chunk_size|acc_|chunking"):
        fn_mg()


@pytest.mark.parametrize("options", [None, "chunked"])
def test_errors_like_torch(options):
    """Both paths raise what torch's reference path raises. (torch 2.13's chunked path
    raises an internal narrow() error for a shorter target and silently ignores the extra
    rows of a longer one; see the next test.)"""
    rng = np.random.default_rng(0)
    x, W, b, t = _inputs(rng)
    om = Options() if options else None
    ot = None
    cases = [
        (x[None], W, t, {}), (x, W[0], t, {}), (x, W[:, :3], t, {}),
        (x, W, t, {"linear_bias": b[:3]}), (x[0], W[:, None], t[0], {}),
        (x, W, t[:5], {}), (x, W, np.where(t == 0, 9, t), {}),
        (x, W, rng.random((7, 5)), {"ignore_index": 1}), (x, W, t, {"reduction": "avg"}),
        (x, W, t.astype(np.int32), {}),
    ]
    for xx, ww, tt, kw in cases:
        km = {k: mg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        kt = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        _raises_like(lambda: F.linear_cross_entropy(mg.tensor(xx), mg.tensor(ww), mg.tensor(tt),
                                                    options=om, **km),
                     lambda: tF.linear_cross_entropy(torch.tensor(xx), torch.tensor(ww),
                                                     torch.tensor(tt), options=ot, **kt))


def test_a_target_with_more_rows_than_the_input_raises():
    rng = np.random.default_rng(0)
    x, W, _, t = _inputs(rng)
    t8 = np.append(t, 0)
    tF.linear_cross_entropy(torch.tensor(x), torch.tensor(W), torch.tensor(t8),
                            options=torch.nn.LinearCrossEntropyOptions())   # torch: no error
    with pytest.raises(ValueError):
        tF.linear_cross_entropy(torch.tensor(x), torch.tensor(W), torch.tensor(t8))
    with pytest.raises(ValueError, match="linear_cross_entropy: Expected input batch_size"):
        F.linear_cross_entropy(mg.tensor(x), mg.tensor(W), mg.tensor(t8), options=Options())


def test_options_checks_like_torch():
    for kw in [{"batch_chunk_size": 0}, {"batch_chunk_size": 2.5}, {"acc_policy": "fast"},
               {"chunking_method": "rows"}, {"chunking_method": "aspect_ratio:0"},
               {"acc_dtype": "int8"}]:
        with pytest.raises(ValueError):
            torch.nn.LinearCrossEntropyOptions(**kw)
        with pytest.raises(ValueError):
            Options(**kw)
    o = Options(batch_chunk_size=3, chunking_method="aspect_ratio")
    with pytest.raises(ValueError, match="different chunk sizes"):
        o.chunk_size(7, 4, 5)
    assert Options(acc_dtype=mg.float32, allow_retain_graph=True).acc_policy == "auto"
    with pytest.raises(TypeError, match="options"):
        F.linear_cross_entropy(mg.zeros(2, 3), mg.zeros(4, 3), mg.tensor([0, 1]), options={})


@pytest.mark.parametrize("kw", [{}, {"bias": True, "label_smoothing": 0.1},
                                {"out_features": (2,), "bias": True, "reduction": "sum"}],
                         ids=repr)
@pytest.mark.parametrize("options", [False, True])
def test_module_loads_torch_state_dict(kw, options):
    rng = np.random.default_rng()
    K = kw.get("out_features", ())
    x = rng.standard_normal((6, 4))
    t = rng.integers(0, 5, (6, *K))
    m = mg.nn.LinearCrossEntropyLoss(4, 5, **kw, options=Options(batch_chunk_size=4)
                                     if options else None)
    tm = torch.nn.LinearCrossEntropyLoss(4, 5, **kw)
    assert list(m.state_dict()) == list(tm.state_dict())
    check_module(m, tm, [x, t])
    assert repr(m).replace("options=LinearCrossEntropyOptions(allow_retain_graph=False, "
                           "batch_chunk_size=4, chunking_method='auto', acc_policy='auto', "
                           "acc_dtype=None)", "options=None") == repr(tm)


def test_module_class_weight_is_a_buffer_and_checked():
    w = np.array([1.0, 2.0, 0.5])
    m = mg.nn.LinearCrossEntropyLoss(2, 3, weight=mg.tensor(w))
    tm = torch.nn.LinearCrossEntropyLoss(2, 3, weight=torch.tensor(w))
    assert list(m.state_dict()) == list(tm.state_dict()) == ["weight", "linear.weight"]
    for bad in ({"weight": np.ones(4)}, {"label_smoothing": 1.5}):
        kt = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in bad.items()}
        km = {k: mg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in bad.items()}
        with pytest.raises(RuntimeError):
            torch.nn.LinearCrossEntropyLoss(2, 3, **kt)
        with pytest.raises(RuntimeError, match="LinearCrossEntropyLoss"):
            mg.nn.LinearCrossEntropyLoss(2, 3, **km)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.3, "ignore_index": 2},
                                {"weight": True, "label_smoothing": 0.1}], ids=repr)
def test_cpu_fast_path_equals_the_reference(dtype, kw):
    """minigrad/cpu/linear_cross_entropy.py against the per-block autograd reference it
    replaces (ops/linear_cross_entropy_chunked.py), loss sum and every gradient."""
    from minigrad.cpu import linear_cross_entropy as cpu_lce
    from minigrad.ops import linear_cross_entropy_chunked as chunked
    rng = np.random.default_rng()
    x, W, b, t = _inputs(rng, n=11, d=5, C=9)
    x, W, b = (a.astype(dtype) for a in (x, W, b))
    weight = mg.tensor(rng.uniform(0.2, 2.0, 9).astype(dtype)) if kw.get("weight") else None
    blocks = [slice(0, 4), slice(4, 8), slice(8, 11)]
    plan = chunked.Plan(mg.tensor(t), weight, kw.get("ignore_index", -100),
                        kw.get("label_smoothing", 0.0), "sum", blocks, 1.0)
    for need in ([True, True, True], [False, True, False], [False, False, False]):
        fast = cpu_lce.forward_backward(x, None, W, b, plan, need)
        ref = chunked._sum_and_grads(x, None, W, b, plan, need)
        tol = 1e-5 if dtype == "float32" else 1e-12
        np.testing.assert_allclose(fast[0], ref[0], rtol=tol)
        for f, r in zip(fast[1], ref[1]):
            assert (f is None) == (r is None)
            if f is not None:
                assert f.dtype == r.dtype == np.dtype(dtype)
                np.testing.assert_allclose(f, r, rtol=tol, atol=tol)
    assert cpu_lce.forward_backward(x.astype(np.float16), None, W.astype(np.float16), None,
                                    plan, [True] * 3) is None      # not covered: the reference


def test_class_weight_dtype_must_be_the_inputs():
    """(torch's reference path raises "expected scalar type Float but found Double" from its
    cross_entropy kernel; the bad-argument sweep compares the two)"""
    x, W, t = mg.zeros(3, 4), mg.zeros(5, 4), mg.tensor([0, 1, 2])
    for options in (None, Options()):
        with pytest.raises(RuntimeError, match="linear_cross_entropy: expected scalar type"):
            F.linear_cross_entropy(x, W, t, weight=mg.ones(5, dtype=mg.float64),
                                   options=options)
