"""Forward-mode AD (jvp) cost of the rules in the activation, softmax, loss, norm and attention
ops, side by side with torch.autograd.forward_ad in one process.

    python benchmarks/forward_mode.py [--repeat 7]

For each op: the plain forward, and the forward with one dual input (value and tangent), for
minigrad and torch (CPU, float64 and float32), best of `repeat` round-robin runs. The column
'jvp/fwd' is what forward mode costs over the plain call; 'vs torch' compares the jvp calls.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import minigrad as mg                       # noqa: E402
import minigrad.nn.functional as F          # noqa: E402
from minigrad import forward_ad as fw       # noqa: E402

try:
    import torch
    import torch.nn.functional as tF
except ImportError:
    torch = None


def best(fn, repeat, number=3):
    fn()
    out = float("inf")
    for _ in range(repeat):
        time.sleep(0.01)                    # let torch's OpenMP workers go idle
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        out = min(out, (time.perf_counter() - t0) / number)
    return out


def cases(rng):
    x = rng.standard_normal((2048, 1024))
    t = rng.integers(0, 1024, 2048)
    q = rng.standard_normal((8, 256, 64))
    return [
        ("gelu", x, lambda L, a: L[1].gelu(a)),
        ("logaddexp", x, lambda L, a: L[0].logaddexp(a, a * 0.5)),
        ("softmax", x, lambda L, a: L[1].softmax(a, -1)),
        ("log_softmax", x, lambda L, a: L[1].log_softmax(a, -1)),
        ("cross_entropy", x, lambda L, a: L[1].cross_entropy(a, L[0].tensor(t),
                                                             label_smoothing=0.1)),
        ("layer_norm", x, lambda L, a: L[1].layer_norm(a, (1024,))),
        ("vector_norm", x, lambda L, a: L[0].linalg.vector_norm(a, 3.0, -1)),
        ("sdpa (8,256,64)", q, lambda L, a: L[1].scaled_dot_product_attention(a, a, a)),
    ]


def run(repeat, dtype):
    rng = np.random.default_rng(0)
    libs = {"minigrad": (mg, F, fw)}
    if torch is not None:
        torch.set_num_threads(os.cpu_count() or 1)
        libs["torch"] = (torch, tF, torch.autograd.forward_ad)
    print(f"\n{dtype}   (ms; jvp = forward with one dual input)")
    print(f"{'op':18s} " + " ".join(f"{k + ' fwd':>13s} {k + ' jvp':>13s} {'jvp/fwd':>7s}"
                                    for k in libs) + "   vs torch")
    for name, arr, f in cases(rng):
        arr = arr.astype(dtype)
        v = rng.standard_normal(arr.shape).astype(dtype)
        row, jvps = [], {}
        for k, L in libs.items():
            x, tv = L[0].tensor(arr), L[0].tensor(v)

            def plain(L=L, x=x):
                return f(L, x)

            def dual(L=L, x=x, tv=tv):
                with L[2].dual_level():
                    return L[2].unpack_dual(f(L, L[2].make_dual(x, tv))).tangent
            try:
                a, b = best(plain, repeat), best(dual, repeat)
            except NotImplementedError as e:
                row.append(f"{'-':>13s} {'(no rule)':>13s} {'':>7s}")
                print(f"  ({k} {name}: {str(e)[:60]})", file=sys.stderr)
                continue
            jvps[k] = b
            row.append(f"{a * 1e3:13.2f} {b * 1e3:13.2f} {b / a:7.2f}")
        ratio = (f"{jvps['minigrad'] / jvps['torch']:9.2f}" if len(jvps) == 2 else "")
        print(f"{name:18s} " + " ".join(row) + "   " + ratio)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    for dt in ("float64", "float32"):
        run(args.repeat, dt)
