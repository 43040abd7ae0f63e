"""Build kernels/*.cu for the CPU emulator (emu.h) and call them like CuPy RawKernels.

    lib = build("softmax", ["softmax_warp_fwd<float,4,8,32,false>"])
    lib["softmax_warp_fwd<float,4,8,32,false>"]((grid,), (block,), (x, y, np.int64(rows), ...))

The call takes CuPy's launch signature (grid, block, args, shared_mem=0) and checks what a GPU
would reject or silently misread: every argument's type against the kernel's parameter (CuPy
packs np.int32 as 4 bytes, Python int as 8, ...; arrays must have the pointee's dtype), block
size against __launch_bounds__, grid limits, dynamic shared memory against the 48 KB default
(or the raised `max_dynamic_shared_size_bytes`). Kernel failures the emulator detects
(deadlock, shared-memory overflow) and writes past an output buffer (guard bytes around every
`FakeCupy` allocation) raise EmuError.

`FakeCupy` stands in for the few CuPy calls minigrad/cuda/*.py makes, backed by NumPy arrays
whose `.data.ptr` is the host address; `patch_launchers()` routes minigrad.cuda.loader to it,
so the real dispatch code picks kernels and launch shapes and the emulator runs them.

Libraries are cached under $TMPDIR/minigrad-cuda-emu, keyed by a hash of emu.h, the kernel
sources, this file and the instantiation list.
"""
from __future__ import annotations

import atexit
import contextlib
import ctypes
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
KERNELS = HERE.parents[1] / "kernels"
CACHE = Path(tempfile.gettempdir()) / "minigrad-cuda-emu"
CXXFLAGS = ["-std=c++20", "-O1", "-fPIC", "-shared", "-pthread", "-w"]
DYN_SMEM_DEFAULT = 48 * 1024
DYN_SMEM_MAX = 227 * 1024
GUARD = 256                     # bytes around every FakeCupy allocation (alignment too)

# extern __shared__ T name[];  ->  T* name = (T*)emu::dynamic_smem();
_EXTERN_SHARED = re.compile(
    r"extern\s+__shared__\s+(?:(?:__align__|alignas)\s*\(\s*\d+\s*\)\s+)?"
    r"([A-Za-z_][\w:<>, ]*?)\s+(\w+)\s*\[\s*\]\s*;")
_BOUNDS = re.compile(r"__launch_bounds__\s*\(\s*(\d+)[^)]*\)\s*(\w+)\s*\(")


class EmuError(RuntimeError):
    """A launch the GPU would reject, or a failure the emulator detected while running it."""


def compiler_problem() -> str | None:
    """None when g++ can build emulated kernels, else why not (for pytest.skip)."""
    cxx = shutil.which("g++")
    if cxx is None:
        return "g++ not found"
    probe = "#include <barrier>\n#include <atomic>\nint main() { std::barrier<> b(1); " \
            "int i = 0; std::atomic_ref<int>(i).fetch_add(1); _Float16 h = 1; " \
            "return (int)(float)h - 1; }\n"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "probe.cpp"
        src.write_text(probe)
        res = subprocess.run([cxx, "-std=c++20", "-pthread", str(src), "-o", str(Path(tmp) / "a")],
                             capture_output=True, text=True, check=False)
    if res.returncode:
        return "g++ lacks C++20 <barrier>/atomic_ref or _Float16: " + res.stderr[-300:]
    return None


def rewrite(text: str) -> str:
    """The source as the emulator compiles it: dynamic shared arrays become pointers."""
    return _EXTERN_SHARED.sub(
        lambda m: f"{m.group(1)}* {m.group(2)} = "
                  f"static_cast<{m.group(1)}*>(emu::dynamic_smem());", text)


def launch_bounds(stem: str) -> dict:
    """{kernel name: max threads per block} from the __launch_bounds__ in kernels/<stem>.cu."""
    text = (KERNELS / f"{stem}.cu").read_text()
    return {m.group(2): int(m.group(1)) for m in _BOUNDS.finditer(text)}


def _sources() -> dict:
    return {p.name: p.read_text() for p in sorted(KERNELS.glob("*.cu*"))}


