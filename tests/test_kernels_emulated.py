"""The CUDA kernels (kernels/*.cu) run on the CPU under tests/cuda_emu/emu.h, vs float64.

No GPU needed: g++ builds the real sources with an emulator of the CUDA execution model
(threads, warps, shuffles, barriers, shared memory), and the real launchers in
minigrad/cuda/*.py pick kernels and launch shapes on NumPy-backed stand-ins for CuPy arrays.
So these tests check the kernels' logic and the dispatch -> kernel contract (argument types,
launch bounds, grid, shared memory, no writes outside the outputs, every output written:
outputs start as NaN). Speed and float16/bfloat16 numerics are for the GPU tests.
"""
from __future__ import annotations

import concurrent.futures as cf
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from cuda_emu import harness

from minigrad.cuda import attention as ka
from minigrad.cuda import cross_entropy as ce
from minigrad.cuda import reduce as red
from minigrad.cuda import softmax as sm

_PROBLEM = harness.compiler_problem()
if _PROBLEM:
    pytest.skip(f"CUDA emulator unavailable: {_PROBLEM}", allow_module_level=True)

DTYPES = ["float32", "float64"]
TOL = {"float32": (2e-5, 2e-6), "float64": (1e-12, 1e-13)}      # rtol, atol


@pytest.fixture(scope="module", autouse=True)
def emu():
    """Build every compile group these tests use (in parallel), then patch the launchers."""
    groups = [(ka.stem(g[0]), g) for g in ka.groups()]
    for dt in DTYPES:
        # no thread-block clusters here: the launchers see no compute capability and plan
        # with cluster=False, so the cluster kernels (sm_90+) are neither built nor launched
        groups += [("softmax", sm.names(dt, "fwd", False)), ("softmax", sm.names(dt, "bwd", False)),
                   ("reduce", red.names(dt)), ("reduce", red.ladder_names(dt)),
                   ("cross_entropy", ce.names(dt, cluster=False))]
    with cf.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(lambda g: harness.build(*g), groups))
    with harness.patch_launchers() as built:
        yield built


def dev(a, misalign=False):
    """A guarded device copy of a; misalign: starts 1 element past a 16-byte boundary."""
    if not misalign:
        return harness.to_device(a)
    flat = harness.to_device(np.concatenate([np.zeros(1, a.dtype), a.ravel()]))
    return flat[1:].reshape(a.shape)


def close(got, want, dtype, scale=1.0):
    rtol, atol = TOL[str(dtype)]
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=rtol, atol=atol * scale,
                               equal_nan=True)


# ---- softmax / log_softmax --------------------------------------------------------------------
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


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("case", SOFTMAX_CASES, ids=lambda c: f"{c[0]}-d{c[1]}")
def test_softmax(case, log, dtype):
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
    close(y, want, dtype)
    # backward from the float64 forward (rounded to dtype), on finite rows
    yin = np.nan_to_num(want, neginf=-50.0).astype(dtype)
    dy = rng.standard_normal(shape).astype(dtype)
    y64, g64 = yin.astype(np.float64), dy.astype(np.float64)
    dx_want = (g64 - np.exp(y64) * g64.sum(dim, keepdims=True) if log
               else y64 * (g64 - (g64 * y64).sum(dim, keepdims=True)))
    dx = sm.softmax_backward(dev(yin, misalign), dev(dy, misalign), dim, log)
    close(dx, dx_want, dtype, scale=np.sqrt(shape[dim]))



@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("log", [False, True])
def test_softmax_naive(log, dtype):
    # the teaching kernel (one thread per row, not dispatched), launched directly, vs torch
    name = sm.teaching_names(dtype)[log]
    k = harness.build("softmax", [name])[name]
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
            close(y, want, dtype)

# ---- reductions -------------------------------------------------------------------------------
def _red_ref(x, dims, op):
    x = x.astype(np.float64)
    if op == "sum":
        return x.sum(dims, keepdims=True)
    if op == "max":
        return x.max(dims, keepdims=True)
    return torch.logsumexp(torch.from_numpy(x), dims, keepdim=True).numpy()


# (shape, dims, misaligned, mode, kernel family, dtype)
REDUCE_CASES = [
    ((1,), (0,), False, "full", "full", "float32"),
    ((4099,), (0,), False, "full", "full", "float64"),          # grid 3, pack tail
    ((5000,), (0,), True, "full", "full", "float32"),           # misaligned: scalar loads
    ((7, 5), (1,), False, "rows", "rows_warp", "float32"),      # GROUP 8
    ((5, 100), (1,), False, "rows", "rows_warp", "float32"),
    ((5, 100), (1,), False, "rows", "rows_warp", "float64"),
    ((3, 33), (1,), True, "rows", "rows_warp", "float32"),
    ((3, 2000), (1,), False, "rows", "rows_block", "float32"),
    ((2, 1030), (1,), False, "rows", "rows_block", "float64"),
    ((4, 7, 512), (1,), False, "cols", "cols", "float32"),      # middle dim, 2048 outputs
    ((8, 3, 5, 256), (1, 2), False, "cols", "cols", "float64"),
]


