"""softmax / log_softmax vs torch: any dim of any rank, double backward, stability, the CPU
row-block fast path (safe and shifted blocks, threads), modules, and the masked-logits seed."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.cpu import softmax as softmax_cpu

SHAPES_DIMS = [((7,), 0), ((1, 5), 1), ((4, 31), -1), ((3, 33), 0), ((2, 3, 4), 1),
               ((2, 3, 4), 0), ((2, 3, 4, 5), 2), ((3, 1025), 1), ((1, 1), -1)]


@pytest.mark.parametrize("shape,dim", SHAPES_DIMS)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_matches_torch_with_double_backward(device, rng, name, shape, dim):
    x = rng.standard_normal(shape) * 3
    check_op(lambda a: getattr(F, name)(a, dim), lambda a: getattr(TF, name)(a, dim), [x],
             device=device, double=True)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_tensor_methods_and_mg_namespace(rng, name):
    x = rng.standard_normal((3, 6))
    check_op(lambda a: getattr(a, name)(0), lambda a: getattr(a, name)(0), [x])
    check_op(lambda a: getattr(mg, name)(a, -1), lambda a: getattr(torch, name)(a, -1), [x])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_stable_at_extreme_float32_logits(device, rng, name):
    x = (rng.standard_normal((8, 40)) * 1e4).astype(np.float32)
    x[0] = 1e4
    x[1] = -1e4
    x[2, :] = -1e4
    x[2, 3] = 1e4
    out = getattr(F, name)(mg.tensor(x, device=device, requires_grad=True), 1)
    ref = getattr(TF, name)(torch.tensor(x), 1)
    assert np.isfinite(out.detach().numpy()).all()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_extreme_logits_gradients_are_finite_and_match(device, rng, name):
    x = (rng.standard_normal((5, 20)) * 1e4).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    mx = mg.tensor(x, device=device, requires_grad=True)
    getattr(F, name)(mx, 1).backward(mg.tensor(g, device=device))
    tx = torch.tensor(x, requires_grad=True)
    getattr(TF, name)(tx, 1).backward(torch.tensor(g))
    assert np.isfinite(mx.grad.numpy()).all()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_all_minus_inf_row_gives_nan_like_torch(device, name):
    x = np.array([[-np.inf] * 4, [0.0, 1.0, -np.inf, 2.0]])
    out = getattr(F, name)(mg.tensor(x, device=device), 1).numpy()
    ref = getattr(TF, name)(torch.tensor(x), 1).numpy()
    assert np.isnan(out[0]).all()
    np.testing.assert_allclose(out[1], ref[1])


@pytest.mark.parametrize("shape", [(300, 128), (64, 1024), (9, 8192), (2000, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["plain", "huge", "negative"])  # the last two need a shift
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_cpu_fast_path_matches_torch(rng, shape, dtype, kind, name):
    x = (rng.standard_normal(shape) * (200 if kind == "huge" else 1)).astype(dtype)
    if kind == "negative":
        x[len(x) // 2, :] -= 1000                       # exp underflows: row sum < 1
    if kind == "huge":
        x[len(x) // 2, :] += 5000                       # exp overflows
    assert softmax_cpu.usable(x, 1)
    out = getattr(F, name)(mg.tensor(x), -1).numpy()
    ref = getattr(TF, name)(torch.tensor(x), -1).numpy()
    tol = 2e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, ref, rtol=tol * 5, atol=tol * (50 if name[0] == "l" else 1))


def test_cpu_fast_path_threads_and_small_blocks_agree(rng, monkeypatch):
    x = rng.standard_normal((1000, 257))
    x[::7] *= 300
    ref = TF.softmax(torch.tensor(x), 1).numpy()
    monkeypatch.setattr(softmax_cpu, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(softmax_cpu, "_MIN_PARALLEL", 1)
    np.testing.assert_allclose(softmax_cpu.softmax_rows(x), ref, rtol=1e-12, atol=1e-15)
    shift, s, _ = softmax_cpu.row_logsumexp(x)
    np.testing.assert_allclose(shift + np.log(s), torch.logsumexp(torch.tensor(x), 1).numpy(),
                               rtol=1e-12)


def test_non_contiguous_input_uses_reference_path(rng):
    x = rng.standard_normal((6, 5))
    check_op(lambda a: F.softmax(a.T, 1), lambda a: TF.softmax(a.T, 1), [x], double=True)


def test_bad_dim_and_dtype_errors():
    x = mg.randn(2, 3)
    with pytest.raises(IndexError, match="dim 2"):
        F.softmax(x, 2)
    # no dim: torch's legacy implicit dim (1 for 2-D input) with its deprecation warning
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        y = F.log_softmax(x)
    np.testing.assert_allclose(y.numpy(), F.log_softmax(x, 1).numpy())
    with pytest.raises(RuntimeError, match="floating"):
        F.softmax(mg.tensor([1, 2, 3]), 0)


def test_modules(rng):
    x = rng.standard_normal((2, 3, 4))
    check_op(lambda a: mg.nn.Softmax(dim=1)(a), lambda a: torch.nn.Softmax(dim=1)(a), [x])
    check_op(lambda a: mg.nn.LogSoftmax(-1)(a), lambda a: torch.nn.LogSoftmax(-1)(a), [x])
    assert repr(mg.nn.Softmax(dim=1)) == "Softmax(dim=1)"


@pytest.mark.parametrize("T", [1.0, 0.5, 4.0])
def test_seed_masked_logits_pattern(device, rng, T):
    """log_softmax(s / T - 1000 * mask): masked entries vanish, the rest renormalise."""
    s = rng.standard_normal((4, 9)) * 5
    mask = (rng.random((4, 9)) < 0.4).astype(np.float64)
    mask[:, 0] = 0                                      # every row keeps one entry
    check_op(lambda a, m: F.log_softmax(a / T - 1000 * m, dim=-1),
             lambda a, m: TF.log_softmax(a / T - 1000 * m, dim=-1), [s, mask],
             device=device, requires_grad=[True, False], double=True)
    p = F.softmax(mg.tensor(s, device=device) / T - 1000 * mg.tensor(mask, device=device),
                  -1).numpy()
    assert np.all(p[mask == 1] < 1e-300)
    np.testing.assert_allclose(p.sum(-1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("offset", [0.0, 20.0, 70.0])
def test_float32_log_space_is_as_accurate_as_torch_at_large_row_maxima(offset):
    """log_softmax and cross_entropy in float32, rows shifted by `offset`: errors against a
    float64 reference no larger than torch's own (the CPU fast path subtracts the row max)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((256, 1000)) + offset).astype(np.float32)
    x[:, 0] += 8                                         # a dominant class: small losses
    t = np.zeros(256, dtype=np.int64)
    x64 = torch.tensor(x, dtype=torch.float64)
    errors = {}
    for lib, F_, make in ((mg, mg.nn.functional, mg.tensor), (torch, torch.nn.functional,
                                                               torch.tensor)):
        ls = lib.log_softmax(make(x), 1).numpy()
        ce = F_.cross_entropy(make(x), make(t), reduction="none").numpy()
        ref_ls = torch.log_softmax(x64, 1).numpy()
        ref_ce = torch.nn.functional.cross_entropy(x64, torch.tensor(t), reduction="none")
        errors[lib.__name__] = (np.abs(ls - ref_ls).mean(),
                                (np.abs(ce - ref_ce.numpy()) / ref_ce.numpy()).mean())
    for ours, theirs in zip(errors["minigrad"], errors["torch"]):
        assert ours <= 1.5 * theirs + 1e-9, errors
