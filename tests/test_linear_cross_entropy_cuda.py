"""The CUDA fast path of the chunked linear_cross_entropy (minigrad/cuda/linear_cross_entropy.py:
cuBLAS block products around kernels/linear_cross_entropy.cu), on the CPU emulator (`device`
"emu": the real kernels, cupy.cublas.gemm done by NumPy in tests/cuda_emu/harness.py) and on a
GPU.

Emulator: forward_backward's loss sum and dx, dW, db against torch 2.13 in float64 (both
F.linear_cross_entropy and cross_entropy(linear(...)), which must agree) and against the CPU
fast path in the same dtype, for class weights, ignore_index (a real class; every row ignored
too), label smoothing, bias or none, blocks smaller than N and not dividing it, C of no vector
width, every subset of the gradients, float32 and float64; two runs give the same bits; the
teaching kernel; the op itself (options given, mean and sum) through its one-line hand-off.
GPU: F.linear_cross_entropy(..., options=...) forward and backward on CUDA tensors against the
same on the CPU and against torch.
"""
from __future__ import annotations

import numpy as np
import pytest
from conftest import devices
from kernel_check import dev, emu_kernel
from kernel_check import poison  # noqa: F401  (autouse: NaN-filled kernel outputs)

import minigrad as mg
from minigrad.cpu import linear_cross_entropy as cpu_lce
from minigrad.cuda import linear_cross_entropy as lce
from minigrad.ops import linear_cross_entropy_chunked as chunked

torch = pytest.importorskip("torch")
TF = torch.nn.functional
F = mg.nn.functional
IGNORE = 2                      # a real class: its rows must still be left out

# (n, d, C, rows per block): blocks smaller than n and not dividing it; C prime (no 16-byte
# vector width divides it, rows start at every alignment) over several packs per thread; C
# below one vector
SHAPES = [(13, 6, 37, 5), (7, 5, 1031, 7), (9, 4, 3, 2)]
CASES = [{}, {"bias": False}, {"weight": True}, {"ignore": True}, {"eps": 0.2},
         {"ignore": True, "eps": 0.3, "bias": False},
         {"weight": True, "ignore": True, "eps": 0.1}]