@pytest.mark.parametrize("op", ["sum", "max", "logsumexp"])
@pytest.mark.parametrize("case", REDUCE_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[5]}")
def test_reduce(case, op):
    shape, dims, misalign, mode, fam, dtype = case
    got_mode, launches = red.plan(op, dtype, shape, dims, not misalign)
    assert got_mode == mode and launches[0].name.startswith(f"reduce_{fam}"), launches
    rng = np.random.default_rng()
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    if op != "sum" and x.size > 20:
        x.reshape(-1)[3] = -np.inf               # ignored by max and logsumexp
    out = red.reduce(dev(x, misalign), dims, op)
    scale = np.sqrt(np.prod([shape[d] for d in dims])) * 4 if op == "sum" else 1.0
    close(out, _red_ref(x, dims, op), dtype, scale)
    if op == "sum":
        again = red.reduce(dev(x, misalign), dims, op)
        assert np.array_equal(out, again)                           # bitwise deterministic


@pytest.mark.parametrize("op", ["max", "logsumexp"])
def test_reduce_special_values(op):
    x = np.random.default_rng().standard_normal((4, 40)).astype(np.float32)
    x[0, 5] = np.nan                  # NaN wins
    x[1] = -np.inf                    # all -inf: -inf
    x[2, 7] = np.inf                  # +inf: +inf
    for xs, dims in ((x, (1,)), (x[:1].ravel(), (0,)), (x[1].ravel(), (0,))):
        out = red.reduce(dev(xs), dims, op)
        close(out, _red_ref(xs, dims, op), "float32")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_reduce_ladder(version, dtype):
    x = np.random.default_rng().standard_normal(1000).astype(dtype)
    for block in (64, 256):
        out = red.ladder_sum(dev(x), version, block=block)
        close(out, x.astype(np.float64).sum(), dtype, scale=30)


# ---- cross-entropy ----------------------------------------------------------------------------
CE_CASES = [  # (rows, C, weighted, eps, ignored rows, dtype)
    (5, 1, False, 0.0, 0, "float32"), (6, 3, True, 0.1, 1, "float32"),
    (4, 33, False, 0.1, 2, "float32"), (3, 100, True, 0.0, 1, "float32"),
    (2, 1000, True, 0.2, 0, "float32"), (3, 8, False, 0.0, 3, "float32"),
    (4, 10, True, 0.1, 1, "float64"), (3, 64, False, 0.0, 0, "float64")]

FWD_GRAD_PATHS = {"fwd_grad": {"stage": False}, "fwd_grad-staged": {"stage": True},
                  "fwd_grad-warp": {"warp": True}}      # ce_fwd_grad, staged, ce_warp_fwd_grad


@pytest.mark.parametrize("path", ["fwd+bwd", *FWD_GRAD_PATHS])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", CE_CASES, ids=str)
def test_cross_entropy(case, reduction, path):
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
            close(out, tl.detach().numpy(), dtype, scale=10)
            gg = np.ones((), dtype) if unit else g
            close(ce.finish_grad(dx1, dev(gg)), tx.grad.numpy() / g * gg, dtype)
        return
    out, stats, total = ce.forward(dev(x), dev(t), None if w is None else dev(w), -7, eps,
                                   reduction)
    close(out, tl.detach().numpy(), dtype, scale=10)
    dx = ce.backward(dev(x), dev(t), None if w is None else dev(w), -7, eps, reduction,
                     stats, total, dev(g))
    close(dx, tx.grad.numpy(), dtype)


@pytest.mark.parametrize("path", ["fwd+bwd", *FWD_GRAD_PATHS])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_cross_entropy_ignored_rows_with_inf_or_nan(path, reduction, eps):
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
    close(out, tl.detach().numpy(), "float32", scale=10)
    close(dx, tx.grad.numpy(), "float32")          # equal_nan: NaN rows where torch's are


@pytest.mark.parametrize("C,misalign", [(7, False), (1000, False), (132, True)])
def test_cross_entropy_warp_rows_grid_stride(C, misalign, monkeypatch):
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
    close(out, tl.detach().numpy(), "float32", scale=10)
    close(dx1, tx.grad.numpy(), "float32")


def test_cross_entropy_bad_target():
    x = np.zeros((2, 4), np.float32)
    with pytest.raises(IndexError, match="target 4 is out of bounds"):
        ce.forward(dev(x), dev(np.array([0, 4])), None, -100, 0.0, "mean")



@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_ce_naive(dtype, weighted):
    # the teaching kernel (one thread per row, not dispatched), launched directly, vs torch's
    # per-row loss (reduction 'none') in float64; ignored rows give 0
    name = ce.teaching_names(dtype)[0]
    k = harness.build("cross_entropy", [name])[name]
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
            close(loss, want, dtype, scale=10)

