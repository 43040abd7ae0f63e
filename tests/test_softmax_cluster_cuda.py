"""GPU tests of the thread-block-cluster softmax kernels (softmax_cluster_fwd/bwd in
kernels/softmax.cu) and the dispatch around them: row lengths at each cut-off, irregular
lengths, every dtype, forward and backward, softmax and log_softmax, special values, the
grid-stride loop over rows, and agreement with the non-cluster (online / uncached) kernels.

Outputs are NaN-poisoned before each launch, so an element a kernel forgets to write fails.
Skipped without a GPU; the cluster-specific checks are skipped on GPUs without clusters
(compute capability < 9.0), where the dispatch must never pick them.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.cuda import loader
from minigrad.cuda import softmax as sm
from test_kernels_cuda import close, cp, extreme_logits, poison  # noqa: F401  (poison: autouse)
from test_kernels_cuda import ref_softmax as ref_softmax_dim
from test_kernels_cuda import ref_softmax_bwd as ref_softmax_bwd_dim

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not mg.cuda.is_available(), reason="no CUDA GPU")]
try:
    import torch
    HAS_TORCH_CUDA = torch.cuda.is_available()
except ImportError:
    torch, HAS_TORCH_CUDA = None, False

DTYPES = ["float32", "float64", "float16"]
# each dispatch boundary (block -> cluster, cluster size 2 -> 4 -> 8, values per thread 16 ->
# 32, cluster -> online/uncached) for float32, float64 and float16, plus irregular lengths
COLS = [4096, 4097, 8192, 16384, 16385, 32768, 32769, 65536, 65537, 100000, 131072, 131073,
        262144, 262147]


def has_clusters():
    return sm.clusters_available()


def bwd_scale(cols):
    return max(1.0, np.sqrt(cols) / 64)


def ref_softmax(x, log):
    return ref_softmax_dim(x, 1, log)


def ref_softmax_bwd(y, dy, log):
    return ref_softmax_bwd_dim(y, dy, 1, log)


def kernel_name(kind, dtype, x, log):
    aligned = x.data.ptr % 16 == 0
    return sm.plan(kind, dtype, x.shape, x.ndim - 1, log, aligned, has_clusters())[1].name


def test_dispatch_uses_clusters_only_where_available():
    cc = int(cp().cuda.Device().compute_capability)
    assert has_clusters() == (cc >= 90)
    for kind, cols in (("fwd", 131072), ("fwd", 262144), ("bwd", 32768), ("bwd", 131072)):
        name = sm.plan_rows(kind, "float32", 64, cols, False, 4, has_clusters()).name
        assert ("cluster" in name) == (cc >= 90), name
        if cc >= 90:
            assert name in sm.names("float32", kind, True)
    if cc >= 90:
        ln = sm.plan_rows("fwd", "float32", 64, 131072, True, 4, True)
        # 4096 packs per block: 4 per thread (256 threads) in registers, 3072 in shared memory
        assert ln.name == "softmax_cluster_smem_fwd<float,4,8,true>" and ln.smem == 49152


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cols", COLS)
@pytest.mark.parametrize("log", [False, True])
def test_long_rows(dtype, cols, log):
    rng = np.random.default_rng()
    x = (3 * rng.standard_normal((3, cols))).astype(dtype)
    xd = cp().asarray(x)
    out = loader.empty(x.shape, dtype)
    y = sm.softmax_forward(xd, 1, log=log, out=out)
    assert y is out
    what = f"{kernel_name('fwd', dtype, xd, log)} {cols}"
    close(y, ref_softmax(x, log), dtype, f"fwd {what}")
    yd = cp().asnumpy(y)
    dy = rng.standard_normal((3, cols)).astype(dtype)
    dyd = cp().asarray(dy)
    dx = sm.softmax_backward(y, dyd, 1, log=log)
    what = f"{kernel_name('bwd', dtype, y, log)} {cols}"
    # the row sum accumulates rounding over `cols` terms (the old uncached kernel too)
    close(dx, ref_softmax_bwd(yd, dy, log), dtype, f"bwd {what}", bwd_scale(cols))
    if HAS_TORCH_CUDA:
        tx = torch.from_dlpack(xd)
        want = (torch.log_softmax if log else torch.softmax)(tx, 1)
        close(y, want.double().cpu().numpy(), dtype, f"fwd vs torch {what}")
        bwd = torch._log_softmax_backward_data if log else torch._softmax_backward_data
        tdx = bwd(torch.from_dlpack(dyd), torch.from_dlpack(y), 1, tx.dtype)
        close(dx, tdx.double().cpu().numpy(), dtype, f"bwd vs torch {what}", bwd_scale(cols))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("cols", [16385, 32769, 65536, 100000, 131072, 262144])
@pytest.mark.parametrize("log", [False, True])
def test_register_cluster_forward(dtype, cols, log, monkeypatch):
    # the forward with the slices in registers (the shared-memory kernel switched off)
    sm.names(dtype, "fwd", True)                    # cache the full compile group first
    monkeypatch.setattr(sm, "plan_cluster_smem", lambda *a: None)
    rng = np.random.default_rng()
    x = (3 * rng.standard_normal((3, cols))).astype(dtype)
    x[1, : cols // 2] = -np.inf                     # leading blocks of the cluster all -inf
    xd = cp().asarray(x)
    name = kernel_name("fwd", dtype, xd, log)
    if has_clusters() and cols <= 8 * 1024 * sm.CLUSTER_CPT["fwd"][dtype] \
            and cols > sm.BLOCK_MAX["fwd"][dtype]:
        assert name.startswith("softmax_cluster_fwd<"), name
    y = sm.softmax_forward(xd, 1, log)
    close(y, ref_softmax(x, log), dtype, f"fwd {name}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cols", [16385, 40000, 131072])
def test_many_rows_grid_stride(dtype, cols, monkeypatch):
    # 1 or 2 clusters loop over 7 rows: the split cluster barrier guards the exchange
    monkeypatch.setattr(sm, "MAX_GRID", 4)
    rng = np.random.default_rng()
    x = (2 * rng.standard_normal((7, cols))).astype(dtype)
    dy = rng.standard_normal((7, cols)).astype(dtype)
    for log in (False, True):
        xd = cp().asarray(x)
        ln = sm.plan("fwd", dtype, x.shape, 1, log, True, has_clusters())[1]
        if "cluster" in ln.name:
            size = int(ln.name.split(",")[-2])       # <..., CLUSTER, LOG>
            assert ln.grid % size == 0 and ln.grid // size <= 2
        y = sm.softmax_forward(xd, 1, log)
        close(y, ref_softmax(x, log), dtype, f"fwd {ln.name}")
        dx = sm.softmax_backward(y, cp().asarray(dy), 1, log)
        close(dx, ref_softmax_bwd(cp().asnumpy(y), dy, log), dtype, "bwd", bwd_scale(cols))


@pytest.mark.parametrize("cols", [32769, 100000, 131072, 131073])
def test_extreme_values(cols):
    rng = np.random.default_rng()
    x = extreme_logits(10, cols)                    # rows 1-4: -inf, +inf, some -inf, NaN
    x[5, :cols * 3 // 4] = -np.inf                  # whole blocks of the cluster all -inf
    x[6, : cols - 1] = -np.inf                      # one finite value, in the last block
    x[7] = 0.0                                      # uniform: every block's max is the row's
    x[8, -1] = np.inf                               # +inf in the last block only
    x[9] = -300.0                                   # all -inf chunks under a row max whose
    x[9, : cols // 2] = -np.inf                     # exp(-max) overflows: 0, not 0 * inf
    for log in (False, True):
        xd = cp().asarray(x)
        y = sm.softmax_forward(xd, 1, log)
        close(y, ref_softmax(x, log), "float32", f"extreme log={log}")
        # backward with a NaN in dy (its row becomes NaN)
        yd = cp().asnumpy(y)
        dy = rng.standard_normal(x.shape).astype(np.float32)
        dy[3, 7] = np.nan
        dx = sm.softmax_backward(y, cp().asarray(dy), 1, log)
        close(dx, ref_softmax_bwd(yd, dy, log), "float32", f"extreme bwd log={log}",
              bwd_scale(cols))


@pytest.mark.parametrize("log", [False, True])
def test_misaligned_and_odd_rows(log):
    rng = np.random.default_rng()
    for cols in (40000, 100001):
        base = cp().asarray(rng.standard_normal(1 + 3 * cols).astype(np.float32))
        x = base[1:].reshape(3, cols)               # 4 bytes off a 16-byte boundary: VEC = 1
        name = sm.plan("fwd", "float32", x.shape, 1, log, False, has_clusters())[1].name
        assert name.split("<")[1].split(",")[1] == "1", name
        y = sm.softmax_forward(x, 1, log)
        close(y, ref_softmax(cp().asnumpy(x), log), "float32", f"misaligned {cols}")
        dyb = cp().asarray(rng.standard_normal(1 + 3 * cols).astype(np.float32))
        dy = dyb[1:].reshape(3, cols)
        dx = sm.softmax_backward(y, dy, 1, log)
        close(dx, ref_softmax_bwd(cp().asnumpy(y), cp().asnumpy(dy), log), "float32",
              f"misaligned bwd {cols}", bwd_scale(cols))


@pytest.mark.parametrize("cols", [32768, 131072])
def test_deterministic_and_matches_non_cluster_kernels(cols, monkeypatch):
    if not has_clusters():
        pytest.skip("no thread-block clusters on this GPU")
    rng = np.random.default_rng()
    x = cp().asarray((3 * rng.standard_normal((5, cols))).astype(np.float32))
    dy = cp().asarray(rng.standard_normal((5, cols)).astype(np.float32))
    for log in (False, True):
        y1, y2 = sm.softmax_forward(x, 1, log), sm.softmax_forward(x, 1, log)
        d1, d2 = sm.softmax_backward(y1, dy, 1, log), sm.softmax_backward(y1, dy, 1, log)
        assert bool((y1 == y2).all()) and bool((d1 == d2).all())     # bitwise reproducible
        with monkeypatch.context() as m:
            m.setattr(sm, "clusters_available", lambda: False)
            y0 = sm.softmax_forward(x, 1, log)
            d0 = sm.softmax_backward(y1, dy, 1, log)
        close(y1, cp().asnumpy(y0).astype(np.float64), "float32", "vs online")
        close(d1, cp().asnumpy(d0).astype(np.float64), "float32", "vs uncached",
              bwd_scale(cols))


def test_op_level_grads_long_rows():
    rng = np.random.default_rng()
    a, g = rng.standard_normal((3, 70000)), rng.standard_normal((3, 70000))
    for fn in ("softmax", "log_softmax"):
        f = getattr(mg.nn.functional, fn)
        res = []
        for on in (True, False):
            with mg.cuda.use_kernels(on):
                x = mg.tensor(a.astype(np.float32), device="cuda", requires_grad=True)
                y = f(x, -1)
                y.backward(mg.tensor(g.astype(np.float32), device="cuda"))
                res.append((y.detach().numpy(), x.grad.numpy()))
        np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-4, atol=1e-7)
