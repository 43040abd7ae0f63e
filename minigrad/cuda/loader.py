"""Compile kernels/*.cu with cupy.RawModule, once per (source, name set, options, device).

The API every launcher (and the attention kernels) uses:

    get_kernel("softmax", "softmax_warp_fwd<float,4,8,32,false>", group=names)

returns a `cupy.RawKernel` for one template instantiation. `group` lists the name
expressions compiled together with it in one NVRTC call (one module per group, so a dtype's
whole dispatch table costs one compile); it must contain `name_expression`. Every name must be
spelled exactly as the launcher will ask for it (CuPy matches the string), so launchers
generate both the group and the request from one dispatch table.

Sources are read from minigrad/kernels inside an installed wheel, or from the repository's
`kernels/` folder next to the package (a checkout, `pip install -e .`), or from
$MINIGRAD_KERNEL_DIR when set.
CuPy's own disk cache (~/.cupy/kernel_cache) makes the second process start instantly.
"""
from __future__ import annotations

import os
from collections import namedtuple
from pathlib import Path

import numpy as np

from .. import backend

_modules: dict = {}        # (stem, names, options, device) -> cupy.RawModule
_kernels: dict = {}        # (stem, name, names, options, device) -> cupy.RawKernel
_sources: dict = {}        # stem -> source text


def kernel_dir_candidates() -> list:
    """Where the .cu/.cuh sources may be, in order: $MINIGRAD_KERNEL_DIR, the package's own
    minigrad/kernels (an installed wheel ships them there), the checkout's kernels/."""
    env = os.environ.get("MINIGRAD_KERNEL_DIR")
    here = Path(__file__).resolve().parent              # .../minigrad/cuda
    return ([Path(env)] if env else []) + [here.parent / "kernels", here.parents[1] / "kernels"]


def kernel_dir() -> Path:
    """The folder holding the .cu/.cuh sources (the first of kernel_dir_candidates())."""
    candidates = kernel_dir_candidates()
    for c in candidates:
        if (c / "common.cuh").is_file():
            return c
    raise FileNotFoundError(
        "minigrad.cuda: cannot find the kernels/ folder (looked in "
        + ", ".join(str(c) for c in candidates)
        + "); reinstall minigrad (its wheel ships them as minigrad/kernels; from a checkout: "
          "pip install -e .) or set MINIGRAD_KERNEL_DIR")


def source(stem: str) -> str:
    """The text of kernels/<stem>.cu, with a #line directive so errors name the file."""
    if stem not in _sources:
        path = kernel_dir() / f"{stem}.cu"
        if not path.is_file():
            raise FileNotFoundError(f"minigrad.cuda: no kernel source {path}")
        _sources[stem] = f'#line 1 "{path.name}"\n' + path.read_text()
    return _sources[stem]


def toolkit_include() -> str | None:
    """The CUDA toolkit's include folder, or None ($MINIGRAD_CUDA_INCLUDE overrides; '' = off).

    Passed explicitly because CuPy may otherwise pick headers from a pip wheel that lacks
    some of them (crt/mma.h; see docs/kernels.md, 'Loading and compiling').
    """
    env = os.environ.get("MINIGRAD_CUDA_INCLUDE")
    if env is not None:
        return env or None
    roots = [os.environ.get("CUDA_PATH"), os.environ.get("CUDA_HOME")]
    cp = backend.cupy_module()
    if cp is not None:
        get_path = getattr(cp.cuda, "get_cuda_path", None)   # returns None without a toolkit
        roots.append(get_path() if get_path else None)
    roots.append("/usr/local/cuda")
    for r in roots:
        if r and (Path(r) / "include" / "cuda_runtime.h").is_file():
            return str(Path(r) / "include")
    return None


def compile_options(extra=()) -> tuple:
    """NVRTC options: C++17, our include folder, the toolkit's include folder, then `extra`."""
    opts = ["-std=c++17", f"-I{kernel_dir()}"]
    inc = toolkit_include()
    if inc:
        opts.append(f"-I{inc}")
    return tuple(opts) + tuple(extra)


def _cupy():
    cp = backend.cupy_module()
    if cp is None:
        raise RuntimeError("minigrad.cuda: CuPy with a working GPU is needed to compile kernels")
    return cp


def cublas():
    """CuPy's cuBLAS wrappers, cupy.cublas (gemm(transa, transb, a, b, out=, alpha=, beta=)).
    CuPy 13 no longer imports the submodule with cupy, so it is imported here."""
    cp = _cupy()
    if not hasattr(cp, "cublas"):
        import cupy.cublas  # noqa: F401  (sets cp.cublas)
    return cp.cublas


