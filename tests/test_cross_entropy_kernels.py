"""cross_entropy's CUDA kernels (kernels/cross_entropy.cu): on a GPU (`device` "cuda") and on
the CPU emulator (`device` "emu", no GPU needed).

GPU: every option against the CPU path (97 rows, 1 to 32000 classes), the gradient the
training forward writes (ce_fwd_grad), the launcher's statistics and errors, and
ce_cluster_fwd_grad, the fused forward that writes the gradient with a long row split over a
thread-block cluster (sm_90+; skipped on GPUs without clusters): forced on, its loss and g = 1
gradient are compared with minigrad's CPU path in float64 and with the one-block-per-row
kernel, on rows of odd length starting at every 16-byte misalignment. Outputs are NaN-poisoned.
Emulator: the launchers' paths (forward + backward, the gradient-writing forwards) for every
reduction, weights, label smoothing and ignored rows against torch in float64, padded rows of
inf/NaN, the grid-stride loop, bad targets, and the teaching kernel.
The op itself against torch on every device: test_cross_entropy.py.
"""
from __future__ import annotations

import numpy as np
import pytest
from conftest import devices
from kernel_check import (EMU_DTYPES, close, cp, dev, emu_close, emu_kernel, extreme_logits,
                          ref_lse)
from kernel_check import poison  # noqa: F401  (autouse: NaN-filled kernel outputs)

import minigrad as mg
from minigrad.cuda import cross_entropy as ce
from minigrad.cuda import loader

try:
    import torch
    import torch.nn.functional as TF
    HAS_TORCH_CUDA = torch.cuda.is_available()
except ImportError:
    torch, TF, HAS_TORCH_CUDA = None, None, False

needs_clusters = pytest.mark.skipif(not (mg.cuda.is_available() and loader.clusters_available()),
                                    reason="no CUDA GPU with thread-block clusters")


# ---- GPU: every option, the gradient written by the forward, the launcher -------------------
@devices("cuda")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n_classes", [1, 3, 33, 1025, 32000])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_every_option(device, dtype, n_classes, reduction):
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
                for where in ("cpu", "cuda"):
                    xm = mg.tensor(x, device=where, requires_grad=True)
                    wm = None if w is None else mg.tensor(w, device=where)
                    loss = mg.nn.functional.cross_entropy(xm, mg.tensor(tt, device=where),
                                                          weight=wm, **kw)
                    loss.backward(mg.tensor(g.astype(dtype), device=where))
                    outs.append((loss.detach().numpy().astype(np.float64), xm.grad.numpy()))
                what = f"C={n_classes} w={weighted} eps={eps} ignore={ignore}"
                close(outs[1][0], outs[0][0], dtype, "loss " + what)
                close(outs[1][1], outs[0][1].astype(np.float64), dtype, "grad " + what)


@devices("cuda")
@pytest.mark.parametrize("n_classes", [7, 1000, 32000, 60000])   # 60000: too big to stage
def test_cross_entropy_gradient_written_by_the_forward(device, n_classes):
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


@devices("cuda")
def test_cross_entropy_launcher_poisoned_and_errors(device):
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


# ---- GPU: ce_cluster_fwd_grad, a long row over a thread-block cluster (sm_90+) ------------
# just over one 64 KB slice (cluster of 2) .. 8 slices; odd lengths misalign rows
CLUSTER_COLS = {"float32": [16385, 32000, 50257, 65537, 131072],
                "float64": [8193, 32000, 50257, 65536],
                "float16": [32769, 50257, 262144]}


def ref_cpu(x, t, w, ignore, eps, reduction):
    """(loss, gradient for g = 1) from minigrad's CPU path in float64."""
    xm = mg.tensor(x.astype(np.float64), requires_grad=True)
    wm = None if w is None else mg.tensor(w.astype(np.float64))
    loss = mg.nn.functional.cross_entropy(xm, mg.tensor(t), weight=wm, ignore_index=ignore,
                                          label_smoothing=eps, reduction=reduction)
    loss.backward()
    return np.asarray(loss.detach().numpy(), np.float64), xm.grad.numpy()


def run(x, t, w, ignore, eps, reduction, cluster):
    out, stats, total, dx1 = ce.forward(cp().asarray(x), cp().asarray(t),
                                        None if w is None else cp().asarray(w), ignore, eps,
                                        reduction, with_grad=True, cluster=cluster)
    return out, dx1