def build(stem: str, names) -> Library:
    """Compile kernels/<stem>.cu with the given template instantiations (cached)."""
    names = sorted(set(names))
    srcs = _sources()
    h = hashlib.sha256()
    for part in [(HERE / "emu.h").read_text(), Path(__file__).read_text(), " ".join(CXXFLAGS),
                 stem, *names,
                 *(k + v for k, v in srcs.items())]:
        h.update(part.encode())
    key = h.hexdigest()[:20]
    lib_path = CACHE / f"{stem}-{key}.so"
    if not lib_path.is_file():
        work = Path(tempfile.mkdtemp(dir=_mkcache()))
        try:
            for fname, text in srcs.items():
                (work / fname).write_text(rewrite(text))
            table = ",\n".join(f"    EMU_ENTRY({n})" for n in names)
            (work / "entries.cpp").write_text(
                f'#include "{stem}.cu"\n'
                f"static const emu::Entry emu_table[] = {{\n{table}\n}};\n"
                + _C_API)
            tmp_lib = work / "lib.so"
            cmd = ["g++", *CXXFLAGS, "-include", str(HERE / "emu.h"), f"-I{work}", f"-I{HERE}",
                   str(work / "entries.cpp"), "-o", str(tmp_lib)]
            res = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if res.returncode:
                raise EmuError(f"g++ failed on {stem}.cu:\n{res.stderr[-4000:]}")
            os.replace(tmp_lib, lib_path)          # atomic: parallel test runs are safe
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return Library(stem, lib_path)


def _mkcache() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


_C_API = r"""
extern "C" int emu_release_workers() { return emu::release_workers(); }
extern "C" void emu_add_static(void* p, unsigned long n) { emu::statics().push_back({p, n}); }
extern "C" int emu_count() { return sizeof(emu_table) / sizeof(emu_table[0]); }
extern "C" const char* emu_name(int i) { return emu_table[i].name; }
extern "C" const char* emu_sig(int i) { return emu_table[i].sig.c_str(); }
extern "C" int emu_launch(int i, void** args, unsigned gx, unsigned gy, unsigned gz,
                          unsigned bx, unsigned by, unsigned bz, unsigned long smem,
                          char* err, int errlen) {
    std::string e = emu::launch(emu_table[i].call, args, {gx, gy, gz}, {bx, by, bz}, smem);
    std::snprintf(err, errlen, "%s", e.c_str());
    return e.empty() ? 0 : 1;
}
"""


_LOADED: dict = {}              # path -> CDLL: the libraries loaded, for release_threads


def release_threads() -> int:
    """Join the emulator's idle worker threads (one per CUDA thread of the largest block
    launched; the next launch starts them again). Called after each test module that
    launched kernels (tests/conftest.py) and at exit. Returns how many were joined."""
    # (the pool is one per process; asking every library also covers a toolchain that
    # does not share it)
    return sum(d.emu_release_workers() for d in list(_LOADED.values()))


atexit.register(release_threads)