# ---- attention --------------------------------------------------------------------------------
ATTN_CASES = [  # (lead, L, S, d, causal, bias shape, bias needs grad)
    ((1, 2), 17, 17, 32, False, None, False),
    ((1,), 70, 130, 64, True, None, False),                 # L != S, causal
    ((1,), 130, 70, 20, True, None, False),                 # L > S: causal rows past S
    ((2,), 65, 64, 24, False, (65, 64), True),              # bias broadcast over batch
    ((2, 2), 1, 5, 100, False, (2, 1, 5), True),            # one query row, D = 128
    ((7,), 33, 40, 16, True, (7, 1, 40), True),             # 7 slices in chunks of 3
    ((1,), 40, 66, 32, False, "dead", True),                # a fully masked row
]


@pytest.mark.parametrize("path", ["v1-simt", "v2", "v2-wq2", "v2-it32"])
@pytest.mark.parametrize("case", ATTN_CASES, ids=str)
def test_attention(case, path, monkeypatch):
    """Both kernel sets: v1 (SIMT), and v2 (the dispatch tables, then 2 warps per strip, then
    32-row inner tiles) with its mma.sync emulated on the same 3xTF32 split."""
    lead, L, S, d, causal, bshape, need_db = case
    monkeypatch.setattr(ka, "MAX_GRID_Y", 3)              # exercise the grid.y chunking
    monkeypatch.setattr(ka, "TENSOR_CORES", path != "v1-simt")
    cfg = {"v2-wq2": (2, 64), "v2-it32": (1, 32)}.get(path)
    if cfg:
        monkeypatch.setattr(ka, "FWD_CFG", dict.fromkeys(ka.HEAD_DIMS, cfg))
        monkeypatch.setattr(ka, "BWD_CFG", dict.fromkeys(ka.HEAD_DIMS, cfg))
    rng = np.random.default_rng()
    q, k, v, do = (rng.standard_normal(lead + s).astype(np.float32)
                   for s in [(L, d), (S, d), (S, d), (L, d)])
    bias = None
    if bshape == "dead":
        bias = rng.standard_normal((L, S)).astype(np.float32)
        bias[3] = -np.inf
    elif bshape is not None:
        bias = rng.standard_normal(bshape).astype(np.float32)
    scale = 0.7 / np.sqrt(d)
    t = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v)]
    mask = torch.ones(L, S, dtype=torch.bool).tril() if causal else None
    if bias is not None:
        tb = torch.tensor(bias, dtype=torch.float64, requires_grad=True)
        mask = tb if mask is None else tb.masked_fill(~mask, -torch.inf)
    ref = TF.scaled_dot_product_attention(*t, attn_mask=mask, scale=scale)
    ref.backward(torch.tensor(do, dtype=torch.float64))
    s = t[0] @ t[1].transpose(-1, -2) * scale
    if mask is not None:
        s = s + mask if mask.dtype != torch.bool else s.masked_fill(~mask, -torch.inf)
    lse_ref = torch.logsumexp(s, -1).detach().numpy()

    db_ = None if bias is None else dev(bias)
    o, lse = ka.flash_forward(dev(q), dev(k), dev(v), db_, causal, scale)
    close(o, ref.detach().numpy(), "float32", scale=2)
    close(np.where(np.isinf(lse), -np.inf, lse), lse_ref, "float32", scale=2)
    dq, dk, dv, ds = ka.flash_backward(dev(q), dev(k), dev(v), db_, o, lse, dev(do), causal,
                                       scale, need_db)
    for got, want in zip((dq, dk, dv), t):
        close(got, want.grad.numpy(), "float32", scale=4)
    if need_db:
        dbias = ds.astype(np.float64).reshape(lead + (L, S))
        axes = tuple(range(dbias.ndim - bias.ndim))
        dbias = dbias.sum(axes)
        dbias = dbias.sum(tuple(i for i, n in enumerate(bias.shape) if n == 1), keepdims=True)
        close(dbias, np.nan_to_num(tb.grad.numpy()), "float32", scale=4)


# ---- the emulator itself: launches a GPU would reject, kernel bugs it must not hide ----------
def test_emulator_rejects_bad_launches(emu):
    x = dev(np.ones((4, 64), np.float32))
    out = dev(np.zeros(4, np.float32))
    name = "reduce_rows_warp<float,0,1,32>"
    k = harness.build("reduce", [name])[name]
    with pytest.raises(harness.EmuError, match="argument 2 is int32"):
        k((1,), (128,), (x, out, np.int32(4), np.int32(64)))       # rows is a long
    with pytest.raises(harness.EmuError, match="launch_bounds"):
        k((1,), (256,), (x, out, np.int64(4), np.int32(64)))
    with pytest.raises(harness.EmuError, match="full-warp masks"):
        k((1,), (48,), (x, out, np.int64(4), np.int32(64)))        # shuffle in a partial warp
    k((1,), (128,), (x, out, np.int64(4), np.int32(64)))
    assert np.array_equal(out, np.full(4, 64, np.float32))
    v1 = "reduce_v1_divergent<float>"
    k1 = harness.build("reduce", [v1])[v1]
    part = dev(np.zeros(2, np.float32))
    with pytest.raises(harness.EmuError, match="past the 128 bytes of dynamic shared"):
        k1((2,), (64,), (x, part, np.int64(128)), shared_mem=128)  # needs 64 * 4 bytes