@devices("cuda")
@needs_clusters
@pytest.mark.parametrize("dtype,cols", [(d, c) for d, cs in CLUSTER_COLS.items() for c in cs])
def test_cluster_matches_cpu_every_option(device, dtype, cols):
    rng = np.random.default_rng()
    rows = 7
    ln = ce.plan_cluster(dtype, rows, cols, True)
    assert ln is not None and ln[0].name in ce.names(dtype), (dtype, cols)
    x = (3 * rng.standard_normal((rows, cols))).astype(dtype)
    t = rng.integers(0, cols, rows)
    for weighted, eps, reduction in ((False, 0.0, "mean"), (True, 0.1, "mean"),
                                     (True, 0.0, "sum"), (False, 0.2, "sum")):
        tt = t.copy()
        tt[3] = -100
        w = (rng.random(cols) + 0.5).astype(dtype) if weighted else None
        want_loss, want_dx = ref_cpu(x, tt, w, -100, eps, reduction)
        what = f"{dtype} C={cols} w={weighted} eps={eps} {reduction}"
        out, dx1 = run(x, tt, w, -100, eps, reduction, cluster=True)
        scale = 10 if dtype == "float16" else 1
        close(out, want_loss, dtype, "loss " + what, tol_scale=scale)
        close(dx1, want_dx, dtype, "grad " + what, tol_scale=scale)
        assert not np.isnan(cp().asnumpy(dx1)).any(), what
        # the one-block-per-row kernel on the same data agrees too
        out0, dx0 = run(x, tt, w, -100, eps, reduction, cluster=False)
        close(out, cp().asnumpy(out0).astype(np.float64), dtype, "vs block " + what, scale)
        close(dx1, cp().asnumpy(dx0).astype(np.float64), dtype, "vs block " + what, scale)


@devices("cuda")
@needs_clusters
def test_cluster_is_dispatched_for_long_rows(device):
    x = cp().zeros((3, 32000), np.float32)
    t = cp().zeros((3,), np.int64)
    assert ce.plan_cluster("float32", 3, 32000, True)[0].name == \
        "ce_cluster_fwd_grad<float,2>"
    assert ce.plan_cluster("float32", 3, 50257, True)[0].name == \
        "ce_cluster_fwd_grad<float,4>"
    assert ce.plan_cluster("float32", 3, 16384, True) is None        # one slice: block kernel
    assert ce.plan_cluster("float32", 3, 32000, False) is None       # x, dx alignments differ
    assert ce.plan_cluster("float32", 3, 131073, True)[1] == 65536   # 32768 packs + 1 scalar
    assert ce.plan_cluster("float32", 3, 131080, True) is None       # beyond 8 slices
    loss, _, _, dx = ce.forward(x, t, with_grad=True)               # auto: the cluster kernel
    np.testing.assert_allclose(float(loss), np.log(32000), rtol=1e-6)
    want = np.full((3, 32000), 1 / 32000 / 3)
    want[:, 0] -= 1 / 3
    np.testing.assert_allclose(cp().asnumpy(dx), want, rtol=1e-5, atol=1e-10)


