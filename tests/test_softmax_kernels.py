"""softmax / log_softmax's CUDA kernels (kernels/softmax.cu) launched directly: on a GPU
(`device` "cuda") against a float64 NumPy reference and torch on CUDA when present, and on the
CPU emulator (`device` "emu", no GPU needed) through the real dispatch.

GPU: rows of every length around the dispatch cut-offs, every dim, misaligned views, extreme
values, the kernels on and off through the op, and the thread-block-cluster kernels
(softmax_cluster_fwd/bwd, sm_90+; their checks skip on GPUs without clusters, where the
dispatch must never pick them): long rows, the grid-stride loop over rows, and agreement with
the non-cluster (online / uncached) kernels. Outputs are NaN-poisoned before each launch, so an
element a kernel forgets to write fails.
Emulator: each kernel of the dispatch if-chain and the teaching kernel, checking the kernels'
logic and the dispatch -> kernel contract (see tests/cuda_emu/harness.py).
The op itself against torch on every device: test_softmax.py.
"""
from __future__ import annotations

import numpy as np
import pytest
from conftest import devices
from kernel_check import (EMU_DTYPES, close, cp, dev, emu_close, emu_kernel, extreme_logits,
                          ref_softmax, ref_softmax_bwd)
from kernel_check import poison  # noqa: F401  (autouse: NaN-filled kernel outputs)

import minigrad as mg
from minigrad.cuda import loader
from minigrad.cuda import softmax as sm

try:
    import torch
    import torch.nn.functional as TF
    HAS_TORCH_CUDA = torch.cuda.is_available()
except ImportError:
    torch, TF, HAS_TORCH_CUDA = None, None, False

COLS = [1, 31, 32, 33, 1023, 1025, 4097, 100000]


# ---- GPU: rows, every dim, extreme values, the op with kernels on and off -------------------
@devices("cuda")
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("cols", COLS)
@pytest.mark.parametrize("log", [False, True])
def test_softmax_rows(device, dtype, cols, log):
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


@devices("cuda")
@pytest.mark.parametrize("log", [False, True])
def test_softmax_misaligned_and_every_dim(device, log):
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


@devices("cuda")
@pytest.mark.parametrize("cols", [5, 33, 4097, 100000])
def test_softmax_extreme_logits(device, cols):
    x = extreme_logits(6, cols)
    for log in (False, True):
        y = sm.softmax_forward(cp().asarray(x), 1, log)
        close(y, ref_softmax(x, 1, log), "float32", f"extreme log={log}")


@devices("cuda")
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_op_kernels_on_off_and_grads(device, fn):
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


# ---- GPU: the thread-block-cluster kernels (sm_90+) -----------------------------------------
CLUSTER_DTYPES = ["float32", "float64", "float16"]
# each dispatch boundary (block -> cluster, cluster size 2 -> 4 -> 8, values per thread 16 ->
# 32, cluster -> online/uncached) for float32, float64 and float16, plus irregular lengths
CLUSTER_COLS = [4096, 4097, 8192, 16384, 16385, 32768, 32769, 65536, 65537, 100000, 131072,
                131073, 262144, 262147]


def has_clusters():
    return sm.clusters_available()


def bwd_scale(cols):
    return max(1.0, np.sqrt(cols) / 64)


def kernel_name(kind, dtype, x, log):
    aligned = x.data.ptr % 16 == 0
    return sm.plan(kind, dtype, x.shape, x.ndim - 1, log, aligned, has_clusters())[1].name


@devices("cuda")
def test_dispatch_uses_clusters_only_where_available(device):
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