class Library:
    """The kernels of one compiled source, by name expression."""

    def __init__(self, stem: str, path: Path):
        self.stem = stem
        self.dll = _LOADED.get(str(path)) or ctypes.CDLL(str(path))
        _LOADED[str(path)] = self.dll
        d = self.dll
        d.emu_name.restype = d.emu_sig.restype = ctypes.c_char_p
        d.emu_launch.argtypes = [ctypes.c_int, ctypes.c_void_p] + [ctypes.c_uint] * 6 + [
            ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
        d.emu_add_static.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self.static_shared = _register_statics(d, path)
        bounds = launch_bounds(stem)
        self.kernels = {}
        for i in range(d.emu_count()):
            name = d.emu_name(i).decode()
            sig = d.emu_sig(i).decode().split()
            base = name.split("<")[0]
            self.kernels[name] = Kernel(self, i, name, sig, bounds.get(base, 1024))

    def __getitem__(self, name: str) -> Kernel:
        return self.kernels[name]


_NOT_KERNEL = ("_ZZN3emu", "_ZZNSt", "_ZZSt", "_ZZNKSt", "_ZZN9__gnu", "_ZZN10__cxxabi")


def _register_statics(dll, path) -> dict:
    """Register the kernels' static __shared__ arrays (function statics `_ZZ...`, found with
    nm) with the emulator, which poisons them at each block start. Returns {symbol: bytes}."""
    res = subprocess.run(["nm", "-S", "--defined-only", str(path)], capture_output=True,
                         text=True, check=True)
    syms = {}
    for line in res.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4:
            syms[parts[3]] = (int(parts[0], 16), int(parts[1], 16))
    base = ctypes.cast(dll.emu_count, ctypes.c_void_p).value - syms["emu_count"][0]
    found = {}
    for name, (addr, size) in syms.items():
        if name.startswith("_ZZ") and not name.startswith(_NOT_KERNEL) and size:
            dll.emu_add_static(base + addr, size)
            found[name] = size
    return found


_SCALARS = {np.int32: ("int32", ctypes.c_int32), np.int64: ("int64", ctypes.c_int64),
            np.uint32: ("uint32", ctypes.c_uint32), np.uint64: ("uint64", ctypes.c_uint64),
            np.float32: ("float32", ctypes.c_float), np.float64: ("float64", ctypes.c_double),
            np.bool_: ("bool", ctypes.c_bool)}


def _dims(t) -> tuple:
    t = tuple(int(v) for v in (t if isinstance(t, tuple) else (t,)))
    return t + (1,) * (3 - len(t))


class Kernel:
    """One emulated kernel with CuPy's RawKernel call signature."""

    def __init__(self, lib, index, name, sig, max_threads):
        self.lib, self.index, self.name, self.sig = lib, index, name, sig
        self.max_threads_per_block = max_threads
        self.max_dynamic_shared_size_bytes = DYN_SMEM_DEFAULT
        self.launches = []          # (grid, block, shared_mem) of every call, for tests

    def _arg(self, i, a, want):
        """A ctypes value for argument i, checked against parameter code `want`."""
        where = f"{self.name}: argument {i}"
        if isinstance(a, np.ndarray):
            got = f"p:{a.dtype}"
            if not want.startswith("p:") or want not in (got, "p:any"):
                raise EmuError(f"{where} is a {a.dtype} array, the kernel takes {want}")
            return ctypes.c_void_p(a.ctypes.data)
        if isinstance(a, np.uint64) and want.startswith("p:"):
            return ctypes.c_void_p(int(a))          # a raw (null) pointer
        if type(a) in _SCALARS:
            code, ct = _SCALARS[type(a)]
        elif isinstance(a, bool):
            code, ct = "bool", ctypes.c_bool
        elif isinstance(a, int):                      # CuPy packs Python int as long long
            code, ct = "int64", ctypes.c_int64
        elif isinstance(a, float):
            code, ct = "float64", ctypes.c_double
        else:
            raise EmuError(f"{where}: cannot pass {type(a).__name__}")
        if code != want:
            raise EmuError(f"{where} is {code} ({a!r}), the kernel takes {want}")
        return ct(a)

    def __call__(self, grid, block, args, shared_mem=0):
        grid, block = _dims(grid), _dims(block)
        nt = block[0] * block[1] * block[2]
        if len(args) != len(self.sig):
            raise EmuError(f"{self.name}: {len(args)} arguments for {len(self.sig)} parameters")
        if not 0 < nt <= self.max_threads_per_block:
            raise EmuError(f"{self.name}: block {block} outside 1..{self.max_threads_per_block} "
                           "threads (__launch_bounds__)")
        if min(grid) < 1 or grid[0] >= 2**31 or max(grid[1:]) > 65535:
            raise EmuError(f"{self.name}: invalid grid {grid}")
        if shared_mem > max(DYN_SMEM_DEFAULT, min(self.max_dynamic_shared_size_bytes,
                                                  DYN_SMEM_MAX)):
            raise EmuError(f"{self.name}: {shared_mem} bytes of dynamic shared memory above "
                           f"the kernel's limit {self.max_dynamic_shared_size_bytes}")
        vals = [self._arg(i, a, w) for i, (a, w) in enumerate(zip(args, self.sig))]
        ptrs = (ctypes.c_void_p * len(vals))(*[ctypes.cast(ctypes.pointer(v), ctypes.c_void_p)
                                               for v in vals])
        err = ctypes.create_string_buffer(1024)
        self.launches.append((grid, block, int(shared_mem)))
        rc = self.lib.dll.emu_launch(self.index, ptrs, *grid, *block, int(shared_mem), err, 1024)
        if rc:
            raise EmuError(f"{self.name} {grid}x{block}: {err.value.decode()}")
        for a in args:
            if isinstance(a, np.ndarray):
                check_guards(a, self.name)


# ---- a NumPy stand-in for the CuPy calls the launchers make -----------------------------------
_ALLOCS: dict = {}              # id(raw uint8 buffer) -> (buffer, start, end)


class DevArray(np.ndarray):
    """A NumPy array with CuPy's `.data.ptr` (the host address)."""

    @property
    def data(self):
        return types.SimpleNamespace(ptr=self.ctypes.data)


def _alloc(shape, dtype, fill=0xFF) -> DevArray:
    """A 256-byte aligned array between two guard zones of 0xff bytes (NaN for floats)."""
    dtype = np.dtype(dtype)
    shape = tuple(int(s) for s in (shape if isinstance(shape, tuple | list) else (shape,)))
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.full(nbytes + 3 * GUARD, 0xFF, np.uint8)
    start = (-raw.ctypes.data) % GUARD + GUARD
    raw[start:start + nbytes] = fill
    _ALLOCS[id(raw)] = (raw, start, start + nbytes)
    return raw[start:start + nbytes].view(dtype).reshape(shape).view(DevArray)


def check_guards(a: np.ndarray, who: str = "kernel"):
    """Raise EmuError if anything wrote into the guard zones around a's allocation."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    rec = _ALLOCS.get(id(root))
    if rec is None or rec[0] is not root:
        return
    raw, start, end = rec
    if (raw[:start] != 0xFF).any() or (raw[end:] != 0xFF).any():
        raise EmuError(f"{who} wrote outside a {a.dtype} buffer of {end - start} bytes")


def to_device(a, dtype=None) -> DevArray:
    """A guarded device-like copy of a NumPy array."""
    a = np.asarray(a, dtype=dtype)
    out = _alloc(a.shape, a.dtype)
    out[...] = a
    return out


def gemm(transa, transb, a, b, out=None, alpha=1.0, beta=0.0):
    """cupy.cublas.gemm in NumPy: out = alpha op(a) @ op(b) + beta out, op = 'N' (as is) or
    'T' (transposed), written into out's memory (CuPy's checks: 2-D operands of out's dtype,
    out of the product's shape). As cuBLAS, out is not read when beta == 0, so a NaN-poisoned
    out does not leak into the result."""
    ops = {"N": lambda m: m, "T": lambda m: m.T}
    assert a.ndim == b.ndim == 2 and a.dtype == b.dtype, "gemm: 2-D operands of one dtype"
    prod = np.matmul(ops[transa](np.asarray(a)), ops[transb](np.asarray(b)))
    if out is None:
        out, beta = _alloc(prod.shape, a.dtype), 0.0
    assert out.shape == prod.shape and out.dtype == a.dtype, "gemm: out's shape or dtype"
    alpha, beta = a.dtype.type(alpha), a.dtype.type(beta)
    out[...] = alpha * prod if beta == 0 else alpha * prod + beta * out
    check_guards(out, "gemm")
    return out


class FakeCupy(types.SimpleNamespace):
    """The subset of the cupy module used by minigrad/cuda/*.py, on guarded NumPy arrays.

    Fresh arrays from `empty` are filled with 0xff bytes (NaN): unwritten outputs show."""

    def __init__(self):
        super().__init__(cuda=types.SimpleNamespace(Device=lambda: types.SimpleNamespace(id=0)),
                         cublas=types.SimpleNamespace(gemm=gemm))

    @staticmethod
    def empty(shape, dtype=np.float32):
        return _alloc(shape, dtype)

    @staticmethod
    def zeros(shape, dtype=np.float32):
        return _alloc(shape, dtype, fill=0)

    @staticmethod
    def ones(shape, dtype=np.float32):
        out = _alloc(shape, dtype)
        out.fill(1)
        return out

    @staticmethod
    def empty_like(a):
        return _alloc(a.shape, a.dtype)

    @staticmethod
    def asarray(a, dtype=None):
        if isinstance(a, DevArray) and (dtype is None or np.dtype(dtype) == a.dtype):
            return a
        return to_device(a, dtype)

    @staticmethod
    def ascontiguousarray(a, dtype=None):
        if (isinstance(a, DevArray) and a.flags.c_contiguous
                and (dtype is None or np.dtype(dtype) == a.dtype)):
            return a
        return to_device(np.ascontiguousarray(a, dtype=dtype))

    @staticmethod
    def moveaxis(a, src, dst):
        return np.moveaxis(a, src, dst)

    @staticmethod
    def where(*args):
        return to_device(np.where(*args))


@contextlib.contextmanager
def patch_launchers(built: dict | None = None):
    """Make minigrad.cuda's launchers run on FakeCupy arrays and emulated kernels.

    Yields {(stem, names): Library} of the compile groups loaded so far (each once); pass the
    same dict again to reuse them across patches."""
    from minigrad.cuda import loader

    fake = FakeCupy()
    built = {} if built is None else built

    def get_kernel(stem, name_expression, options=(), group=None):
        names = tuple(group) if group is not None else (name_expression,)
        if name_expression not in names:
            raise ValueError(f"get_kernel: {name_expression!r} is not in its compile group")
        lib = built.get((stem, names))
        if lib is None:
            lib = built[(stem, names)] = build(stem, names)
        return lib[name_expression]

    saved = loader._cupy, loader.get_kernel, loader.poison_outputs
    loader._cupy, loader.get_kernel, loader.poison_outputs = (lambda: fake), get_kernel, True
    try:
        yield built
    finally:
        loader._cupy, loader.get_kernel, loader.poison_outputs = saved