@devices("cuda")
@needs_clusters
def test_cluster_extreme_logits(device):
    """Huge logits, all -inf rows, a -inf half (a whole slice of -inf), +inf and NaN."""
    cols = 40000
    x = extreme_logits(7, cols)
    x[5, : cols // 2] = -np.inf           # block 0's whole slice is -inf, block 1's is finite
    t = np.array([0, 3, 5, 1, 2, cols - 1, 7])
    want_loss, want_dx = ref_cpu(x, t, None, -100, 0.0, "sum")
    out, dx1 = run(x, t, None, -100, 0.0, "sum", cluster=True)
    close(out, want_loss, "float32", "extreme loss", tol_scale=10)
    close(dx1, want_dx, "float32", "extreme grad")


@devices("cuda")
@needs_clusters
def test_cluster_bad_target_raises_after_queueing(device):
    """The big kernel is queued before the target check's verdict arrives; a bad target still
    raises the CPU path's IndexError from the call, and the stream stays usable."""
    rng = np.random.default_rng()
    x = cp().asarray(rng.standard_normal((5, 40000)).astype(np.float32))
    t = cp().asarray(np.array([0, 1, 40000, 2, 3]))
    with pytest.raises(IndexError, match="target 40000 is out of bounds for 40000 classes"):
        ce.forward(x, t, with_grad=True)
    t[2] = 39999
    loss, _, _, dx = ce.forward(x, t, with_grad=True)
    want_loss, want_dx = ref_cpu(cp().asnumpy(x), cp().asnumpy(t), None, -100, 0.0, "mean")
    close(loss, want_loss, "float32", "after the error")
    close(dx, want_dx, "float32", "after the error")


@devices("cuda")
@needs_clusters
def test_cluster_through_the_op_matches_torch(device):
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch without CUDA")
    rng = np.random.default_rng()
    x = rng.standard_normal((6, 50257)).astype(np.float32)
    t = rng.integers(0, 50257, 6)
    xm = mg.tensor(x, device="cuda", requires_grad=True)
    loss = mg.nn.functional.cross_entropy(xm, mg.tensor(t, device="cuda"), label_smoothing=0.1)
    loss.backward()
    tx = torch.tensor(x, device="cuda", requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tx, torch.tensor(t, device="cuda"),
                                           label_smoothing=0.1)
    tl.backward()
    close(loss.detach().numpy(), np.float64(tl.item()), "float32", "loss vs torch")
    close(xm.grad.numpy(), tx.grad.double().cpu().numpy(), "float32", "grad vs torch")


# ---- emulator: every path of the launchers, the teaching kernel -----------------------------
CE_CASES = [  # (rows, C, weighted, eps, ignored rows, dtype)
    (5, 1, False, 0.0, 0, "float32"), (6, 3, True, 0.1, 1, "float32"),
    (4, 33, False, 0.1, 2, "float32"), (3, 100, True, 0.0, 1, "float32"),
    (2, 1000, True, 0.2, 0, "float32"), (3, 8, False, 0.0, 3, "float32"),
    (4, 10, True, 0.1, 1, "float64"), (3, 64, False, 0.0, 0, "float64")]

FWD_GRAD_PATHS = {"fwd_grad": {"stage": False}, "fwd_grad-staged": {"stage": True},
                  "fwd_grad-warp": {"warp": True}}      # ce_fwd_grad, staged, ce_warp_fwd_grad


@devices("emu")
@pytest.mark.parametrize("path", ["fwd+bwd", *FWD_GRAD_PATHS])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", CE_CASES, ids=str)
def test_cross_entropy_every_path(device, case, reduction, path):
    rows, C, weighted, eps, n_ign, dtype = case
    rng = np.random.default_rng()
    x = (rng.standard_normal((rows, C)) * 3).astype(dtype)
    t = rng.integers(0, C, rows)
    t[rng.permutation(rows)[:n_ign]] = -7                 # ignore_index = -7
    w = rng.uniform(0.2, 2.0, C).astype(dtype) if weighted else None
    g = rng.standard_normal(rows if reduction == "none" else ()).astype(dtype)
    # float64 torch reference (loss and dlogits)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tw = None if w is None else torch.tensor(w, dtype=torch.float64)
    tl = TF.cross_entropy(tx, torch.tensor(t), weight=tw, ignore_index=-7,
                          label_smoothing=eps, reduction=reduction)
    tl.backward(torch.tensor(g, dtype=torch.float64))
    if path != "fwd+bwd":          # ce_fwd_grad: the gradient for g = 1 written by the forward
        if reduction == "none":
            pytest.skip("ce_fwd_grad serves mean and sum")
        for unit in (True, False):   # finish_grad returns dx1 as it is for g == 1, else scales
            out, stats, total, dx1 = ce.forward(dev(x), dev(t), None if w is None else dev(w),
                                                -7, eps, reduction, with_grad=True,
                                                **FWD_GRAD_PATHS[path])
            emu_close(out, tl.detach().numpy(), dtype, scale=10)
            gg = np.ones((), dtype) if unit else g
            emu_close(ce.finish_grad(dx1, dev(gg)), tx.grad.numpy() / g * gg, dtype)
        return
    out, stats, total = ce.forward(dev(x), dev(t), None if w is None else dev(w), -7, eps,
                                   reduction)
    emu_close(out, tl.detach().numpy(), dtype, scale=10)
    dx = ce.backward(dev(x), dev(t), None if w is None else dev(w), -7, eps, reduction,
                     stats, total, dev(g))
    emu_close(dx, tx.grad.numpy(), dtype)


@devices("emu")
@pytest.mark.parametrize("path", ["fwd+bwd", *FWD_GRAD_PATHS])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_cross_entropy_ignored_rows_with_inf_or_nan(device, path, reduction, eps):
    """Ignored rows of inf/-inf/NaN logits (padding) are left out of the loss, as torch; their
    gradient rows are NaN where torch's are."""
    if path != "fwd+bwd" and reduction == "none":
        pytest.skip("ce_fwd_grad serves mean and sum")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 40)).astype("float32")
    x[1] = -np.inf
    x[3, 5], x[3, 9] = np.inf, np.nan
    t = rng.integers(0, 40, 6)
    t[[1, 3]] = -7
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tl = TF.cross_entropy(tx, torch.tensor(t), ignore_index=-7, label_smoothing=eps,
                          reduction=reduction)
    tl.backward(torch.ones_like(tl))
    if path == "fwd+bwd":
        out, stats, total = ce.forward(dev(x), dev(t), None, -7, eps, reduction)
        g = np.ones(6 if reduction == "none" else (), "float32")
        dx = ce.backward(dev(x), dev(t), None, -7, eps, reduction, stats, total, dev(g))
    else:
        out, _, _, dx = ce.forward(dev(x), dev(t), None, -7, eps, reduction, with_grad=True,
                                   **FWD_GRAD_PATHS[path])
    assert np.all(np.isfinite(np.asarray(out, np.float64)))
    emu_close(out, tl.detach().numpy(), "float32", scale=10)
    emu_close(dx, tx.grad.numpy(), "float32")          # equal_nan: NaN rows where torch's are


