"""GPU tests of kernels/*.cu: every kernel against a float64 NumPy reference (and torch on CUDA
when present), on irregular shapes, every dim, extreme values and every cross-entropy option.
Outputs are NaN-poisoned before each launch, so an element a kernel forgets to write fails.
Skipped without a GPU (mg.cuda.is_available() False).
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import backend
from minigrad.cuda import cross_entropy as ce
from minigrad.cuda import loader
from minigrad.cuda import reduce as red
from minigrad.cuda import softmax as sm

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not mg.cuda.is_available(), reason="no CUDA GPU")]
try:
    import torch
    HAS_TORCH_CUDA = torch.cuda.is_available()
except ImportError:
    torch, HAS_TORCH_CUDA = None, False

COLS = [1, 31, 32, 33, 1023, 1025, 4097, 100000]
TOL = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12}


@pytest.fixture(autouse=True)
def poison():
    loader.poison_outputs = True
    yield
    loader.poison_outputs = False


def cp():
    return backend.cupy_module()


def close(got, want, dtype, what="", tol_scale=1.0):
    got = cp().asnumpy(got).astype(np.float64) if not isinstance(got, np.ndarray) else got
    tol = TOL[str(np.dtype(dtype))] * tol_scale
    assert np.array_equal(np.isnan(got), np.isnan(want)), f"{what}: NaN pattern differs"
    inf = np.isinf(want)
    assert np.array_equal(got[inf], want[inf]), f"{what}: infinities differ"
    ok = np.isfinite(want)
    err = np.abs(got[ok] - want[ok])
    scale = np.maximum(np.abs(want[ok]), 1.0)
    assert err.size == 0 or (err / scale).max() <= 10 * tol, f"{what}: max err {err.max()}"


def ref_softmax(x, dim, log):
    x = x.astype(np.float64)
    with np.errstate(all="ignore"):
        m = x.max(axis=dim, keepdims=True)
        e = np.exp(x - m)
        s = e.sum(axis=dim, keepdims=True)
        return x - m - np.log(s) if log else e / s


def ref_softmax_bwd(y, dy, dim, log):
    y, dy = y.astype(np.float64), dy.astype(np.float64)
    if log:
        return dy - np.exp(y) * dy.sum(axis=dim, keepdims=True)
    return y * (dy - (dy * y).sum(axis=dim, keepdims=True))


# ---- softmax ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("cols", COLS)
@pytest.mark.parametrize("log", [False, True])
def test_softmax_rows(dtype, cols, log):
    rng = np.random.default_rng()
    for rows in ([1, 3] if cols >= 4097 else [1, 37, 1000]):
        x = (3 * rng.standard_normal((rows, cols))).astype(dtype)
        out = cp().full(x.shape, np.nan, dtype)
        y = sm.softmax_forward(cp().asarray(x), 1, log=log, out=out)
        assert y is out
        close(y, ref_softmax(x, 1, log), dtype, f"fwd {rows}x{cols}")
        yd = cp().asnumpy(y)
        dy = rng.standard_normal((rows, cols)).astype(dtype)
        dx = sm.softmax_backward(y, cp().asarray(dy), 1, log=log)
        close(dx, ref_softmax_bwd(yd, dy, 1, log), dtype, f"bwd {rows}x{cols}")
        if HAS_TORCH_CUDA and dtype != "float16":
            t = torch.as_tensor(x, device="cuda")
            want = (torch.log_softmax if log else torch.softmax)(t, 1).double().cpu().numpy()
            close(y, want, dtype, "vs torch")


@pytest.mark.parametrize("log", [False, True])
def test_softmax_misaligned_and_every_dim(log):
    rng = np.random.default_rng()
    base = cp().asarray(rng.standard_normal(1 + 9 * 64).astype(np.float32))
    x = base[1:].reshape(9, 64)                     # 4 bytes off a 16-byte boundary: VEC = 1
    close(sm.softmax_forward(x, 1, log), ref_softmax(cp().asnumpy(x), 1, log), "float32")
    for shape in [(3, 5, 7, 64), (4, 100, 2), (2, 1025, 33), (6, 1)]:
        x = rng.standard_normal(shape).astype(np.float32)
        for dim in range(len(shape)):
            y = sm.softmax_forward(cp().asarray(x), dim, log)
            close(y, ref_softmax(x, dim, log), "float32", f"{shape} dim {dim}")
            dy = rng.standard_normal(shape).astype(np.float32)
            dx = sm.softmax_backward(y, cp().asarray(dy), dim, log)
            close(dx, ref_softmax_bwd(cp().asnumpy(y), dy, dim, log), "float32", f"bwd {dim}")


def extreme_logits(rows, cols):
    """float32 rows of large logits (scale 1e4), rows 1-4 holding the special values."""
    x = (1e4 * np.random.default_rng().standard_normal((rows, cols))).astype(np.float32)
    x[1, :] = -np.inf                               # all -inf: NaN, as torch and NumPy
    x[2, 0] = np.inf                                # +inf: NaN row
    x[3, ::2] = -np.inf                             # some -inf: exp gives 0 there
    x[4, cols // 2] = np.nan                        # NaN anywhere: NaN row
    return x


@pytest.mark.parametrize("cols", [5, 33, 4097, 100000])
def test_softmax_extreme_logits(cols):
    x = extreme_logits(6, cols)
    for log in (False, True):
        y = sm.softmax_forward(cp().asarray(x), 1, log)
        close(y, ref_softmax(x, 1, log), "float32", f"extreme log={log}")


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_op_kernels_on_off_and_grads(fn):
    rng = np.random.default_rng()
    f = getattr(mg.nn.functional, fn)
    for shape, dim in [((37, 1025), 1), ((4, 33, 9), 1), ((5, 4097), -1), ((8, 3), 0)]:
        a, g = rng.standard_normal(shape), rng.standard_normal(shape)
        res = []
        for on in (True, False):
            with mg.cuda.use_kernels(on):
                x = mg.tensor(a, device="cuda", requires_grad=True)
                y = f(x, dim)
                y.backward(mg.tensor(g, device="cuda"))
                res.append((y.detach().numpy(), x.grad.numpy()))
        np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-9, atol=1e-12)
        if torch is not None:
            t = torch.tensor(a, requires_grad=True)
            ty = getattr(torch, fn)(t, dim)
            ty.backward(torch.tensor(g))
            np.testing.assert_allclose(res[0][0], ty.detach().numpy(), rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(res[0][1], t.grad.numpy(), rtol=1e-8, atol=1e-12)


# ---- reductions ------------------------------------------------------------------------------
REF = {"sum": lambda x, d: x.sum(axis=d, keepdims=True),
       "max": lambda x, d: x.max(axis=d, keepdims=True),
       "logsumexp": lambda x, d: ref_lse(x, d)}


def ref_lse(x, d):
    with np.errstate(all="ignore"):
        m = x.max(axis=d, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        return np.log(np.exp(x - m).sum(axis=d, keepdims=True)) + m


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("op", ["sum", "max", "logsumexp"])
def test_reduce_shapes_and_dims(dtype, op):
    rng = np.random.default_rng()
    cases = [((n,), (0,)) for n in (1, 3, 4097, 100000)]
    cases += [((7, c), (1,)) for c in COLS] + [((64, 100, 64), (1,)), ((3, 40, 50), (1, 2)),
                                               ((2, 3, 4096), (0, 1, 2)), ((33, 70), (0,))]
    for shape, dims in cases:
        x = rng.standard_normal(shape).astype(dtype)
        got = red.reduce(cp().asarray(x), dims, op)
        if got is None:
            continue
        want = REF[op](x.astype(np.float64), dims)
        tol = TOL[dtype] * (np.sqrt(np.prod([shape[d] for d in dims])) if op == "sum" else 1)
        g = cp().asnumpy(got).astype(np.float64)
        assert g.shape == want.shape
        assert np.all(np.abs(g - want) <= 10 * tol * np.maximum(np.abs(want), 1)), (shape, dims)


def test_reduce_nan_inf_and_determinism():
    rng = np.random.default_rng()
    x = rng.standard_normal((2**22 + 3,)).astype(np.float32)
    xg = cp().asarray(x)
    first = cp().asnumpy(red.reduce(xg, (0,), "sum"))
    for _ in range(5):                              # bitwise identical run after run
        assert cp().asnumpy(red.reduce(xg, (0,), "sum")).tobytes() == first.tobytes()
    assert abs(float(first[0]) - x.astype(np.float64).sum()) <= 1e-6 * np.abs(x).sum()
    y = rng.standard_normal((5, 300)).astype(np.float32)
    y[1, 7], y[2, :] = np.nan, -np.inf
    for op in ("max", "logsumexp"):
        got = cp().asnumpy(red.reduce(cp().asarray(y), (1,), op)).astype(np.float64)
        np.testing.assert_allclose(got, REF[op](y.astype(np.float64), (1,)), rtol=1e-6)


@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_ladder(version):
    x = np.random.default_rng().standard_normal(1_000_003).astype(np.float32)
    got = float(red.ladder_sum(cp().asarray(x), version))
    assert abs(got - x.astype(np.float64).sum()) <= 1e-5 * np.abs(x).sum()


def test_reduce_ops_match_plain_path():
    rng = np.random.default_rng()
    a = rng.standard_normal((6, 1025, 3))
    for fn in (lambda t: t.sum(1), lambda t: t.amax((1, 2)), lambda t: mg.logsumexp(t, 1),
               lambda t: t.mean()):
        res = []
        for on in (True, False):
            with mg.cuda.use_kernels(on):
                x = mg.tensor(a, device="cuda", requires_grad=True)
                y = fn(x)
                y.sum().backward()
                res.append((y.detach().numpy(), x.grad.numpy()))
        np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12)
        np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12)


# ---- cross-entropy ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n_classes", [1, 3, 33, 1025, 32000])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_every_option(dtype, n_classes, reduction):
    rng = np.random.default_rng()
    rows = 4 if n_classes == 32000 else 97
    x = (4 * rng.standard_normal((rows, n_classes))).astype(dtype)
    t = rng.integers(0, n_classes, rows)
    for weighted in (False, True):
        for eps in (0.0, 0.1):
            for ignore in (-100, 0):
                tt = t.copy()
                tt[rng.random(rows) < 0.1] = ignore
                w = rng.random(n_classes).astype(dtype) + 0.5 if weighted else None
                kw = {"ignore_index": ignore, "reduction": reduction, "label_smoothing": eps}
                outs = []
                g = np.asarray(rng.standard_normal(rows if reduction == "none" else ()))
                for dev in ("cpu", "cuda"):
                    xm = mg.tensor(x, device=dev, requires_grad=True)
                    wm = None if w is None else mg.tensor(w, device=dev)
                    loss = mg.nn.functional.cross_entropy(xm, mg.tensor(tt, device=dev),
                                                          weight=wm, **kw)
                    loss.backward(mg.tensor(g.astype(dtype), device=dev))
                    outs.append((loss.detach().numpy().astype(np.float64), xm.grad.numpy()))
                what = f"C={n_classes} w={weighted} eps={eps} ignore={ignore}"
                close(outs[1][0], outs[0][0], dtype, "loss " + what)
                close(outs[1][1], outs[0][1].astype(np.float64), dtype, "grad " + what)


@pytest.mark.parametrize("n_classes", [7, 1000, 32000, 60000])   # 60000: too big to stage
def test_cross_entropy_gradient_written_by_the_forward(n_classes):
    """Training (input requires grad): ce_fwd_grad writes the g = 1 gradient in the forward;
    backward returns it (g == 1) or scales it; a retained second backward recomputes."""
    rng = np.random.default_rng()
    x = (3 * rng.standard_normal((9, n_classes))).astype(np.float32)
    t = rng.integers(0, n_classes, 9)
    t[2] = -100
    res = {}
    for on in (True, False):
        with mg.cuda.use_kernels(on):
            xm = mg.tensor(x, device="cuda", requires_grad=True)
            loss = mg.nn.functional.cross_entropy(xm, mg.tensor(t, device="cuda"),
                                                  label_smoothing=0.05)
            loss.backward(retain_graph=True)                     # g == 1
            first = xm.grad.numpy().copy()
            (loss * 2.5).backward()                              # g = 2.5, accumulated
            res[on] = (loss.detach().numpy(), first, xm.grad.numpy())
    for a, b in zip(res[True], res[False]):
        close(a, b.astype(np.float64), "float32", "fused vs plain CuPy")
    close(res[True][2], 3.5 * res[True][1].astype(np.float64), "float32", "accumulated")
    if HAS_TORCH_CUDA:
        tx = torch.tensor(x, device="cuda", requires_grad=True)
        tl = torch.nn.functional.cross_entropy(tx, torch.tensor(t, device="cuda"),
                                               label_smoothing=0.05)
        tl.backward()
        close(res[True][1], tx.grad.double().cpu().numpy(), "float32", "vs torch")


def test_cross_entropy_launcher_poisoned_and_errors():
    rng = np.random.default_rng()
    x = cp().asarray(rng.standard_normal((50, 1000)).astype(np.float32))
    t = cp().asarray(rng.integers(0, 1000, 50))
    loss, stats, total = ce.forward(x, t)
    want = ref_lse(cp().asnumpy(x).astype(np.float64), (1,))[:, 0]
    st = cp().asnumpy(stats).astype(np.float64)
    np.testing.assert_allclose(st[0] + np.log(st[1]), want, rtol=1e-6)
    assert float(total[0]) == 50
    dx = ce.backward(x, t, None, -100, 0.0, "mean", stats, total, cp().ones((), np.float32),
                     out=cp().full(x.shape, np.nan, np.float32))
    p = np.exp(cp().asnumpy(x).astype(np.float64) - want[:, None])
    p[np.arange(50), cp().asnumpy(t)] -= 1
    np.testing.assert_allclose(cp().asnumpy(dx), p / 50, rtol=1e-5, atol=1e-8)
    t[3] = 1000
    with pytest.raises(IndexError, match="target 1000 is out of bounds"):
        ce.forward(x, t)
    with pytest.raises(IndexError, match="out of bounds"):
        mg.nn.functional.cross_entropy(mg.tensor(x), mg.tensor(t))
    all_ignored = cp().full((50,), -100)
    loss = mg.nn.functional.cross_entropy(mg.tensor(x), mg.tensor(all_ignored))
    assert np.isnan(loss.item())                   # 0 / 0, as the CPU path and torch


def test_cupy_array_before_anything_loaded_cupy():
    """A CuPy array can be minigrad's first contact with CuPy (fresh process)."""
    import subprocess
    import sys
    code = ("import cupy, minigrad as mg\n"
            "t = mg.tensor(cupy.arange(3.0), requires_grad=True)\n"
            "assert t.device.type == 'cuda', t.device\n"
            "u = mg.Tensor._make(cupy.ones(2))\n"
            "assert u.device.type == 'cuda', u.device\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