@devices("cuda")
@pytest.mark.parametrize("dtype", CLUSTER_DTYPES)
@pytest.mark.parametrize("cols", CLUSTER_COLS)
@pytest.mark.parametrize("log", [False, True])
def test_long_rows(device, dtype, cols, log):
    rng = np.random.default_rng()
    x = (3 * rng.standard_normal((3, cols))).astype(dtype)
    xd = cp().asarray(x)
    out = loader.empty(x.shape, dtype)
    y = sm.softmax_forward(xd, 1, log=log, out=out)
    assert y is out
    what = f"{kernel_name('fwd', dtype, xd, log)} {cols}"
    close(y, ref_softmax(x, 1, log), dtype, f"fwd {what}")
    yd = cp().asnumpy(y)
    dy = rng.standard_normal((3, cols)).astype(dtype)
    dyd = cp().asarray(dy)
    dx = sm.softmax_backward(y, dyd, 1, log=log)
    what = f"{kernel_name('bwd', dtype, y, log)} {cols}"
    # the row sum accumulates rounding over `cols` terms (the old uncached kernel too)
    close(dx, ref_softmax_bwd(yd, dy, 1, log), dtype, f"bwd {what}", bwd_scale(cols))
    if HAS_TORCH_CUDA:
        tx = torch.from_dlpack(xd)
        want = (torch.log_softmax if log else torch.softmax)(tx, 1)
        close(y, want.double().cpu().numpy(), dtype, f"fwd vs torch {what}")
        bwd = torch._log_softmax_backward_data if log else torch._softmax_backward_data
        tdx = bwd(torch.from_dlpack(dyd), torch.from_dlpack(y), 1, tx.dtype)
        close(dx, tdx.double().cpu().numpy(), dtype, f"bwd vs torch {what}", bwd_scale(cols))


@devices("cuda")
@pytest.mark.parametrize("dtype", CLUSTER_DTYPES)
@pytest.mark.parametrize("cols", [16385, 32769, 65536, 100000, 131072, 262144])
@pytest.mark.parametrize("log", [False, True])
def test_register_cluster_forward(device, dtype, cols, log, monkeypatch):
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
    close(y, ref_softmax(x, 1, log), dtype, f"fwd {name}")


@devices("cuda")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cols", [16385, 40000, 131072])
def test_many_rows_grid_stride(device, dtype, cols, monkeypatch):
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
        close(y, ref_softmax(x, 1, log), dtype, f"fwd {ln.name}")
        dx = sm.softmax_backward(y, cp().asarray(dy), 1, log)
        close(dx, ref_softmax_bwd(cp().asnumpy(y), dy, 1, log), dtype, "bwd", bwd_scale(cols))


@devices("cuda")
@pytest.mark.parametrize("cols", [32769, 100000, 131072, 131073])
def test_extreme_values(device, cols):
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
        close(y, ref_softmax(x, 1, log), "float32", f"extreme log={log}")
        # backward with a NaN in dy (its row becomes NaN)
        yd = cp().asnumpy(y)
        dy = rng.standard_normal(x.shape).astype(np.float32)
        dy[3, 7] = np.nan
        dx = sm.softmax_backward(y, cp().asarray(dy), 1, log)
        close(dx, ref_softmax_bwd(yd, dy, 1, log), "float32", f"extreme bwd log={log}",
              bwd_scale(cols))


@devices("cuda")
@pytest.mark.parametrize("log", [False, True])
def test_misaligned_and_odd_rows(device, log):
    rng = np.random.default_rng()
    for cols in (40000, 100001):
        base = cp().asarray(rng.standard_normal(1 + 3 * cols).astype(np.float32))
        x = base[1:].reshape(3, cols)               # 4 bytes off a 16-byte boundary: VEC = 1
        name = sm.plan("fwd", "float32", x.shape, 1, log, False, has_clusters())[1].name
        assert name.split("<")[1].split(",")[1] == "1", name
        y = sm.softmax_forward(x, 1, log)
        close(y, ref_softmax(cp().asnumpy(x), 1, log), "float32", f"misaligned {cols}")
        dyb = cp().asarray(rng.standard_normal(1 + 3 * cols).astype(np.float32))
        dy = dyb[1:].reshape(3, cols)
        dx = sm.softmax_backward(y, dy, 1, log)
        close(dx, ref_softmax_bwd(cp().asnumpy(y), cp().asnumpy(dy), 1, log), "float32",
              f"misaligned bwd {cols}", bwd_scale(cols))


@devices("cuda")
@pytest.mark.parametrize("cols", [32768, 131072])
def test_deterministic_and_matches_non_cluster_kernels(device, cols, monkeypatch):
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


@devices("cuda")
def test_op_level_grads_long_rows(device):
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


