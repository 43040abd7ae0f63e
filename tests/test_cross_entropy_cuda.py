"""GPU tests of ce_cluster_fwd_grad (kernels/cross_entropy.cu): the fused cross-entropy forward
that writes the gradient, with a long row split over a thread-block cluster (sm_90+).

Each case runs the launcher with the cluster kernel forced on and compares the loss and the
g = 1 gradient with minigrad's CPU path in float64 (itself checked against torch by
tests/test_cross_entropy.py) and with the one-block-per-row kernel. Rows of odd length start
at every 16-byte misalignment, so each block's packs and rank 0's head/tail scalars are all
exercised.
Outputs are NaN-poisoned. Skipped without a GPU with clusters (compute capability >= 9.0).
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.cuda import cross_entropy as ce
from minigrad.cuda import loader
from test_kernels_cuda import close, cp, extreme_logits, poison  # noqa: F401  (poison: autouse)

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not (mg.cuda.is_available() and loader.clusters_available()),
                                 reason="no CUDA GPU with thread-block clusters")]

# just over one 64 KB slice (cluster of 2) .. 8 slices; odd lengths misalign rows
COLS = {"float32": [16385, 32000, 50257, 65537, 131072],
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


@pytest.mark.parametrize("dtype,cols", [(d, c) for d, cs in COLS.items() for c in cs])
def test_cluster_matches_cpu_every_option(dtype, cols):
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


def test_cluster_is_dispatched_for_long_rows():
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


def test_cluster_extreme_logits():
    """Huge logits, all -inf rows, a -inf half (a whole slice of -inf), +inf and NaN."""
    cols = 40000
    x = extreme_logits(7, cols)
    x[5, : cols // 2] = -np.inf           # block 0's whole slice is -inf, block 1's is finite
    t = np.array([0, 3, 5, 1, 2, cols - 1, 7])
    want_loss, want_dx = ref_cpu(x, t, None, -100, 0.0, "sum")
    out, dx1 = run(x, t, None, -100, 0.0, "sum", cluster=True)
    close(out, want_loss, "float32", "extreme loss", tol_scale=10)
    close(dx1, want_dx, "float32", "extreme grad")


def test_cluster_bad_target_raises_after_queueing():
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


def test_cluster_through_the_op_matches_torch():
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
