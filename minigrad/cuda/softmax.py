"""Launchers for kernels/softmax.cu and kernels/softmax_cluster.cu (the thread-block-cluster
kernels, sm_90+): pick a kernel by layout, row length and dtype, then launch.

The dispatch is one readable if-chain (`plan_rows`); its cut-offs come from the register
budget measured on an H100 (docs/kernels.md, 'Registers per thread': beyond about 64-128
values per thread the compiler spills, and a warp-per-row kernel at 4096 fp32 backward ran at
half speed):

    dim is the last (contiguous) dim:
        cols <= WARP_MAX     one warp (or GROUP < 32 lanes, for short rows) per row, in registers
        cols <= BLOCK_MAX    one block per row, in registers
        clusters (sm_90+):   one thread-block cluster (2..8 blocks) per row, 1 read + 1 write
            forward, 16-byte packs, slice <= CLUSTER_SMEM_BYTES: slices in shared memory
                (4 packs per thread in registers, the rest, at most 48 KB, in shared memory)
            otherwise, at most CLUSTER_CPT values per thread: slices in registers
        otherwise            forward: online (m, l) pass + write pass; backward: two passes
    dim has inner size > 1 (e.g. dim=1 of (N, C, H, W)):
        inner * itemsize >= 32 bytes   strided kernel on the (outer, dim, inner) layout, no copy
        otherwise                      one transpose copy to rows, row kernel, copy back

WARP_MAX for float32 forward is 2048: at 4096 the warp kernel needs 128 values per lane
(155-167 registers, 3 blocks per SM) and log_softmax ran at 71% of copy bandwidth; the block
kernel (256 threads x 16 values) runs at 98%. The cluster kernels replace the online/uncached
kernels, which read a long row twice (from DRAM once rows stop fitting in L2). Cluster size:
the smallest power of two giving each block at most 64 KB (shared-memory forward) or 512
threads x CLUSTER_CPT values (register kernels); threads: 256 for the shared-memory forward,
else enough for CLUSTER_CPT values each. Measured figures: benchmarks/RESULTS.md.

Every function returns None when no kernel applies (dtype, empty, 0-d); the op then runs its
plain CuPy path. `names(dtype, kind, cluster)` lists every template instantiation the dispatch
can ask for: the loader compiles those of each source file as one group (`group`), and the
tests check the two never drift apart. `cluster=False` (the default of `plan`, and what the CPU
emulator uses) never picks the cluster kernels; the launchers pass `clusters_available()`.
"""
from __future__ import annotations

import functools

import numpy as np

from . import loader
from .loader import CTYPES, Launch, cdiv, clusters_available, pow2ceil


MAX_GRID = 1 << 20          # kernels loop over rows with a grid stride beyond this
WARP_BLOCK = 128            # threads per block of the warp-per-row kernels
ONLINE_BLOCK = 512          # threads per block of the online / uncached kernels
STRIDED_BLOCK = 256
WARP_MAX = {"fwd": {"float32": 2048, "float64": 1024, "float16": 1024},
            "bwd": {"float32": 2048, "float64": 512, "float16": 1024}}
BLOCK_MAX = {"fwd": {"float32": 32768, "float64": 16384, "float16": 4096},
             "bwd": {"float32": 16384, "float64": 4096, "float16": 4096}}
CLUSTER_MAX_BLOCKS = 8      # the portable cluster size limit
CLUSTER_CPT = {"fwd": {"float32": 32, "float64": 16, "float16": 32},     # values per thread:
               "bwd": {"float32": 16, "float64": 8, "float16": 16}}      # beyond, fall back
CLUSTER_SMEM_BYTES = 64 * 1024   # the forward's slice (registers + shared memory) per block
SMEM_BLOCK = 256                 # threads per block of the shared-memory cluster forward
SMEM_REG_PACKS = 4               # 16-byte packs per thread kept in registers (softmax_cluster.cu)


def vec_for(dtype, cols: int, aligned: bool) -> int:
    """Elements per 16-byte access, or 1 when the pointer or the row length forbids it."""
    vec = 16 // np.dtype(dtype).itemsize
    return vec if aligned and cols % vec == 0 else 1


def _cluster_size(cols: int, per_block: int) -> int:
    """The smallest power of two from 2 to CLUSTER_MAX_BLOCKS giving blocks <= per_block."""
    size = 2
    while size < CLUSTER_MAX_BLOCKS and cdiv(cols, size) > per_block:
        size *= 2
    return size


def plan_cluster(kind: str, dt: str, cols: int, vec: int):
    """(cluster size, threads, values per thread) of the register cluster kernel, or None.

    Measured on the H100 at 131072 floats: 512 threads x 32 values (2 blocks per SM) ran the
    forward at 76-81% of copy bandwidth, 1024 x 16 (1 block per SM) at 51%; the backward
    (y and dy in registers) reached 82-98% with 512-1024 threads x 16 values."""
    cpt_max = CLUSTER_CPT[kind][dt]
    size = _cluster_size(cols, 512 * cpt_max)
    slice_ = cdiv(cols, size * vec) * vec                      # columns per block
    threads = min(1024, max(128, pow2ceil(cdiv(slice_, cpt_max))))
    cpt = vec * pow2ceil(cdiv(slice_, threads * vec))
    return (size, threads, cpt) if cpt <= cpt_max else None