def get_module(stem: str, name_expressions, options=()):
    """The compiled (cached) RawModule of kernels/<stem>.cu for these template names."""
    cp = _cupy()
    names = tuple(name_expressions)
    key = (stem, names, tuple(options), cp.cuda.Device().id)
    mod = _modules.get(key)
    if mod is None:
        mod = cp.RawModule(code=source(stem), options=compile_options(options),
                           name_expressions=names)
        _modules[key] = mod
    return mod


def get_kernel(stem: str, name_expression: str, options=(), group=None):
    """One kernel of kernels/<stem>.cu as a cupy.RawKernel (compiled with `group`, cached)."""
    names = tuple(group) if group is not None else (name_expression,)
    if name_expression not in names:
        raise ValueError(f"get_kernel: {name_expression!r} is not in its compile group")
    cp = _cupy()
    key = (stem, name_expression, names, tuple(options), cp.cuda.Device().id)
    k = _kernels.get(key)
    if k is None:
        k = get_module(stem, names, options).get_function(name_expression)
        _kernels[key] = k
    return k


def clear_cache():
    """Forget compiled modules and sources (after editing a .cu file in a live session)."""
    _modules.clear()
    _kernels.clear()
    _sources.clear()
    _smem_allowed.clear()


_smem_allowed: dict = {}   # id(kernel) -> (kernel, dynamic shared-memory bytes allowed)


def allow_dynamic_smem(kernel, nbytes: int, carveout: bool = False):
    """Let `kernel` launch with `nbytes` of dynamic shared memory. Static + dynamic beyond
    48 KB needs the kernel's limit raised first (else the launch fails with
    CUDA_ERROR_INVALID_VALUE: 48 KB of dynamic plus the static accumulators is already
    beyond), so the limit is raised to nbytes whenever it is lower. carveout: ask for the
    largest shared-memory carveout, for several such blocks per SM. Driver calls only the
    first time a kernel needs more (the table holds the kernel, so its id stays unique)."""
    have = _smem_allowed.get(id(kernel), (None, None))[1]
    if have is not None and have >= nbytes:
        return
    if nbytes and kernel.max_dynamic_shared_size_bytes < nbytes:
        kernel.max_dynamic_shared_size_bytes = nbytes
    if carveout and have is None:
        kernel.preferred_shared_memory_carveout = 100
    _smem_allowed[id(kernel)] = (kernel, max(nbytes, have or 0))


# ---- helpers the launchers share --------------------------------------------------------------
CTYPES = {"float16": "__half", "float32": "float", "float64": "double"}
poison_outputs = False     # tests set this: fresh kernel outputs are NaN-filled before launch


def ctype(dtype) -> str | None:
    """The C++ type name of a NumPy dtype the kernels support, else None."""
    return CTYPES.get(str(dtype))


def empty(shape, dtype):
    """A fresh CuPy output array (NaN-filled when `poison_outputs` is set, to catch gaps)."""
    cp = _cupy()
    out = cp.empty(shape, dtype)
    if poison_outputs:      # NaN, or for integers the most negative value
        out.fill(float("nan") if out.dtype.kind in "fc" else np.iinfo(out.dtype).min)
    return out


def read_back_later(arr):
    """Queue a copy of the small device array `arr` to pinned host memory behind the work
    already on the stream; returns fetch(), which waits for that copy only (not for kernels
    queued after this call) and returns the NumPy copy. Without pinned memory (the CPU
    emulator's stand-in for CuPy), fetch() returns `arr` itself: indexing it syncs."""
    cp = _cupy()
    if not hasattr(cp.cuda, "alloc_pinned_memory"):
        return lambda: arr
    mem = cp.cuda.alloc_pinned_memory(arr.nbytes)
    host = np.frombuffer(mem, arr.dtype, arr.size).reshape(arr.shape)
    stream = cp.cuda.get_current_stream()
    cp.cuda.runtime.memcpyAsync(host.ctypes.data, arr.data.ptr, arr.nbytes,
                                cp.cuda.runtime.memcpyDeviceToHost, stream.ptr)
    done = stream.record()

    def fetch():
        done.synchronize()
        return host
    return fetch


def clusters_available() -> bool:
    """True on a GPU with thread-block clusters (compute capability 9.0 or newer)."""
    cc = getattr(_cupy().cuda.Device(), "compute_capability", "0")
    return str(cc).isdigit() and int(cc) >= 90


# One kernel launch as a launcher plans it: the name expression, grid and block sizes, and the
# dynamic shared-memory bytes (0 for most kernels).
Launch = namedtuple("Launch", "name grid block smem", defaults=(0,))


def cdiv(a: int, b: int) -> int:
    """ceil(a / b) for positive ints."""
    return -(-a // b)


def pow2ceil(n: int) -> int:
    """Smallest power of two >= n (1 for n <= 1)."""
    return 1 if n <= 1 else 1 << (int(n) - 1).bit_length()
