"""The benchmarks' shared timer: medians timed round-robin, so that background load on the
shared cores hits every library alike."""
from __future__ import annotations

import statistics
import time


def round_robin(fns, repeat=7, number=3, pause=0.02):
    """Median seconds per call of each callable: one warm-up call each, then `repeat`
    rounds of `number` calls of each in turn (a `pause` before each lets the other
    library's BLAS/OpenMP workers go idle)."""
    runs = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(repeat):
        for fn, r in zip(fns, runs):
            if pause:
                time.sleep(pause)
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            r.append((time.perf_counter() - t0) / number)
    return [statistics.median(r) for r in runs]