def plan_cluster_smem(dt: str, cols: int, vec: int):
    """(cluster size, threads, dynamic smem bytes) of the shared-memory cluster forward, or
    None: it needs 16-byte packs and a slice of at most CLUSTER_SMEM_BYTES. Each of the
    SMEM_BLOCK threads keeps SMEM_REG_PACKS packs of the slice in registers, the rest goes to
    shared memory (at most 48 KB: 4 blocks per SM)."""
    itemsize = np.dtype(dt).itemsize
    if vec * itemsize != 16:
        return None
    size = _cluster_size(cols, CLUSTER_SMEM_BYTES // itemsize)
    slice_ = cdiv(cols, size * vec) * vec
    if slice_ * itemsize > CLUSTER_SMEM_BYTES:
        return None
    in_smem = max(0, slice_ // vec - SMEM_REG_PACKS * SMEM_BLOCK)      # packs
    return size, SMEM_BLOCK, in_smem * 16


def plan_rows(kind: str, dtype, rows: int, cols: int, log: bool, vec: int,
              cluster: bool = False, smem: bool = True) -> Launch:
    """The kernel and launch shape for `rows` contiguous rows of length `cols`.

    cluster: the device has thread-block clusters (sm_90+); False never picks them.
    smem: the forward may use the shared-memory cluster kernel (False: registers only)."""
    dt = str(np.dtype(dtype))
    t, lg = CTYPES[dt], "true" if log else "false"
    if cols <= WARP_MAX[kind][dt]:
        group = min(32, pow2ceil(cdiv(cols, vec)))            # lanes per row
        cpt = vec * pow2ceil(cdiv(cols, group * vec))         # values per lane
        grid = min(cdiv(rows, WARP_BLOCK // group), MAX_GRID)
        return Launch(f"softmax_warp_{kind}<{t},{vec},{cpt},{group},{lg}>", grid, WARP_BLOCK)
    if cols <= BLOCK_MAX[kind][dt]:
        threads = min(1024, max(128, pow2ceil(cdiv(cols, 16))))   # about 16 values each
        cpt = vec * pow2ceil(cdiv(cols, threads * vec))
        return Launch(f"softmax_block_{kind}<{t},{vec},{cpt},{lg}>", min(rows, MAX_GRID),
                      threads)
    ps = plan_cluster_smem(dt, cols, vec) if cluster and smem and kind == "fwd" else None
    if ps is not None:
        size, threads, nbytes = ps
        return Launch(f"softmax_cluster_smem_fwd<{t},{vec},{size},{lg}>",
                      size * max(1, min(rows, MAX_GRID // size)), threads, nbytes)
    pc = plan_cluster(kind, dt, cols, vec) if cluster else None
    if pc is not None:
        size, threads, cpt = pc
        return Launch(f"softmax_cluster_{kind}<{t},{vec},{cpt},{size},{lg}>",
                      size * max(1, min(rows, MAX_GRID // size)), threads)
    base = "softmax_online_fwd" if kind == "fwd" else "softmax_uncached_bwd"
    return Launch(f"{base}<{t},{vec},{lg}>", min(rows, MAX_GRID), ONLINE_BLOCK)


def split(shape, dim):
    """(outer, n, inner) of a C-contiguous tensor reduced along `dim`."""
    return int(np.prod(shape[:dim])), int(shape[dim]), int(np.prod(shape[dim + 1:]))


def plan(kind: str, dtype, shape, dim: int, log: bool, aligned: bool, cluster: bool = False):
    """("rows" | "strided" | "transpose", Launch) for a softmax of `shape` along `dim`."""
    outer, n, inner = split(shape, dim)
    if inner == 1:
        return "rows", plan_rows(kind, dtype, outer, n, log, vec_for(dtype, n, aligned),
                                 cluster)
    if inner * np.dtype(dtype).itemsize >= 32:
        lg = "true" if log else "false"
        name = f"softmax_strided_{kind}<{CTYPES[str(np.dtype(dtype))]},{lg}>"
        return "strided", Launch(name, min(cdiv(outer * inner, STRIDED_BLOCK), MAX_GRID),
                                 STRIDED_BLOCK)
    # after the transpose copy the rows are fresh, aligned allocations
    return "transpose", plan_rows(kind, dtype, outer * inner, n, log, vec_for(dtype, n, True),
                                  cluster)


@functools.cache
def names(dtype, kind: str, cluster: bool = True) -> tuple:
    """Every instantiation plan() can return for `dtype` and `kind` ("fwd" or "bwd"), with
    the cluster kernels (sm_90+ only) when `cluster` is set, without them otherwise."""
    dt = np.dtype(dtype)
    found = set()
    top = 2 * max(BLOCK_MAX[kind][str(dt)],
                  CLUSTER_MAX_BLOCKS * 1024 * CLUSTER_CPT[kind][str(dt)] if cluster else 0)
    for log in (False, True):
        for vec in {1, 16 // dt.itemsize}:
            # template arguments change only where a ceil-division crosses a power of two
            for k in range(top.bit_length() + 1):
                for cols in (vec << k, (vec << k) + vec):
                    if cols <= top:
                        for cl, sh in {(False, False), (cluster, False), (cluster, True)}:
                            found.add(plan_rows(kind, dt, 1, cols, log, vec, cl, sh).name)
        lg = "true" if log else "false"
        found.add(f"softmax_strided_{kind}<{CTYPES[str(dt)]},{lg}>")
    return tuple(sorted(found))


def teaching_names(dtype) -> tuple:
    """The teaching kernel softmax_naive_fwd (never dispatched): its instantiations, for the
    tests and the nvcc check."""
    t = CTYPES[str(np.dtype(dtype))]
    return tuple(f"softmax_naive_fwd<{t},{lg}>" for lg in ("false", "true"))


def _supported(a, dim) -> bool:
    return (loader.ctype(a.dtype) is not None and a.ndim >= 1 and a.size > 0
            and a.shape[dim] < 2**31)


def stem(name: str) -> str:
    """The source file (kernels/<stem>.cu) that defines kernel `name`."""
    return "softmax_cluster" if name.startswith("softmax_cluster_") else "softmax"


@functools.cache
def group(dtype, kind: str, cluster: bool, src: str) -> tuple:
    """The compile group of source file `src`: the names(dtype, kind, cluster) it defines."""
    return tuple(n for n in names(dtype, kind, cluster) if stem(n) == src)


def _launch(ln: Launch, dtype, kind, cluster, *args):
    src = stem(ln.name)
    k = loader.get_kernel(src, ln.name, group=group(np.dtype(dtype), kind, cluster, src))
    if ln.smem:
        loader.allow_dynamic_smem(k, ln.smem, carveout=True)     # room for 4 slices per SM
    k((ln.grid,), (ln.block,), args, shared_mem=ln.smem)


def _run(kind, mode, ln, ins, out, shape, dim, cluster):
    """Launch on C-contiguous `ins` (and `out`, already allocated) of `shape`."""
    outer, n, inner = split(shape, dim)
    if mode == "rows":
        _launch(ln, out.dtype, kind, cluster, *ins, out, np.int64(outer), np.int32(n))
    else:
        _launch(ln, out.dtype, kind, cluster, *ins, out, np.int64(outer), np.int32(n),
                np.int64(inner))


def _apply(kind, ins, dim, log, out):
    cp = loader._cupy()
    ins = [cp.ascontiguousarray(a) for a in ins]
    shape, dtype = ins[0].shape, ins[0].dtype
    aligned = all(a.data.ptr % 16 == 0 for a in ins)
    cluster = clusters_available()
    mode, ln = plan(kind, dtype, shape, dim, log, aligned, cluster)
    if mode == "transpose":
        tin = [cp.ascontiguousarray(cp.moveaxis(a, dim, -1)) for a in ins]
        tout = loader.empty(tin[0].shape, dtype)
        _run(kind, "rows", ln, tin, tout, tin[0].shape, tin[0].ndim - 1, cluster)
        res = cp.ascontiguousarray(cp.moveaxis(tout, -1, dim))
        if out is not None:
            out[...] = res
            return out
        return res
    if out is None:
        out = loader.empty(shape, dtype)
    _run(kind, mode, ln, ins, out, shape, dim, cluster)
    return out


def softmax_forward(x, dim: int, log: bool = False, out=None):
    """softmax(x, dim) (log_softmax with log=True) by kernels/softmax.cu; None: no kernel.

    `out`, if given, must be a C-contiguous array of x's shape and dtype (tests poison it)."""
    if not _supported(x, dim):
        return None
    return _apply("fwd", [x], dim, log, out)


def softmax_backward(y, dy, dim: int, log: bool = False, out=None):
    """dx from the forward output y and upstream dy (see kernels/softmax.cu); None: no kernel."""
    if not _supported(y, dim) or dy.dtype != y.dtype or dy.shape != y.shape:
        return None
    return _apply("bwd", [y, dy], dim, log, out)


# The ops' hand-off (minigrad/fastpath.py) calls these: the reference's arguments exactly.
def softmax(x, dim):
    return softmax_forward(x, dim)


def log_softmax(x, dim):
    return softmax_forward(x, dim, log=True)


def log_softmax_backward(y, dy, dim):
    return softmax_backward(y, dy, dim, log=True)
