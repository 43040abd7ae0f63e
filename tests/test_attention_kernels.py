"""The fused attention kernels (kernels/attention_simt.cu, kernels/attention_tc.cu) and their
launchers.

CPU tests check the launch logic (tile width, names, bias offsets, shared memory) and that the
instantiations compile with nvcc. On a GPU (`device` "cuda") the kernels run through the op:
against torch in float64 on CPU, against the reference path (kernels off), and for bitwise
reproducibility. On the CPU emulator (`device` "emu", no GPU needed) the launchers run both
kernel sets on every case of shapes, causal masks and biases.
The op itself against torch (both code paths): test_attention.py.
"""
import shutil

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import devices
from kernel_check import dev, emu_close

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.cuda import attention as ka
from minigrad.ops import attention as A


def randn(*shape):
    return np.random.default_rng().standard_normal(shape)


# ---- CPU: launch logic ------------------------------------------------------------------------
def test_head_tile_and_names():
    for d in range(1, 129):
        D = ka.head_tile(d)
        assert D in ka.HEAD_DIMS and d <= D and (D == 32 or d > D // 2)
        for tc in (False, True):
            for bias in (False, True):
                assert ka.fwd_name(D, bias, tc) in ka.names(tc, D)
                assert ka.bwd_name(D, bias, bias, tc) in ka.names(tc, D)
    assert ka.head_tile(129) is None and ka.HEAD_DIMS[-1] == A.MAX_FUSED_HEAD_DIM
    assert ka.fwd_name(64, True, True) == "attn_fwd_tc<64,{},{},true>".format(*ka.FWD_CFG[64])
    assert len(ka.groups()) == 1 + 2 * len(ka.HEAD_DIMS)


def test_shared_memory_fits_h100():
    for D in ka.HEAD_DIMS:
        for tc in (False, True):
            assert ka.fwd_smem(D, tc) <= 227 * 1024 and ka.bwd_smem(D, tc) <= 227 * 1024
        assert ka.fwd_threads(D, True) in (128, 256) and ka.bwd_threads(D, True) in (128, 256)
    assert ka.fwd_smem(64) == 4 * (2 * 64 * 65 + 64 * 64 + 64 * 65)
    assert ka.fwd_smem(32, True) == 4 * (64 + 2 * ka.FWD_CFG[32][1]) * 36


@pytest.mark.parametrize("bshape", [(5, 6), (1, 6), (3, 1, 6), (2, 3, 5, 6), (2, 1, 5, 1)])
@pytest.mark.parametrize("transposed", [False, True])
def test_bias_offsets_address_every_element(bshape, transposed):
    # reading base[start + off[bh] + i*si + j*sj] must give the broadcast bias[bh, i, j]
    lead, L, S = (2, 3), 5, 6
    base = randn(*bshape[::-1]).T if transposed else randn(*bshape)   # a strided view
    full = np.broadcast_to(base, lead + (L, S)).reshape(-1, L, S)
    strides = [s // base.itemsize for s in base.strides]
    off, si, sj = ka.bias_offsets(base.shape, strides, lead, L, S)
    root = base.base if base.base is not None else base
    start = (base.__array_interface__["data"][0] - root.__array_interface__["data"][0]) \
        // base.itemsize
    mem = root.reshape(-1)
    for bh in range(full.shape[0]):
        i, j = np.meshgrid(np.arange(L), np.arange(S), indexing="ij")
        np.testing.assert_array_equal(mem[start + off[bh] + i * si + j * sj], full[bh])


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc not installed")
def test_instantiations_compile():
    from minigrad.cuda import check
    sample = [ka.fwd_name(64, True), ka.bwd_name(128, True, True), "attn_bwd_delta",
              ka.fwd_name(128, True, True), ka.bwd_name(32, True, True, True)]
    for stem in ("attention_simt", "attention_tc"):
        check.compile_names(stem, [n for n in sample if ka.stem(n) == stem])


def test_dispatch_falls_back_on_cpu_and_for_uncovered_options():
    q = mg.randn(2, 5, 8)
    assert not A._use_fused(q, q, q, None, 0.0)              # NumPy arrays: reference path
    assert A.fused_unsupported(q, q, q, None, 0.0) is None    # ... though the kernel covers it
    assert A.fused_unsupported(q, q, q, None, 0.5) == "dropout_p > 0"


# ---- GPU: the kernels ------------------------------------------------------------------------
@pytest.fixture(params=[True, False], ids=["v2-3xtf32", "v1-simt"])
def path(request, monkeypatch):
    """Run a test on the tensor-core kernels (the default dispatch) and on the SIMT ones."""
    monkeypatch.setattr(ka, "TENSOR_CORES", request.param)
    return request.param


def _run(device, q, k, v, mask=None, is_causal=False, scale=None, grads=True):
    ts = [mg.tensor(a.astype(np.float32), device=device, requires_grad=grads) for a in (q, k, v)]
    m = None
    if mask is not None:
        m = mg.tensor(mask if mask.dtype == bool else mask.astype(np.float32), device=device,
                      requires_grad=grads and mask.dtype != bool)
    out = F.scaled_dot_product_attention(*ts, attn_mask=m, is_causal=is_causal, scale=scale)
    res = [out.detach().numpy()]
    if grads:
        w = np.random.default_rng(5).standard_normal(out.shape).astype(np.float32)
        gs = mg.grad(out, ts + ([m] if m is not None and m.requires_grad else []),
                     mg.tensor(w, device=device))
        res += [g.numpy() for g in gs]
    return res


def _torch64(q, k, v, mask=None, is_causal=False, scale=None):
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (q, k, v)]
    m = None
    if mask is not None:
        m = torch.tensor(mask, requires_grad=mask.dtype != bool)
    out = TF.scaled_dot_product_attention(*ts, attn_mask=m, is_causal=is_causal, scale=scale)
    w = np.random.default_rng(5).standard_normal(out.shape).astype(np.float32)
    gs = torch.autograd.grad(out, ts + ([m] if m is not None and m.requires_grad else []),
                             torch.tensor(w, dtype=torch.float64))
    return [out.detach().numpy()] + [g.numpy() for g in gs]


def _close(got, ref, tol=2e-5):
    """Relative error in the 2-norm, floored at an rms of 1 (the size of the unit-normal inputs):
    with one key, dQ is exactly 0 and both sides hold only rounding noise."""
    for k, (a, b) in enumerate(zip(got, ref)):
        err = np.linalg.norm(a - b) / max(np.linalg.norm(b), np.sqrt(b.size))
        assert err < tol, f"output {k}: relative error {err:.2e}"


@devices("cuda")
@pytest.mark.parametrize("L", [1, 17, 64, 127, 1000])
@pytest.mark.parametrize("d", [32, 64, 128])
@pytest.mark.parametrize("is_causal", [False, True])
def test_fused_matches_torch_and_reference(device, L, d, is_causal, path):
    S = {1: 1, 17: 33, 64: 64, 127: 70, 1000: 1000}[L]
    q, k, v = randn(2, 3, L, d), randn(2, 3, S, d), randn(2, 3, S, d)
    fused = _run("cuda", q, k, v, is_causal=is_causal)
    _close(fused, _torch64(q, k, v, is_causal=is_causal))
    with mg.cuda.use_kernels(False):
        _close(fused, _run("cuda", q, k, v, is_causal=is_causal))
    if torch.cuda.is_available():
        tt = [torch.tensor(a, dtype=torch.float32, device="cuda") for a in (q, k, v)]
        ref = TF.scaled_dot_product_attention(*tt, is_causal=is_causal).cpu().numpy()
        _close(fused[:1], [ref], 1e-4)


@devices("cuda")
@pytest.mark.parametrize("mshape", [(70, 90), (3, 1, 90), (2, 3, 70, 90)])
def test_fused_bias_gradient(device, mshape, path):
    q, k, v, b = randn(2, 3, 70, 40), randn(2, 3, 90, 40), randn(2, 3, 90, 40), randn(*mshape)
    _close(_run("cuda", q, k, v, b), _torch64(q, k, v, b))


@devices("cuda")
def test_fused_bool_mask_and_fully_masked_rows(device, path):
    q, k, v = randn(2, 100, 64), randn(2, 80, 64), randn(2, 80, 64)
    m = np.random.default_rng().random((100, 80)) < 0.8
    m[7] = False                                             # a row that attends nothing
    got = _run("cuda", q, k, v, m, scale=0.2)
    assert np.all(got[0][:, 7] == 0) and np.all(got[1][:, 7] == 0)
    _close(got, _torch64(q, k, v, m, scale=0.2))


@devices("cuda")
def test_fused_backward_is_bitwise_reproducible(device, path):
    q, k, v, b = randn(2, 2, 300, 64), randn(2, 2, 260, 64), randn(2, 2, 260, 64), randn(300, 260)
    first = _run("cuda", q, k, v, b)
    second = _run("cuda", q, k, v, b)
    for a, c in zip(first, second):
        np.testing.assert_array_equal(a, c)


@devices("cuda")
@pytest.mark.parametrize("d", [64, 128])
@pytest.mark.parametrize("cfg", [(1, 64), (2, 64), (1, 32)])
def test_tensor_core_variants_agree_with_simt(device, d, cfg, monkeypatch):
    # v2 (WQ, IT) variants, whichever the tables pick, against v1 on a multi-tile causal case
    q, k, v = randn(1, 2, 200, d), randn(1, 2, 200, d), randn(1, 2, 200, d)
    monkeypatch.setattr(ka, "TENSOR_CORES", False)
    ref = _run("cuda", q, k, v, is_causal=True)
    monkeypatch.setattr(ka, "TENSOR_CORES", True)
    monkeypatch.setattr(ka, "FWD_CFG", {**ka.FWD_CFG, d: cfg})
    monkeypatch.setattr(ka, "BWD_CFG", {**ka.BWD_CFG, d: cfg})
    _close(_run("cuda", q, k, v, is_causal=True), ref, 1e-5)


# ---- emulator: both kernel sets, every case --------------------------------------------------
ATTN_CASES = [  # (lead, L, S, d, causal, bias shape, bias needs grad)
    ((1, 2), 17, 17, 32, False, None, False),
    ((1,), 70, 130, 64, True, None, False),                 # L != S, causal
    ((1,), 130, 70, 20, True, None, False),                 # L > S: causal rows past S
    ((2,), 65, 64, 24, False, (65, 64), True),              # bias broadcast over batch
    ((2, 2), 1, 5, 100, False, (2, 1, 5), True),            # one query row, D = 128
    ((7,), 33, 40, 16, True, (7, 1, 40), True),             # 7 slices in chunks of 3
    ((1,), 40, 66, 32, False, "dead", True),                # a fully masked row
]


@devices("emu")
@pytest.mark.parametrize("variant", ["v1-simt", "v2", "v2-wq2", "v2-it32"])
@pytest.mark.parametrize("case", ATTN_CASES, ids=str)
def test_attention_every_variant(device, case, variant, monkeypatch):
    """Both kernel sets: v1 (SIMT), and v2 (the dispatch tables, then 2 warps per strip, then
    32-row inner tiles) with its mma.sync emulated on the same 3xTF32 split."""
    lead, L, S, d, causal, bshape, need_db = case
    monkeypatch.setattr(ka, "MAX_GRID_Y", 3)              # exercise the grid.y chunking
    monkeypatch.setattr(ka, "TENSOR_CORES", variant != "v1-simt")
    cfg = {"v2-wq2": (2, 64), "v2-it32": (1, 32)}.get(variant)
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
    emu_close(o, ref.detach().numpy(), "float32", scale=2)
    emu_close(np.where(np.isinf(lse), -np.inf, lse), lse_ref, "float32", scale=2)
    dq, dk, dv, ds = ka.flash_backward(dev(q), dev(k), dev(v), db_, o, lse, dev(do), causal,
                                       scale, need_db)
    for got, want in zip((dq, dk, dv), t):
        emu_close(got, want.grad.numpy(), "float32", scale=4)
    if need_db:
        dbias = ds.astype(np.float64).reshape(lead + (L, S))
        axes = tuple(range(dbias.ndim - bias.ndim))
        dbias = dbias.sum(axes)
        dbias = dbias.sum(tuple(i for i, n in enumerate(bias.shape) if n == 1), keepdims=True)
        emu_close(dbias, np.nan_to_num(tb.grad.numpy()), "float32", scale=4)
