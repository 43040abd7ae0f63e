"""Launchers for kernels/reduce.cu: sum / amax / logsumexp over dims, and the teaching ladder.

A reduction over `dims` of a C-contiguous tensor is a reduction of an (outer, n, inner) view
when the reduced dims are adjacent. The dispatch (`plan`), one if-chain:

    outer == 1 and inner == 1          full: partials (grid fixed by n) + one final block
    inner == 1, n <= 1024              rows, GROUP lanes (1..32) per row
    inner == 1                         rows, one block (128..512 threads) per row
    outer * inner >= 2048              columns: one thread per output, walking down n
    otherwise (or dims not adjacent,
    integer dtypes, empty, 0-d)        None: the op runs CuPy's own reduction

Every launch shape depends only on the shape, so results are bitwise reproducible on any GPU.
"""
from __future__ import annotations

import functools

import numpy as np

from . import loader
from .loader import CTYPES, Launch, cdiv, pow2ceil

OPS = {"sum": 0, "max": 1, "logsumexp": 2}
FULL_BLOCK, FULL_MAX_GRID, FULL_PER_BLOCK = 256, 4096, 2048   # 4096: measured best on H100
FINAL_BLOCK = 1024
WARP_ROWS_MAX = 1024        # rows up to this long: GROUP lanes per row; longer: a block per row
ROW_BLOCK = 512
COLS_MIN_OUTPUTS = 2048     # fewer independent outputs than this leave the GPU mostly idle
MAX_GRID = 1 << 20


def split_dims(shape, dims):
    """(outer, n, inner) when `dims` (sorted) are adjacent, else None."""
    if not dims or list(dims) != list(range(dims[0], dims[-1] + 1)):
        return None
    a, b = dims[0], dims[-1] + 1
    return int(np.prod(shape[:a])), int(np.prod(shape[a:b])), int(np.prod(shape[b:]))


def full_grid(n: int) -> int:
    return max(1, min(cdiv(n, FULL_PER_BLOCK), FULL_MAX_GRID))


