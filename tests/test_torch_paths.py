"""torch's import paths that scripts use without thinking: torch.utils.data, torch.random,
torch.backends' flags and torch.nn.attention's sdpa_kernel, compared with torch's."""
from __future__ import annotations

import pytest

import minigrad as mg

torch = pytest.importorskip("torch")


def test_utils_data_is_minigrad_data():
    import torch.utils.data as td
    import minigrad.data as md
    from minigrad.utils import data as ud
    from minigrad.utils.data import dataloader, dataset, distributed, sampler
    for name in md.__all__:
        assert getattr(ud, name) is getattr(md, name), name
        assert hasattr(td, name) or name == "datasets", name    # (minigrad's own data sets)
    for mod, tmod in ((dataloader, "dataloader"), (dataset, "dataset"), (sampler, "sampler"),
                      (distributed, "distributed")):
        theirs = getattr(td, tmod)
        for name in (n for n in dir(mod) if not n.startswith("_")):
            assert hasattr(theirs, name) and getattr(mod, name) is getattr(md, name), name
    loader = ud.DataLoader(ud.TensorDataset(mg.arange(6.0)), batch_size=4)
    assert [b[0].tolist() for b in loader] == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0]]


@pytest.mark.parametrize("lib", [mg, torch], ids=["minigrad", "torch"])
def test_fork_rng_restores_the_generator(lib):
    lib.manual_seed(3)
    with lib.random.fork_rng():
        inside = lib.rand(3)
        lib.rand(5)
    after = lib.rand(3)
    assert inside.tolist() == after.tolist()
    with lib.random.fork_rng(enabled=False):
        lib.rand(1)
    assert lib.rand(3).tolist() != after.tolist()
    assert lib.random.initial_seed() == 3


def test_backend_flags_read_back_as_torchs():
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(mg.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name
    for name in ("allow_tf32", "allow_fp16_reduced_precision_reduction",
                 "allow_bf16_reduced_precision_reduction"):
        assert getattr(mg.backends.cuda.matmul, name) == \
            getattr(torch.backends.cuda.matmul, name), name
    for fn in ("flash_sdp_enabled", "mem_efficient_sdp_enabled", "math_sdp_enabled",
               "cudnn_sdp_enabled"):
        assert getattr(mg.backends.cuda, fn)() == getattr(torch.backends.cuda, fn)(), fn
    assert mg.backends.mps.is_available() is torch.backends.mps.is_available() is False
    for lib in (mg, torch):
        with pytest.raises(AttributeError, match="Unknown attribute foo"):
            lib.backends.cuda.matmul.foo = 1
        lib.backends.cuda.matmul.allow_tf32 = True      # tied to the matmul precision
        try:
            assert lib.get_float32_matmul_precision() == "high"
        finally:
            lib.backends.cuda.matmul.allow_tf32 = False
        assert lib.get_float32_matmul_precision() == "highest"
        with lib.backends.cudnn.flags(enabled=False, deterministic=True):
            assert not lib.backends.cudnn.enabled and lib.backends.cudnn.deterministic
        assert lib.backends.cudnn.enabled and not lib.backends.cudnn.deterministic


def test_sdpa_kernel_sets_the_flags_as_torch():
    from torch.nn.attention import SDPBackend as TB, sdpa_kernel as tk
    from minigrad.nn.attention import SDPBackend as MB, sdpa_kernel as mk
    assert {k: int(v) for k, v in TB.__members__.items()} == \
        {k: int(v) for k, v in MB.__members__.items()}
    flags = ("flash_sdp_enabled", "mem_efficient_sdp_enabled", "math_sdp_enabled",
             "cudnn_sdp_enabled")
    for choice in (["MATH"], ["FLASH_ATTENTION"], ["MATH", "EFFICIENT_ATTENTION"]):
        with tk([TB.__members__[c] for c in choice]):
            want = [getattr(torch.backends.cuda, f)() for f in flags]
        with mk([MB.__members__[c] for c in choice]) as got_ctx:
            got = [getattr(mg.backends.cuda, f)() for f in flags]
            q = mg.ones(1, 2, 3)
            out = mg.nn.functional.scaled_dot_product_attention(q, q, q)
        assert got == want and got_ctx is None and out.shape == (1, 2, 3)
    assert all(getattr(mg.backends.cuda, f)() for f in flags)     # restored
    with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
        with mk("math"):
            pass


def test_legacy_variable_as_torch():
    from torch.autograd import Variable as TV
    from minigrad.autograd import Variable as MV
    for lib, V in ((mg, MV), (torch, TV)):
        t = lib.ones(2)
        v = V(t)
        assert v is not t and not v.requires_grad and isinstance(t, V)
        assert v.data_ptr() == t.data_ptr()
        w = V(t, requires_grad=True)
        assert w.requires_grad and w.is_leaf and not t.requires_grad
        y = (t * 2).requires_grad_()
        assert V(y * 3).grad_fn is None
        assert tuple(V().shape) == (0,)
        with pytest.raises(TypeError, match="Variable data has to be a tensor, but got int"):
            V(3)
        with pytest.warns(UserWarning, match="volatile was removed"):
            V(t, volatile=True)
    x = mg.tensor([0.5, 1.5], dtype=mg.float64, requires_grad=True)
    assert mg.autograd.gradcheck(lambda a: (a * a).sin(), (x,))
    assert mg.autograd.gradgradcheck(lambda a: (a * a).sin(), (x,))


def test_cuda_runtime_functions_without_a_gpu_as_torchs_cpu_build():
    if mg.cuda.is_available() or torch.cuda.is_available():
        pytest.skip("compares the behaviour without a GPU")
    for name in ("empty_cache", "seed", "seed_all"):
        assert getattr(mg.cuda, name)() is getattr(torch.cuda, name)() is None
    for name in ("memory_allocated", "memory_reserved"):
        assert getattr(mg.cuda, name)() == getattr(torch.cuda, name)() == 0
    assert mg.cuda.is_bf16_supported() is torch.cuda.is_bf16_supported() is False
    assert mg.cuda.is_initialized() is torch.cuda.is_initialized() is False
    mg.manual_seed(5)
    torch.manual_seed(5)
    mg.cuda.manual_seed(9)          # the CPU generator is untouched, as torch's
    torch.cuda.manual_seed_all(9)
    mg.cuda.manual_seed_all(9)
    a = mg.rand(3)
    mg.manual_seed(5)
    assert mg.rand(3).tolist() == a.tolist()
    for name in ("current_device", "get_device_name", "get_device_capability",
                 "get_device_properties", "mem_get_info", "init"):
        with pytest.raises(AssertionError):
            getattr(torch.cuda, name)()
        with pytest.raises(AssertionError, match=f"minigrad.cuda.{name}: CUDA is not "
                                                 "available"):
            getattr(mg.cuda, name)()


def test_jit_names_model_code_uses():
    for lib in (mg, torch):
        assert lib.jit.is_scripting() is False and lib.jit.is_tracing() is False
        assert lib.jit.annotate(int, 3) == 3
        for deco in (lib.jit.unused, lib.jit.ignore, lib.jit.export):
            f = deco(lambda x: x + 1)
            assert f(1) == 2
        assert lib.jit.ignore(drop=True)(lambda x: x * 3)(2) == 6
        assert lib.jit.script_if_tracing(lambda x: x - 1)(5) == 4
        assert lib.jit.Final is __import__("typing").Final
    with pytest.raises(NotImplementedError, match="minigrad.jit.script: minigrad has no "
                                                  "TorchScript"):
        mg.jit.script(mg.nn.Linear(2, 2))
