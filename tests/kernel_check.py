"""Helpers of the kernel tests (tests/test_<op>_kernels.py), on the GPU and on the emulator.

GPU (`device` "cuda"): `cp()` is CuPy; `close` checks a result against a float64 reference
(NaN pattern, infinities, relative error); the `poison` fixture NaN-fills fresh kernel outputs
so an element a kernel forgets to write fails.
CPU emulator (`device` "emu", tests/cuda_emu): `dev` makes guarded device-like copies,
`emu_close` checks against float64, and every kernel build goes through `emu_groups` (what the
session builds up front, in parallel) and `emu_kernel` (one kernel launched directly).
"""
from __future__ import annotations

import numpy as np
import pytest
from cuda_emu import harness

from minigrad import backend
from minigrad.cuda import attention as ka
from minigrad.cuda import cross_entropy as ce
from minigrad.cuda import linear_cross_entropy as lce
from minigrad.cuda import loader
from minigrad.cuda import reduce as red
from minigrad.cuda import softmax as sm

# ---- GPU -----------------------------------------------------------------------------------
TOL = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12}


@pytest.fixture(autouse=True)
def poison():
    """Autouse in a test module that imports it: NaN-filled outputs from loader.empty."""
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


def ref_lse(x, d):
    with np.errstate(all="ignore"):
        m = x.max(axis=d, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        return np.log(np.exp(x - m).sum(axis=d, keepdims=True)) + m


def extreme_logits(rows, cols):
    """float32 rows of large logits (scale 1e4), rows 1-4 holding the special values."""
    x = (1e4 * np.random.default_rng().standard_normal((rows, cols))).astype(np.float32)
    x[1, :] = -np.inf                               # all -inf: NaN, as torch and NumPy
    x[2, 0] = np.inf                                # +inf: NaN row
    x[3, ::2] = -np.inf                             # some -inf: exp gives 0 there
    x[4, cols // 2] = np.nan                        # NaN anywhere: NaN row
    return x


# ---- CPU emulator --------------------------------------------------------------------------
EMU_DTYPES = ["float32", "float64"]
EMU_TOL = {"float32": (2e-5, 2e-6), "float64": (1e-12, 1e-13)}      # rtol, atol


def emu_groups():
    """Every (stem, names) compile group the emulated tests launch through the dispatch."""
    groups = [(ka.stem(g[0]), g) for g in ka.groups()]
    for dt in EMU_DTYPES:
        # no thread-block clusters here: the launchers see no compute capability and plan
        # with cluster=False, so the cluster kernels (sm_90+) are neither built nor launched
        groups += [("softmax", sm.names(dt, "fwd", False)), ("softmax", sm.names(dt, "bwd", False)),
                   ("reduce", red.names(dt)), ("reduce", red.ladder_names(dt)),
                   ("cross_entropy", ce.names(dt, cluster=False)),
                   (lce.STEM, lce.names(dt))]
    return groups


def emu_kernel(stem, name):
    """One kernel of kernels/<stem>.cu built alone for the emulator, to launch directly."""
    return harness.build(stem, [name])[name]


def dev(a, misalign=False):
    """A guarded device copy of a; misalign: starts 1 element past a 16-byte boundary."""
    if not misalign:
        return harness.to_device(a)
    flat = harness.to_device(np.concatenate([np.zeros(1, a.dtype), a.ravel()]))
    return flat[1:].reshape(a.shape)


def emu_close(got, want, dtype, scale=1.0):
    rtol, atol = EMU_TOL[str(dtype)]
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=rtol, atol=atol * scale,
                               equal_nan=True)