def plan(op: str, dtype, shape, dims, aligned: bool):
    """("full" | "rows" | "cols", [Launch, ...]) or None when no kernel applies."""
    dt = str(np.dtype(dtype))
    if dt not in CTYPES or op not in OPS:
        return None
    sp = split_dims(shape, dims)
    if sp is None or 0 in shape:
        return None
    outer, n, inner = sp
    t, o = CTYPES[dt], OPS[op]
    vec = 16 // np.dtype(dtype).itemsize
    if outer == 1 and inner == 1:
        v = vec if aligned else 1
        return "full", [Launch(f"reduce_full_partial<{t},{o},{v}>", full_grid(n), FULL_BLOCK),
                        Launch(f"reduce_full_final<{t},{o}>", 1, FINAL_BLOCK)]
    if inner == 1:
        v = vec if aligned and n % vec == 0 else 1
        if n <= WARP_ROWS_MAX:
            group = min(32, pow2ceil(cdiv(n, v)))
            grid = min(cdiv(outer, 128 // group), MAX_GRID)
            return "rows", [Launch(f"reduce_rows_warp<{t},{o},{v},{group}>", grid, 128)]
        # about 4 packs per thread, 128..512 threads (H100: 512 at 2048 columns ran 8% slower)
        block = min(ROW_BLOCK, max(128, pow2ceil(cdiv(n, 4 * v))))
        return "rows", [Launch(f"reduce_rows_block<{t},{o},{v}>", min(outer, MAX_GRID), block)]
    if n < 2**31 and outer * inner >= COLS_MIN_OUTPUTS:
        return "cols", [Launch(f"reduce_cols<{t},{o}>",
                               min(cdiv(outer * inner, 256), MAX_GRID), 256)]
    return None


@functools.cache
def names(dtype) -> tuple:
    """Every production instantiation plan() can return for `dtype`."""
    t = CTYPES[str(np.dtype(dtype))]
    vec = 16 // np.dtype(dtype).itemsize
    found = set()
    for o in OPS.values():
        found.add(f"reduce_full_final<{t},{o}>")
        found.add(f"reduce_cols<{t},{o}>")
        for v in {1, vec}:
            found.add(f"reduce_full_partial<{t},{o},{v}>")
            found.add(f"reduce_rows_block<{t},{o},{v}>")
            for k in range(6):
                found.add(f"reduce_rows_warp<{t},{o},{v},{1 << k}>")
    return tuple(sorted(found))


LADDER = {1: "reduce_v1_divergent", 2: "reduce_v2_strided", 3: "reduce_v3_sequential",
          4: "reduce_v4_shuffle"}


@functools.cache
def ladder_names(dtype) -> tuple:
    t = CTYPES[str(np.dtype(dtype))]
    return tuple(f"{k}<{t}>" for k in LADDER.values()) + (f"reduce_full_final<{t},0>",)


def _kernel(name, dtype):
    return loader.get_kernel("reduce", name, group=names(np.dtype(dtype)))


def _acc_dtype(dtype):
    return np.float32 if np.dtype(dtype) == np.float16 else np.dtype(dtype)


def reduce(x, dims, op: str, out=None):
    """`op` ("sum" | "max" | "logsumexp") of x over sorted `dims`, keepdims-shaped; None: no
    kernel applies. `out` (optional, keepdims shape, C-contiguous) receives the result."""
    if loader.ctype(x.dtype) is None or x.ndim == 0:
        return None
    if plan(op, x.dtype, x.shape, tuple(dims), False) is None:
        return None
    x = loader._cupy().ascontiguousarray(x)
    mode, launches = plan(op, x.dtype, x.shape, tuple(dims), x.data.ptr % 16 == 0)
    outer, n, inner = split_dims(x.shape, tuple(dims))
    kshape = tuple(1 if i in dims else s for i, s in enumerate(x.shape))
    if out is None:
        out = loader.empty(kshape, x.dtype)
    if mode == "full":
        part, fin = launches
        # partial states: m in [0, grid), l in [grid, 2 grid) (l only used by logsumexp)
        buf = loader.empty((2 * part.grid,), _acc_dtype(x.dtype))
        _kernel(part.name, x.dtype)((part.grid,), (part.block,),
                                    (x, buf, buf[part.grid:], np.int64(n)))
        _kernel(fin.name, x.dtype)((1,), (fin.block,),
                                   (buf, buf[part.grid:], out, np.int32(part.grid)))
    elif mode == "rows":
        ln, = launches
        _kernel(ln.name, x.dtype)((ln.grid,), (ln.block,), (x, out, np.int64(outer), np.int32(n)))
    else:
        ln, = launches
        _kernel(ln.name, x.dtype)((ln.grid,), (ln.block,),
                                  (x, out, np.int64(outer), np.int32(n), np.int64(inner)))
    return out


def ladder_sum(x, version: int, block: int = 256, grid: int | None = None):
    """Sum of all of x with teaching kernel `version` (1-4), partials finished on the GPU.

    Versions 1-3 use one element per thread (grid = ceil(n / block)); version 4 grid-strides
    (default grid 1024). Returns a 0-d array; for the benchmark and the tests."""
    if version not in LADDER:
        raise ValueError(f"ladder_sum: version must be 1-4, got {version!r}")
    cp = loader._cupy()
    x = cp.ascontiguousarray(x).ravel()
    n = x.size
    if grid is None:
        grid = min(cdiv(n, block), 1024) if version == 4 else cdiv(n, block)
    acc = _acc_dtype(x.dtype)
    part = loader.empty((grid,), acc)
    group = ladder_names(x.dtype)
    k = loader.get_kernel("reduce", group[version - 1], group=group)
    k((grid,), (block,), (x, part, np.int64(n)), shared_mem=block * np.dtype(acc).itemsize)
    out = loader.empty((), x.dtype)
    fin = loader.get_kernel("reduce", group[-1], group=group)
    fin((1,), (FINAL_BLOCK,), (part, part, out, np.int32(grid)))
    return out


# The ops' hand-off (minigrad/fastpath.py) calls these: the reference's arguments exactly.
def sum(x, dims):  # noqa: A001  (named after the op it speeds up)
    return reduce(x, dims, "sum")


def amax(x, dims):
    return reduce(x, dims, "max")


def logsumexp(x, dims):
    return reduce(x, dims, "logsumexp")
