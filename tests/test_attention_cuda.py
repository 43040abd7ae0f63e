"""The fused attention kernels (kernels/attention_simt.cu, kernels/attention_tc.cu) and their
launchers.

CPU tests check the launch logic (tile width, names, bias offsets, shared memory) and that the
instantiations compile with nvcc. Tests marked `cuda` run the kernels: against torch in
float64 on CPU, against the reference path (kernels off), and for bitwise reproducibility.
"""
import shutil

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.cuda import attention as ka
from minigrad.ops import attention as A

needs_gpu = pytest.mark.skipif(not mg.cuda.is_available(), reason="no CUDA GPU")


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


@pytest.mark.cuda
@needs_gpu
@pytest.mark.parametrize("L", [1, 17, 64, 127, 1000])
@pytest.mark.parametrize("d", [32, 64, 128])
@pytest.mark.parametrize("is_causal", [False, True])
def test_fused_matches_torch_and_reference(L, d, is_causal, path):
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


@pytest.mark.cuda
@needs_gpu
@pytest.mark.parametrize("mshape", [(70, 90), (3, 1, 90), (2, 3, 70, 90)])
def test_fused_bias_gradient(mshape, path):
    q, k, v, b = randn(2, 3, 70, 40), randn(2, 3, 90, 40), randn(2, 3, 90, 40), randn(*mshape)
    _close(_run("cuda", q, k, v, b), _torch64(q, k, v, b))


@pytest.mark.cuda
@needs_gpu
def test_fused_bool_mask_and_fully_masked_rows(path):
    q, k, v = randn(2, 100, 64), randn(2, 80, 64), randn(2, 80, 64)
    m = np.random.default_rng().random((100, 80)) < 0.8
    m[7] = False                                             # a row that attends nothing
    got = _run("cuda", q, k, v, m, scale=0.2)
    assert np.all(got[0][:, 7] == 0) and np.all(got[1][:, 7] == 0)
    _close(got, _torch64(q, k, v, m, scale=0.2))


@pytest.mark.cuda
@needs_gpu
def test_fused_backward_is_bitwise_reproducible(path):
    q, k, v, b = randn(2, 2, 300, 64), randn(2, 2, 260, 64), randn(2, 2, 260, 64), randn(300, 260)
    first = _run("cuda", q, k, v, b)
    second = _run("cuda", q, k, v, b)
    for a, c in zip(first, second):
        np.testing.assert_array_equal(a, c)


@pytest.mark.cuda
@needs_gpu
@pytest.mark.parametrize("d", [64, 128])
@pytest.mark.parametrize("cfg", [(1, 64), (2, 64), (1, 32)])
def test_tensor_core_variants_agree_with_simt(d, cfg, monkeypatch):
    # v2 (WQ, IT) variants, whichever the tables pick, against v1 on a multi-tile causal case
    q, k, v = randn(1, 2, 200, d), randn(1, 2, 200, d), randn(1, 2, 200, d)
    monkeypatch.setattr(ka, "TENSOR_CORES", False)
    ref = _run("cuda", q, k, v, is_causal=True)
    monkeypatch.setattr(ka, "TENSOR_CORES", True)
    monkeypatch.setattr(ka, "FWD_CFG", {**ka.FWD_CFG, d: cfg})
    monkeypatch.setattr(ka, "BWD_CFG", {**ka.BWD_CFG, d: cfg})
    _close(_run("cuda", q, k, v, is_causal=True), ref, 1e-5)
