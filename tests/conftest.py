"""Shared test helpers: the `device` fixture and check_op (values and gradients vs torch)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import compare_with_torch

try:
    import torch
    torch.set_default_dtype(torch.float64)
except ImportError:          # check_op falls back to gradcheck when torch is absent
    torch = None

# The values of `device`. A test taking `device` runs on the first three: the op through its
# public API on CPU, and on CUDA with the hand-written kernels on and off (skipped without a
# GPU). "emu" runs the CUDA code below the op (minigrad/cuda/*.py launchers and the real
# kernels/*.cu) on the CPU emulator in tests/cuda_emu, on NumPy-backed stand-ins for CuPy
# arrays: tensors cannot live there, so only kernel tests ask for it, with @devices("emu").
PARAMS = {"cpu": pytest.param("cpu", id="cpu"),
          "cuda": pytest.param("cuda", id="cuda-kernels", marks=pytest.mark.cuda),
          "cuda-plain": pytest.param("cuda-plain", id="cuda-cupy", marks=pytest.mark.cuda),
          "emu": pytest.param("emu", id="cpu-emulator", marks=pytest.mark.emu)}
DEVICES = [PARAMS["cpu"], PARAMS["cuda"], PARAMS["cuda-plain"]]


def devices(*names):
    """Run a test on these values of `device` only: @devices("cuda"), @devices("emu")."""
    return pytest.mark.parametrize("device", [PARAMS[n] for n in names], indirect=True)


@pytest.fixture(params=DEVICES)
def device(request):
    """"cpu"; "cuda" with the hand-written kernels on ("cuda-kernels") and off ("cuda-cupy");
    "emu": the launchers patched onto the CPU emulator for the test (see tests/cuda_emu)."""
    if request.param == "emu":
        from cuda_emu import harness
        with harness.patch_launchers(request.getfixturevalue("emulator")):
            yield "emu"
        return
    if request.param != "cpu" and not mg.cuda.is_available():
        pytest.skip("no CUDA GPU")
    if request.param == "cuda-plain":
        with mg.cuda.use_kernels(False):
            yield "cuda"
    else:
        yield request.param


@pytest.fixture(scope="session")
def emulator():
    """The kernels the emulated tests launch, built once per session (all compile groups in
    parallel, cached on disk); skips when g++ cannot build the emulator."""
    import concurrent.futures as cf
    import os

    from cuda_emu import harness
    from kernel_check import emu_groups
    problem = harness.compiler_problem()
    if problem:
        pytest.skip(f"CUDA emulator unavailable: {problem}")
    with cf.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(lambda g: harness.build(*g), emu_groups()))
    return {}                 # the compiled kernels patch_launchers has loaded, shared


@pytest.fixture(scope="module", autouse=True)
def _join_emulator_threads():
    """After each module that launched emulated kernels, join the emulator's idle worker
    threads (one per CUDA thread of the largest block; else ~1,000 stay for the session)."""
    yield
    harness = sys.modules.get("cuda_emu.harness")
    if harness is not None:
        harness.release_threads()


@pytest.fixture
def rng():
    return np.random.default_rng()


@pytest.fixture
def defaults():
    """Both libraries at torch's own default float (this file sets torch's to float64)."""
    prev_m, prev_t = mg.get_default_dtype(), torch.get_default_dtype()
    mg.set_default_dtype(mg.float32)
    torch.set_default_dtype(torch.float32)
    yield
    mg.set_default_dtype(prev_m)
    torch.set_default_dtype(prev_t)


def check_op(mg_fn, torch_fn, arrays, device="cpu", requires_grad=None, double=False,
             rtol=1e-7, atol=1e-9, gradcheck_fallback=True):
    """minigrad.testing.compare_with_torch on `arrays` as they are (NumPy arrays; float ones
    require grad unless `requires_grad`, a list of bools, says otherwise): output shapes,
    dtypes and values, gradients for a random upstream gradient and (double=True) second
    derivatives, against torch, raising on any mismatch; gradcheck without torch.
    Returns minigrad's outputs (a list)."""
    return compare_with_torch(mg_fn, torch_fn, *arrays, device=device, dtype=None,
                              requires_grad=requires_grad, double=double, rtol=rtol, atol=atol,
                              gradcheck_fallback=gradcheck_fallback).outputs


@pytest.fixture
def launched(monkeypatch):
    """Names of the launcher functions the ops called. (Emulated arrays meet plain NumPy
    arrays made by the reference code, which the same-device check would take for another
    device: it is switched off here, and every array type counts as NumPy's.)"""
    from minigrad import autograd, backend
    from minigrad.cuda import attention, cross_entropy, reduce, softmax
    monkeypatch.setattr(autograd, "_device_error", lambda *args: None)
    monkeypatch.setattr(backend, "module_of", lambda array_type: np)
    seen = []
    for mod, names in ((softmax, ("softmax", "log_softmax", "softmax_backward",
                                  "log_softmax_backward")),
                       (reduce, ("sum", "amax", "logsumexp")),
                       (cross_entropy, ("cross_entropy", "cross_entropy_backward")),
                       (attention, ("flash_forward", "flash_backward"))):
        for name in names:
            real = getattr(mod, name)

            def spy(*args, _real=real, _name=name, **kw):
                out = _real(*args, **kw)
                seen.append(_name if out is not None else f"{_name}: None")
                return out
            monkeypatch.setattr(mod, name, spy)
    return seen