def _case(rng, n, d, C, dtype, bias=True, weight=False, ignore=False, eps=0.0):
    x = rng.standard_normal((n, d)).astype(dtype)
    W = (2 * rng.standard_normal((C, d))).astype(dtype)     # logits of a few units
    b = rng.standard_normal(C).astype(dtype) if bias else None
    t = rng.integers(0, C, n)
    if ignore:
        t[rng.permutation(n)[:max(1, n // 3)]] = IGNORE
    w = rng.uniform(0.2, 2.0, C).astype(dtype) if weight else None
    return x, W, b, t, w, eps


def _plan(t, w, eps, n, block):
    blocks = [slice(s, min(s + block, n)) for s in range(0, n, block)]
    return chunked.Plan(mg.tensor(t), None if w is None else mg.tensor(w), IGNORE, eps, "sum",
                        blocks, 1.0)


def _torch(x, W, b, t, w, eps):
    """The loss sum and its (dx, dW, db) in float64, from torch's linear_cross_entropy; checked
    against cross_entropy(linear(...))."""
    results = []
    for fused in (True, False):
        leaves = [None if a is None else torch.tensor(a, dtype=torch.float64, requires_grad=True)
                  for a in (x, W, b)]
        xt, Wt, bt = leaves
        kw = dict(weight=None if w is None else torch.tensor(w, dtype=torch.float64),
                  ignore_index=IGNORE, reduction="sum", label_smoothing=eps)
        tt = torch.tensor(t)
        loss = (TF.linear_cross_entropy(xt, Wt, tt, linear_bias=bt, **kw) if fused
                else TF.cross_entropy(TF.linear(xt, Wt, bt), tt, **kw))
        grads = torch.autograd.grad(loss, [a for a in leaves if a is not None])
        results.append([loss.item()] + [g.numpy() for g in grads] + [None] * (b is None))
    for a, r in zip(*results):
        if a is not None:
            np.testing.assert_allclose(a, r, rtol=1e-12, atol=1e-12)
    return results[0]


def _close(got, want, dtype, what):
    got = np.asarray(got, np.float64)
    scale = max(1.0, float(np.abs(want).max()))
    tol = 2e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale, err_msg=what)


def _check(out, want, need, dtype, cpu=None):
    """forward_backward's (total, [dx, dW, db]) against torch's (loss, dx, dW, db) and the CPU
    path's result `cpu` (same dtype, tighter in float32)."""
    total, grads = out
    assert np.asarray(total).shape == ()
    _close(total, want[0], dtype, "loss sum")
    for k, (g, ref, nd) in enumerate(zip(grads, want[1:], need)):
        if not nd or ref is None:
            assert g is None, f"gradient {k} not asked for"
            continue
        assert g.dtype == np.dtype(dtype) and g.shape == ref.shape
        _close(g, ref, dtype, f"gradient {k}")
    if cpu is not None:
        _close(total, cpu[0], dtype, "loss sum vs the CPU path")
        for g, c in zip(grads, cpu[1]):
            assert (g is None) == (c is None)
            if g is not None:
                _close(g, c, dtype, "gradient vs the CPU path")


def _run(x, W, b, plan, need):
    return lce.forward_backward(dev(x), None, dev(W), None if b is None else dev(b), plan, need)


# ---- the emulator: forward_backward ---------------------------------------------------------
@devices("emu")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("kw", CASES, ids=repr)
def test_matches_torch_and_the_cpu_path(device, dtype, shape, kw):
    n, d, C, block = shape
    x, W, b, t, w, eps = _case(np.random.default_rng(), n, d, C, dtype, **kw)
    plan = _plan(t, w, eps, n, block)
    need = [True, True, b is not None]
    out = _run(x, W, b, plan, need)
    _check(out, _torch(x, W, b, t, w, eps), need, dtype,
           cpu=cpu_lce.forward_backward(x, None, W, b, plan, need))


@devices("emu")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("need", [[True, False, False], [False, True, False],
                                  [False, False, True], [True, False, True],
                                  [False, False, False]], ids=str)
def test_only_the_gradients_asked_for(device, dtype, need):
    x, W, b, t, w, eps = _case(np.random.default_rng(), 11, 5, 29, dtype, weight=True,
                               ignore=True, eps=0.15)
    out = _run(x, W, b, _plan(t, w, eps, 11, 4), need)
    _check(out, _torch(x, W, b, t, w, eps), need, dtype)


@devices("emu")
@pytest.mark.parametrize("eps", [0.0, 0.25])
def test_every_row_ignored_gives_zero_loss_and_gradients(device, eps):
    rng = np.random.default_rng()
    x, W, b, t, w, _ = _case(rng, 6, 4, 10, "float64", weight=True)
    t[:] = IGNORE
    out = _run(x, W, b, _plan(t, w, eps, 6, 4), [True, True, True])
    want = _torch(x, W, b, t, w, eps)
    assert want[0] == 0 and float(out[0]) == 0.0
    for g, ref in zip(out[1], want[1:]):
        assert not ref.any() and not np.asarray(g).any()


@devices("emu")
def test_two_runs_give_the_same_bits(device):
    x, W, b, t, w, eps = _case(np.random.default_rng(), 10, 6, 1031, "float32", weight=True,
                               ignore=True, eps=0.1)
    plan = _plan(t, w, eps, 10, 3)
    runs = [_run(x, W, b, plan, [True, True, True]) for _ in range(2)]
    assert np.asarray(runs[0][0]).tobytes() == np.asarray(runs[1][0]).tobytes()
    for g0, g1 in zip(runs[0][1], runs[1][1]):
        assert np.asarray(g0).tobytes() == np.asarray(g1).tobytes()


@devices("emu")
def test_cases_it_does_not_cover_return_none(device):
    rng = np.random.default_rng()
    x, W, b, t, w, eps = _case(rng, 4, 3, 5, "float32")
    plan = _plan(t, w, eps, 4, 4)
    f16 = [a.astype(np.float16) for a in (x, W, b)]
    assert lce.forward_backward(dev(f16[0]), None, dev(f16[1]), dev(f16[2]), plan,
                                [True] * 3) is None
    probs = dev(rng.dirichlet(np.ones(5), 4).astype(np.float32))
    assert lce.forward_backward(dev(x), probs, dev(W), dev(b), plan, [True] * 3) is None
    W3 = dev(np.stack([W, W], 1))                                   # K-dimensional weight
    assert lce.forward_backward(dev(x), None, W3, None, plan, [True] * 3) is None


# ---- the emulator: the teaching kernel -------------------------------------------------------
@devices("emu")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", [{}, {"weight": True, "ignore": True, "eps": 0.2}], ids=repr)
def test_teaching_kernel(device, dtype, kw):
    # lce_naive_fwd_grad launched directly on logits z (33 rows: grid-stride over 32 threads):
    # the row losses and dz (written over z) against torch's per-row loss and d(sum)/d logits
    k = emu_kernel(lce.STEM, lce.teaching_names(dtype)[0])
    rng = np.random.default_rng()
    for C in (1, 31, 1031):
        _, _, b, t, w, eps = _case(rng, 33, 1, C, dtype, **kw)
        z = (3 * rng.standard_normal((33, C))).astype(dtype)
        zd, loss = dev(z), dev(np.full(33, np.nan, dtype))
        k((1,), (32,), (zd, dev(b), dev(t), lce.NULL if w is None else dev(w),
                        np.dtype(dtype).type(eps), np.int64(IGNORE), np.int64(33), np.int32(C),
                        loss))
        logits = torch.tensor(z + b, dtype=torch.float64, requires_grad=True)
        rows = TF.cross_entropy(logits, torch.tensor(t), ignore_index=IGNORE,
                                weight=None if w is None else torch.tensor(w, dtype=torch.float64),
                                reduction="none", label_smoothing=eps)
        rows.sum().backward()
        _close(loss, rows.detach().numpy(), dtype, f"row losses, C={C}")
        _close(zd, logits.grad.numpy(), dtype, f"dz, C={C}")


# ---- the emulator: the op, through fastpath.run ----------------------------------------------
@devices("emu")
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("kw", [{"weight": True, "ignore": True, "eps": 0.1},
                                {"ignore": True, "bias": False}], ids=repr)
def test_the_op_takes_the_cuda_path(device, launched, monkeypatch, reduction, kw):
    calls = []
    real = lce.forward_backward
    monkeypatch.setattr(lce, "forward_backward",
                        lambda *a: calls.append(1) or real(*a))
    x, W, b, t, w, eps = _case(np.random.default_rng(), 10, 4, 19, "float64", **kw)

    def leaf(a):
        return None if a is None else mg.Tensor._make(dev(a)).requires_grad_()
    xm, Wm, bm = leaf(x), leaf(W), leaf(b)
    loss = F.linear_cross_entropy(
        xm, Wm, mg.Tensor._make(dev(t)), linear_bias=bm,
        weight=None if w is None else mg.Tensor._make(dev(w)), reduction=reduction,
        ignore_index=IGNORE, label_smoothing=eps,
        options=mg.nn.LinearCrossEntropyOptions(batch_chunk_size=4))
    loss.backward()
    assert calls, "the CUDA fast path was not called"
    leaves = [torch.tensor(a, requires_grad=True) if a is not None else None for a in (x, W, b)]
    want = TF.linear_cross_entropy(
        leaves[0], leaves[1], torch.tensor(t), linear_bias=leaves[2],
        weight=None if w is None else torch.tensor(w), reduction=reduction, ignore_index=IGNORE,
        label_smoothing=eps)
    want.backward()
    _close(loss.detach().data, want.item(), "float64", "loss")
    for m, tt in zip((xm, Wm, bm), leaves):
        if m is not None:
            _close(m.grad.data, tt.grad.numpy(), "float64", "gradient")


# ---- a real GPU ------------------------------------------------------------------------------
@pytest.mark.cuda
@pytest.mark.skipif(not mg.cuda.is_available(), reason="no CUDA GPU")
class TestOnGPU:
    """F.linear_cross_entropy with options on CUDA tensors (the fast path) against the same on
    the CPU (its fast path) and torch in float64."""

    @pytest.mark.parametrize("dtype", ["float32", "float64"])
    @pytest.mark.parametrize("reduction", ["mean", "sum"])
    @pytest.mark.parametrize("kw", [{}, {"weight": True, "ignore": True, "eps": 0.1},
                                    {"bias": False, "ignore": True}], ids=repr)
    def test_op_matches_cpu_and_torch(self, monkeypatch, dtype, reduction, kw):
        calls = []
        real = lce.forward_backward
        monkeypatch.setattr(lce, "forward_backward",
                            lambda *a: calls.append(real(*a)) or calls[-1])
        x, W, b, t, w, eps = _case(np.random.default_rng(), 300, 64, 5003, dtype, **kw)
        results = {}
        for device in ("cuda", "cpu"):
            leaves = [None if a is None else mg.tensor(a, device=device, requires_grad=True)
                      for a in (x, W, b)]
            loss = F.linear_cross_entropy(
                leaves[0], leaves[1], mg.tensor(t, device=device), linear_bias=leaves[2],
                weight=None if w is None else mg.tensor(w, device=device), reduction=reduction,
                ignore_index=IGNORE, label_smoothing=eps,
                options=mg.nn.LinearCrossEntropyOptions(batch_chunk_size=128))
            loss.backward()
            results[device] = [loss.detach().cpu().numpy()] + [
                a.grad.cpu().numpy() for a in leaves if a is not None]
        assert calls and calls[0] is not None, "the CUDA fast path did not run"
        tl = [None if a is None else torch.tensor(a, dtype=torch.float64, requires_grad=True)
              for a in (x, W, b)]
        want = TF.linear_cross_entropy(
            tl[0], tl[1], torch.tensor(t), linear_bias=tl[2],
            weight=None if w is None else torch.tensor(w, dtype=torch.float64),
            reduction=reduction, ignore_index=IGNORE, label_smoothing=eps)
        want.backward()
        want = [want.detach().numpy()] + [a.grad.numpy() for a in tl if a is not None]
        tol = 1e-4 if dtype == "float32" else 1e-10      # d = 64 products, C = 5003 sums
        for g, c, r in zip(results["cuda"], results["cpu"], want):
            scale = max(1.0, float(np.abs(r).max()))
            np.testing.assert_allclose(g, r, rtol=tol, atol=tol * scale)
            np.testing.assert_allclose(g, c, rtol=tol, atol=tol * scale)

    def test_two_runs_give_the_same_bits(self):
        x, W, b, t, w, eps = _case(np.random.default_rng(), 257, 32, 4099, "float32",
                                   weight=True, ignore=True, eps=0.1)
        runs = []
        for _ in range(2):
            leaves = [mg.tensor(a, device="cuda", requires_grad=True) for a in (x, W, b)]
            loss = F.linear_cross_entropy(
                leaves[0], leaves[1], mg.tensor(t, device="cuda"), linear_bias=leaves[2],
                weight=mg.tensor(w, device="cuda"), ignore_index=IGNORE, label_smoothing=eps,
                options=mg.nn.LinearCrossEntropyOptions(batch_chunk_size=64))
            loss.backward()
            runs.append([loss.detach().cpu().numpy().tobytes()]
                        + [a.grad.cpu().numpy().tobytes() for a in leaves])
        assert runs[0] == runs[1]
