"""CPU-runnable tests of the CUDA side: dispatch if-chains, name lists, loader, fallbacks.

No GPU needed: these check which kernel and launch shape each case gets, that every name the
dispatch can produce is in the compiled group, and (with nvcc) that the instantiations compile.
"""
from __future__ import annotations

import shutil

import numpy as np
import pytest

import minigrad as mg
from minigrad import backend
from minigrad.cuda import check, loader
from minigrad.cuda import cross_entropy as ce
from minigrad.cuda import reduce as red
from minigrad.cuda import softmax as sm
from minigrad.cuda.loader import Launch

DTYPES = ["float16", "float32", "float64"]
SHAPES_COLS = [1, 2, 3, 7, 8, 31, 32, 33, 64, 127, 128, 129, 1000, 1023, 1024, 1025, 2047,
               2048, 2049, 4095, 4096, 4097, 8191, 8192, 16384, 16385, 32768, 32769, 100000]


def _targs(name):
    return [int(v) if v.isdigit() else v for v in name[name.index("<") + 1:-1].split(",")]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["fwd", "bwd"])
@pytest.mark.parametrize("log", [False, True])
def test_softmax_rows_dispatch(dtype, kind, log):
    rng = np.random.default_rng()
    cols_list = SHAPES_COLS + list(rng.integers(1, 70000, 40))
    itemsize = np.dtype(dtype).itemsize
    for cols in cols_list:
        cols = int(cols)
        for aligned in (True, False):
            vec = sm.vec_for(dtype, cols, aligned)
            assert vec == (16 // itemsize if aligned and cols % (16 // itemsize) == 0 else 1)
            ln = sm.plan_rows(kind, dtype, 5000, cols, log, vec)
            assert ln.name in sm.names(dtype, kind), (cols, ln)
            args = _targs(ln.name)
            assert args[0] == loader.CTYPES[dtype] and args[1] == vec
            assert args[-1] == ("true" if log else "false")
            if cols <= sm.WARP_MAX[kind][dtype]:
                assert ln.name.startswith(f"softmax_warp_{kind}<")
                cpt, group = args[2], args[3]
                assert group * cpt >= cols > group * cpt // 2 or cols <= vec
                assert 32 % group == 0 and cpt % vec == 0
                assert ln.block == 128 and ln.grid == -(-5000 // (128 // group))
            elif cols <= sm.BLOCK_MAX[kind][dtype]:
                assert ln.name.startswith(f"softmax_block_{kind}<")
                cpt = args[2]
                assert ln.block * cpt >= cols and ln.block % 32 == 0
                assert 128 <= ln.block <= 1024 and cpt <= 32
            else:
                base = "softmax_online_fwd" if kind == "fwd" else "softmax_uncached_bwd"
                assert ln.name.startswith(base) and ln.block == sm.ONLINE_BLOCK


def test_softmax_layout_every_dim():
    shape = (3, 5, 7, 64)
    for dim in range(4):
        mode, ln = sm.plan("fwd", "float32", shape, dim, False, True)
        inner = int(np.prod(shape[dim + 1:]))
        if inner == 1:
            assert mode == "rows" and ln.name.startswith("softmax_warp_fwd")
        elif inner * 4 >= 32:
            assert mode == "strided" and ln.name == "softmax_strided_fwd<float,false>"
            outer = int(np.prod(shape[:dim]))
            assert ln.grid * ln.block >= outer * inner
        else:
            assert mode == "transpose"
    # an inner size of 2 floats (8 bytes) is too narrow to coalesce: one transpose copy
    assert sm.plan("bwd", "float32", (4, 100, 2), 1, True, True)[0] == "transpose"
    assert sm.plan("bwd", "float64", (4, 100, 4), 1, True, True)[0] == "strided"


def test_reduce_dispatch():
    f = "float32"
    mode, (part, fin) = red.plan("sum", f, (1000, 3), (0, 1), True)
    assert mode == "full" and part.name == "reduce_full_partial<float,0,4>"
    assert fin.name == "reduce_full_final<float,0>" and fin.grid == 1
    # the grid depends only on n (bitwise reproducible on any GPU), capped at 4096 blocks
    assert red.full_grid(1) == 1 and red.full_grid(2049) == 2 and red.full_grid(2**30) == 4096
    # a block per long row: about 4 packs per thread, 128..512 threads
    assert [red.plan("sum", f, (3, n), (1,), True)[1][0].block
            for n in (1025, 2048, 4096, 8192, 10**6)] == [512, 128, 256, 512, 512]
    assert red.plan("max", f, (7, 33), (1,), True)[1][0].name == "reduce_rows_warp<float,1,1,32>"
    assert red.plan("max", f, (7, 32), (1,), True)[1][0].name == "reduce_rows_warp<float,1,4,8>"
    assert red.plan("logsumexp", f, (7, 5000), (1,), False)[1][0].name == \
        "reduce_rows_block<float,2,1>"
    assert red.plan("sum", "float64", (64, 100, 64), (1,), True)[0] == "cols"
    assert red.plan("sum", f, (64, 100, 64), (1, 2), True)[0] == "rows"       # adjacent dims
    assert red.plan("sum", f, (3, 4, 5), (0, 2), True) is None                # not adjacent
    assert red.plan("sum", f, (2, 3), (0,), True) is None                     # too few outputs
    assert red.plan("sum", "int64", (2, 3), (1,), True) is None
    assert red.plan("sum", f, (0, 3), (1,), True) is None
    rng = np.random.default_rng()
    for _ in range(200):
        nd = int(rng.integers(1, 5))
        shape = tuple(int(s) for s in rng.integers(1, 40, nd))
        a = int(rng.integers(0, nd))
        b = int(rng.integers(a, nd))
        dt = DTYPES[int(rng.integers(0, 3))]
        op = ["sum", "max", "logsumexp"][int(rng.integers(0, 3))]
        p = red.plan(op, dt, shape, tuple(range(a, b + 1)), bool(rng.integers(0, 2)))
        if p is not None:
            assert all(ln.name in red.names(dt) for ln in p[1])


def test_cross_entropy_dispatch():
    assert ce.plan("fwd", "float32", 8192, 32000, True) == Launch("ce_fwd<float,4>", 8192, 1024)
    assert ce.plan("bwd", "float32", 262144, 128, True) == Launch("ce_bwd<float,4>", 262144, 32)
    assert ce.plan("fwd", "float64", 2**21, 7, True).grid == ce.MAX_GRID
    assert ce.plan("fwd", "float16", 3, 33, True).name == "ce_fwd<__half,1>"
    for dt in DTYPES:
        for c in (1, 3, 8, 33, 1024, 50257):
            for kind in ("fwd", "bwd"):
                ln = ce.plan(kind, dt, 10, c, True)
                assert ln.name in ce.names(dt) and ln.block % 32 == 0


@pytest.mark.parametrize("has_clusters", [False, True])
def test_cross_entropy_training_dispatch(has_clusters, monkeypatch):
    """The gradient-writing forward's if-chain: lanes per row up to 1024 classes, a cluster
    per row beyond 64 KB (sm_90+, x and dx equally aligned), else one block per row."""
    monkeypatch.setattr(loader, "clusters_available", lambda: has_clusters)
    lw = ce.plan_training("float32", 262144, 128, 0, 0)[0]
    assert lw.name == "ce_warp_fwd_grad<float,4,4,32>" and lw.grid == 262144 // 4
    assert ce.plan_training("float32", 100, 7, 0, 0)[0].name == "ce_warp_fwd_grad<float,1,1,8>"
    assert ce.plan_training("float32", 65536, 1024, 4, 0)[0].name.startswith(
        "ce_warp_fwd_grad<float,1,")                       # misaligned x: scalar loads
    assert ce.plan_training("float32", 65536, 1025, 0, 0)[0].name == "ce_fwd_grad<float,4,true>"
    ln, smem = ce.plan_training("float32", 8192, 32000, 0, 0)
    if has_clusters:
        assert ln.name == "ce_cluster_fwd_grad<float,2>" and smem == 64000
    else:
        assert ln.name == "ce_fwd_grad<float,4,true>" and smem == 128000
    assert ce.plan_training("float32", 8192, 32000, 4, 0)[0].name.startswith("ce_fwd_grad")
    # forcing one path (tests, benchmarks) turns the chain off
    assert ce.plan_training("float32", 9, 128, 0, 0, stage=False)[0].name == \
        "ce_fwd_grad<float,4,false>"
    assert ce.plan_training("float32", 9, 128, 0, 0, cluster=False)[0].name.startswith(
        "ce_fwd_grad<")
    for dt in DTYPES:
        for c in range(1, ce.WARP_MAX_CLASSES + 1, 37):
            for aligned in (False, True):
                ln = ce.plan_warp(dt, 10, c, aligned)
                cpt, group = map(int, ln.name[:-1].split(",")[-2:])
                assert ln.name in ce.names(dt, cluster=False) and cpt <= 32
                assert group * cpt >= c                     # the row fits the lanes


def test_loader_finds_sources(tmp_path, monkeypatch):
    assert (loader.kernel_dir() / "common.cuh").is_file()
    src = loader.source("softmax")
    assert src.startswith('#line 1 "softmax.cu"') and "softmax_warp_fwd" in src
    opts = loader.compile_options(("-lineinfo",))
    assert opts[0] == "-std=c++17" and f"-I{loader.kernel_dir()}" in opts
    assert opts[-1] == "-lineinfo"
    (tmp_path / "common.cuh").write_text("// test\n")
    monkeypatch.setenv("MINIGRAD_KERNEL_DIR", str(tmp_path))
    assert loader.kernel_dir() == tmp_path
    monkeypatch.setenv("MINIGRAD_CUDA_INCLUDE", "")
    assert loader.toolkit_include() is None


def test_loader_without_gpu_raises_clearly(monkeypatch):
    monkeypatch.setattr(backend, "cupy_module", lambda: None)
    with pytest.raises(RuntimeError, match="CuPy"):
        loader.get_kernel("softmax", "softmax_strided_fwd<float,false>")
    with pytest.raises(ValueError, match="compile group"):
        loader.get_kernel("softmax", "a<b>", group=("c<d>",))


def test_use_kernels_switch_and_cpu_never_uses_cuda_paths(monkeypatch):
    assert mg.cuda.kernels_enabled()
    with mg.cuda.use_kernels(False):
        assert not mg.cuda.kernels_enabled() and not backend.kernels_enabled
    assert mg.cuda.kernels_enabled()
    from minigrad.cuda import cross_entropy as cuda_ce
    from minigrad.cuda import reduce as cuda_reduce
    from minigrad.cuda import softmax as cuda_softmax

    def boom(*a, **k):
        raise AssertionError("a CUDA launcher called for a NumPy array")
    for mod, names in ((cuda_softmax, ("softmax", "log_softmax", "softmax_backward",
                                       "log_softmax_backward")),
                       (cuda_reduce, ("sum", "amax", "logsumexp")),
                       (cuda_ce, ("cross_entropy", "cross_entropy_backward"))):
        for name in names:
            monkeypatch.setattr(mod, name, boom)
    x = mg.tensor(np.random.default_rng().standard_normal((3, 5)), requires_grad=True)
    F = mg.nn.functional
    (F.softmax(x, 1).sum() + F.log_softmax(x, 0).sum() + x.amax(1).sum() + x.logsumexp(0).sum()
     + F.cross_entropy(x, mg.tensor([0, 4, 2]))).backward()
    assert x.grad is not None


def test_fastpath_run_picks_by_device_and_falls_back_on_none():
    from minigrad import fastpath

    class Device:                       # stands in for a CuPy array: not a NumPy array
        pass

    calls = []

    def cpu(a, k):
        calls.append("cpu")
        return None if k == "none" else ("cpu", k)

    def cuda(a, k):
        calls.append("cuda")
        return None if k == "none" else ("cuda", k)

    def ref(a, k):
        return ("ref", k)

    host, dev = np.zeros(2), Device()
    assert fastpath.run(cpu, cuda, ref, host, 1) == ("cpu", 1)
    assert fastpath.run(cpu, cuda, ref, dev, 1) == ("cuda", 1)
    assert fastpath.run(cpu, cuda, ref, host, "none") == ("ref", "none")
    assert fastpath.run(cpu, cuda, ref, dev, "none") == ("ref", "none")
    assert fastpath.run(None, None, ref, host, 2) == ("ref", 2)
    assert calls == ["cpu", "cuda", "cpu", "cuda"]
    with mg.cuda.use_kernels(False):
        assert fastpath.run(cpu, cuda, ref, dev, 3) == ("ref", 3)
    assert calls == ["cpu", "cuda", "cpu", "cuda"]


def test_launchers_return_none_when_no_kernel_applies():
    class Fake:                       # duck-typed array: only what the checks read
        def __init__(self, shape, dtype):
            self.shape, self.dtype, self.ndim = shape, np.dtype(dtype), len(shape)
            self.size = int(np.prod(shape))
    assert sm.softmax_forward(Fake((3, 4), "int64"), 1) is None
    assert sm.softmax_forward(Fake((0, 4), "float32"), 1) is None
    assert sm.softmax_backward(Fake((3, 4), "float32"), Fake((3, 4), "float64"), 1) is None
    assert red.reduce(Fake((), "float32"), (), "sum") is None
    assert ce.forward(Fake((3, 4, 5), "float32"), Fake((3,), "int64")) is None


def test_names_are_consistent_and_unique():
    names = check.all_names()
    for stem, lst in names.items():
        assert len(lst) == len(set(lst)) and lst
        src = loader.source(stem)
        for n in lst:
            assert n.split("<")[0] in src


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc not installed")
def test_sampled_instantiations_compile():
    # one name per kernel family and dtype (all of them: python -m minigrad.cuda.check)
    for stem, lst in check.all_names().items():
        seen, sample = set(), []
        for n in lst:
            key = (n[:n.index("<")], _targs(n)[0]) if "<" in n else (n, None)
            if key not in seen:
                seen.add(key)
                sample.append(n)
        check.compile_names(stem, sample)


def test_backend_tries_cupy_on_first_sight_of_a_cupy_type(monkeypatch):
    from minigrad import backend
    calls = []
    monkeypatch.setattr(backend, "_cupy", None)
    monkeypatch.setattr(backend, "cupy_module", lambda: calls.append(1))
    fake = type("ndarray", (), {"__module__": "cupy._core.core"})()
    assert backend.array_module(fake) is np and not backend.is_cuda_array(fake)
    assert calls == [1, 1]                     # asked for CuPy (absent here: stays NumPy)
    assert backend.array_module(np.zeros(2)) is np and calls == [1, 1]   # NumPy: never asks
    backend.array_module(3.0)
    assert calls == [1, 1]                     # nor for Python scalars
