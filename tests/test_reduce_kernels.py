"""The reduction kernels (kernels/reduce.cu: sum, max, logsumexp, and the ladder of teaching
sums): on a GPU (`device` "cuda") and on the CPU emulator (`device` "emu", no GPU needed).

GPU: every reduction mode (full, rows, columns) on irregular shapes and every dtype against
float64 NumPy, NaN/inf, bitwise determinism, the ladder, and the ops with kernels on vs off.
Outputs are NaN-poisoned before each launch, so an element a kernel forgets to write fails.
Emulator: each kernel family the dispatch picks, special values, the ladder, and the
emulator's own checks (launches a GPU would reject, kernel bugs it must not hide).
The ops themselves against torch on every device: test_reduce.py.
"""
from __future__ import annotations

import numpy as np
import pytest
from conftest import devices
from cuda_emu import harness
from kernel_check import TOL, EMU_DTYPES, cp, dev, emu_close, emu_kernel, ref_lse
from kernel_check import poison  # noqa: F401  (autouse: NaN-filled kernel outputs)

import minigrad as mg
from minigrad.cuda import reduce as red

try:
    import torch
except ImportError:
    torch = None

COLS = [1, 31, 32, 33, 1023, 1025, 4097, 100000]


# ---- GPU ------------------------------------------------------------------------------------
REF = {"sum": lambda x, d: x.sum(axis=d, keepdims=True),
       "max": lambda x, d: x.max(axis=d, keepdims=True),
       "logsumexp": lambda x, d: ref_lse(x, d)}


@devices("cuda")
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("op", ["sum", "max", "logsumexp"])
def test_reduce_shapes_and_dims(device, dtype, op):
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


@devices("cuda")
def test_reduce_nan_inf_and_determinism(device):
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


@devices("cuda")
@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_ladder(device, version):
    x = np.random.default_rng().standard_normal(1_000_003).astype(np.float32)
    got = float(red.ladder_sum(cp().asarray(x), version))
    assert abs(got - x.astype(np.float64).sum()) <= 1e-5 * np.abs(x).sum()


@devices("cuda")
def test_reduce_ops_match_plain_path(device):
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


# ---- emulator ---------------------------------------------------------------------------------
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


@devices("emu")
@pytest.mark.parametrize("op", ["sum", "max", "logsumexp"])
@pytest.mark.parametrize("case", REDUCE_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[5]}")
def test_reduce_every_kernel(device, case, op):
    shape, dims, misalign, mode, fam, dtype = case
    got_mode, launches = red.plan(op, dtype, shape, dims, not misalign)
    assert got_mode == mode and launches[0].name.startswith(f"reduce_{fam}"), launches
    rng = np.random.default_rng()
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    if op != "sum" and x.size > 20:
        x.reshape(-1)[3] = -np.inf               # ignored by max and logsumexp
    out = red.reduce(dev(x, misalign), dims, op)
    scale = np.sqrt(np.prod([shape[d] for d in dims])) * 4 if op == "sum" else 1.0
    emu_close(out, _red_ref(x, dims, op), dtype, scale)
    if op == "sum":
        again = red.reduce(dev(x, misalign), dims, op)
        assert np.array_equal(out, again)                           # bitwise deterministic


@devices("emu")
@pytest.mark.parametrize("op", ["max", "logsumexp"])
def test_reduce_special_values(device, op):
    x = np.random.default_rng().standard_normal((4, 40)).astype(np.float32)
    x[0, 5] = np.nan                  # NaN wins
    x[1] = -np.inf                    # all -inf: -inf
    x[2, 7] = np.inf                  # +inf: +inf
    for xs, dims in ((x, (1,)), (x[:1].ravel(), (0,)), (x[1].ravel(), (0,))):
        out = red.reduce(dev(xs), dims, op)
        emu_close(out, _red_ref(xs, dims, op), "float32")


@devices("emu")
@pytest.mark.parametrize("dtype", EMU_DTYPES)
@pytest.mark.parametrize("version", [1, 2, 3, 4])
def test_reduce_ladder(device, version, dtype):
    x = np.random.default_rng().standard_normal(1000).astype(dtype)
    for block in (64, 256):
        out = red.ladder_sum(dev(x), version, block=block)
        emu_close(out, x.astype(np.float64).sum(), dtype, scale=30)


# the emulator itself: launches a GPU would reject, kernel bugs it must not hide
@devices("emu")
def test_emulator_rejects_bad_launches(device):
    x = dev(np.ones((4, 64), np.float32))
    out = dev(np.zeros(4, np.float32))
    name = "reduce_rows_warp<float,0,1,32>"
    k = emu_kernel("reduce", name)
    with pytest.raises(harness.EmuError, match="argument 2 is int32"):
        k((1,), (128,), (x, out, np.int32(4), np.int32(64)))       # rows is a long
    with pytest.raises(harness.EmuError, match="launch_bounds"):
        k((1,), (256,), (x, out, np.int64(4), np.int32(64)))
    with pytest.raises(harness.EmuError, match="full-warp masks"):
        k((1,), (48,), (x, out, np.int64(4), np.int32(64)))        # shuffle in a partial warp
    k((1,), (128,), (x, out, np.int64(4), np.int32(64)))
    assert np.array_equal(out, np.full(4, 64, np.float32))
    v1 = "reduce_v1_divergent<float>"
    k1 = emu_kernel("reduce", v1)
    part = dev(np.zeros(2, np.float32))
    with pytest.raises(harness.EmuError, match="past the 128 bytes of dynamic shared"):
        k1((2,), (64,), (x, part, np.int64(128)), shared_mem=128)  # needs 64 * 4 bytes