@devices("emu")
@pytest.mark.parametrize("C,misalign", [(7, False), (1000, False), (132, True)])
def test_cross_entropy_warp_rows_grid_stride(device, C, misalign, monkeypatch):
    """ce_warp_fwd_grad with a grid of 1 block looping over rows (groups of rows, the last
    group partly past the end), 16-byte packs or scalars (misaligned logits)."""
    monkeypatch.setattr(ce, "MAX_GRID", 1)
    rng = np.random.default_rng()
    rows = 37
    x = (rng.standard_normal((rows, C)) * 3).astype(np.float32)
    x[5, ::3] = -np.inf                                  # some -inf: exp gives 0 there
    t = rng.integers(0, C, rows)
    t[4] = -100
    xd = dev(x, misalign=misalign)
    ln = ce.plan_warp(np.float32, rows, C, xd.data.ptr % 16 == 0)
    vec = 4 if C % 4 == 0 and not misalign else 1
    assert ln.grid == 1 and ln.name.startswith(f"ce_warp_fwd_grad<float,{vec},")
    out, _, _, dx1 = ce.forward(xd, dev(t), None, -100, 0.1, "mean", with_grad=True, warp=True)
    tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    tl = TF.cross_entropy(tx, torch.tensor(t), label_smoothing=0.1)
    tl.backward()
    emu_close(out, tl.detach().numpy(), "float32", scale=10)
    emu_close(dx1, tx.grad.numpy(), "float32")


@devices("emu")
def test_cross_entropy_bad_target(device):
    x = np.zeros((2, 4), np.float32)
    with pytest.raises(IndexError, match="target 4 is out of bounds"):
        ce.forward(dev(x), dev(np.array([0, 4])), None, -100, 0.0, "mean")


@devices("emu")
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", EMU_DTYPES)
def test_ce_naive(device, dtype, weighted):
    # the teaching kernel (one thread per row, not dispatched), launched directly, vs torch's
    # per-row loss (reduction 'none') in float64; ignored rows give 0
    name = ce.teaching_names(dtype)[0]
    k = emu_kernel("cross_entropy", name)
    rng = np.random.default_rng()
    for rows in (1, 7, 33):
        for C in (1, 31, 1025):
            x = (rng.standard_normal((rows, C)) * 3).astype(dtype)
            x[-1] *= 1e4                                   # large logits
            t = rng.integers(0, C, rows)
            t[rng.permutation(rows)[:rows // 3]] = -7      # ignore_index = -7
            w = rng.uniform(0.2, 2.0, C).astype(dtype) if weighted else None
            loss = dev(np.full(rows, np.nan, dtype))
            k((1,), (32,), (dev(x), dev(t), ce.NULL if w is None else dev(w), np.int64(-7),
                            np.int64(rows), np.int32(C), loss))   # 33 rows: grid-stride
            tw = None if w is None else torch.tensor(w, dtype=torch.float64)
            want = TF.cross_entropy(torch.tensor(x, dtype=torch.float64), torch.tensor(t),
                                    weight=tw, ignore_index=-7, reduction="none").numpy()
            emu_close(loss, want, dtype, scale=10)