# ---- emulator: every kernel of the dispatch, the teaching kernel ----------------------------
# (shape, dim, misaligned, kernel family the dispatch must pick for float32 fwd, bwd)
SOFTMAX_CASES = [
    ((6, 1), 1, False, "warp", "warp"),            # GROUP = 1
    ((5, 31), 1, False, "warp", "warp"),           # odd row, scalar loads
    ((4, 33), 1, True, "warp", "warp"),            # misaligned view
    ((9, 100), 1, False, "warp", "warp"),          # VEC = 4
    ((2, 2000), 1, False, "warp", "warp"),          # CPT 64: the longest warp rows
    ((2, 3000), 1, False, "block", "block"),
    ((2, 5000), 1, False, "block", "block"),
    ((1, 20000), 1, False, "block", "uncached"),
    ((1, 33000), 1, False, "online", "uncached"),
    ((2, 9, 16), 1, False, "strided", "strided"),  # inner * 4 bytes >= 32
    ((3, 5, 3), 1, False, "warp", "warp"),         # small inner: transpose copy + rows
]


def _softmax_ref(x, dim, log):
    x = x.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        m = x.max(dim, keepdims=True)
        lse = m + np.log(np.exp(x - m).sum(dim, keepdims=True))
        return x - lse if log else np.exp(x - lse)


@devices("emu")
@pytest.mark.parametrize("dtype", EMU_DTYPES)
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("case", SOFTMAX_CASES, ids=lambda c: f"{c[0]}-d{c[1]}")
def test_softmax_every_kernel(device, case, log, dtype):
    shape, dim, misalign, fam_fwd, fam_bwd = case
    if dtype == "float32":       # the cases are chosen to reach each kernel of the if-chain
        for kind, fam in (("fwd", fam_fwd), ("bwd", fam_bwd)):
            name = sm.plan(kind, dtype, shape, dim, log, not misalign)[1].name
            assert name.startswith(f"softmax_{fam}_"), name
    elif shape[dim] > 4000:
        pytest.skip("float64 long rows: same kernels as float32, slow to emulate")
    rng = np.random.default_rng()
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    if shape[dim] > 2 and shape[0] > 1:
        x[0] = -np.inf                            # all -inf row: NaN, as torch
        x[1, 1] = -np.inf                         # one masked entry: 0 (or -inf)
    want = _softmax_ref(x, dim, log)
    y = sm.softmax_forward(dev(x, misalign), dim, log)
    emu_close(y, want, dtype)
    # backward from the float64 forward (rounded to dtype), on finite rows
    yin = np.nan_to_num(want, neginf=-50.0).astype(dtype)
    dy = rng.standard_normal(shape).astype(dtype)
    y64, g64 = yin.astype(np.float64), dy.astype(np.float64)
    dx_want = (g64 - np.exp(y64) * g64.sum(dim, keepdims=True) if log
               else y64 * (g64 - (g64 * y64).sum(dim, keepdims=True)))
    dx = sm.softmax_backward(dev(yin, misalign), dev(dy, misalign), dim, log)
    emu_close(dx, dx_want, dtype, scale=np.sqrt(shape[dim]))


@devices("emu")
@pytest.mark.parametrize("dtype", EMU_DTYPES)
@pytest.mark.parametrize("log", [False, True])
def test_softmax_naive(device, log, dtype):
    # the teaching kernel (one thread per row, not dispatched), launched directly, vs torch
    name = sm.teaching_names(dtype)[log]
    k = emu_kernel("softmax", name)
    rng = np.random.default_rng()
    for rows in (1, 7, 33):
        for cols in (1, 31, 1025):
            x = (rng.standard_normal((rows, cols)) * 3).astype(dtype)
            x[-1] *= 1e4                                   # large logits
            if rows > 1:
                x[0] = -np.inf                             # all -inf row: NaN, as torch
            y = dev(np.zeros_like(x))
            k((1,), (32,), (dev(x), y, np.int64(rows), np.int32(cols)))   # 33 rows: grid-stride
            want = (TF.log_softmax if log else TF.softmax)(torch.from_numpy(x), dim=1).numpy()
            emu_close(y, want, dtype)
