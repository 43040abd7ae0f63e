"""What `out=` and CPU autocast cost per call, side by side with torch in one process: a small
op (add of two (64, 64) float32 tensors) and a layer-sized one (linear, (256, 512) by
(512, 512)) plain, with out=, and under autocast("cpu", dtype=float16). Prints microseconds
per call and minigrad/torch (below 1: minigrad faster). NumPy has no fast float16 matmul,
so the autocast row measures that too, not only the casting.

    python benchmarks/out_and_autocast.py
"""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from timing import round_robin  # noqa: E402


def cases(lib, Fn):
    rng = np.random.default_rng(0)
    a, b = (lib.tensor(rng.standard_normal((64, 64)).astype(np.float32)) for _ in range(2))
    x = lib.tensor(rng.standard_normal((256, 512)).astype(np.float32))
    w = lib.tensor(rng.standard_normal((512, 512)).astype(np.float32))
    o_add, o_lin = lib.empty(64, 64), lib.empty(256, 512)

    def autocast_linear():
        with lib.autocast("cpu", dtype=lib.float16):
            return Fn.linear(x, w)
    return {"add": lambda: lib.add(a, b), "add, out=": lambda: lib.add(a, b, out=o_add),
            "matmul": lambda: lib.matmul(x, w),
            "matmul, out=": lambda: lib.matmul(x, w, out=o_lin),
            "linear": lambda: Fn.linear(x, w), "linear, autocast fp16": autocast_linear}


def main():
    import torch
    torch.set_num_threads(1)
    mg.set_num_threads(1)
    ours, theirs = cases(mg, F), cases(torch, torch.nn.functional)
    print(f"{'case':24s} {'minigrad us':>12s} {'torch us':>10s} {'ratio':>7s}")
    for name in ours:
        m, t = round_robin([ours[name], theirs[name]], repeat=7, number=20)
        print(f"{name:24s} {m * 1e6:12.1f} {t * 1e6:10.1f} {m / t:7.2f}")


if __name__ == "__main__":
    main()
