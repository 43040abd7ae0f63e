"""Forward-mode AD (J v) of conv, matmul, pooling and scans: minigrad vs torch's forward AD,
side by side in one process, with the plain forward of each as the baseline.

    python benchmarks/forward_mode_structured.py [--repeat 7]

Per case: the plain forward (no dual level), the forward under a dual level with a tangent on
every float input, and their ratio, for both libraries (best of `repeat`, round-robin).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import minigrad as mg  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


def _cases():
    r = np.random.default_rng(0)
    return {
        "conv2d (16,32,32,32) k3": (lambda L, x, w: L.nn.functional.conv2d(x, w, padding=1),
                                    [r.standard_normal((16, 32, 32, 32)),
                                     r.standard_normal((32, 32, 3, 3))]),
        "matmul (512,512)@(512,512)": (lambda L, a, b: a @ b,
                                       [r.standard_normal((512, 512)),
                                        r.standard_normal((512, 512))]),
        "max_pool2d (16,32,64,64) k2": (lambda L, x: L.nn.functional.max_pool2d(x, 2),
                                        [r.standard_normal((16, 32, 64, 64))]),
        "cumprod (256,1024)": (lambda L, x: x.cumprod(1), [r.standard_normal((256, 1024))]),
        "logcumsumexp (256,1024)": (lambda L, x: x.logcumsumexp(1),
                                    [r.standard_normal((256, 1024))]),
        "logsumexp (1024,1024)": (lambda L, x: x.logsumexp(1),
                                  [r.standard_normal((1024, 1024))]),
    }


def _runner(lib, ad, f, arrays, dual):
    xs = [lib.tensor(a.astype(np.float32)) for a in arrays]
    vs = [lib.tensor(np.ones_like(a, dtype=np.float32)) for a in arrays]

    def plain():
        f(lib, *xs)

    def forward_mode():
        with ad.dual_level():
            ad.unpack_dual(f(lib, *[ad.make_dual(x, v) for x, v in zip(xs, vs)])).tangent
    return forward_mode if dual else plain


def best(fns, repeat):
    out = {k: float("inf") for k in fns}
    for fn in fns.values():
        fn()
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            out[k] = min(out[k], time.perf_counter() - t0)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    libs = {"minigrad": (mg, mg.autograd.forward_ad), "torch": (torch, torch.autograd.forward_ad)}
    print(f"{'case':30s} {'lib':9s} {'plain ms':>9s} {'jvp ms':>9s} {'jvp/plain':>9s}")
    for name, (f, arrays) in _cases().items():
        fns = {(lib, d): _runner(L, ad, f, arrays, d)
               for lib, (L, ad) in libs.items() for d in (False, True)}
        t = best(fns, args.repeat)
        for lib in libs:
            a, b = t[(lib, False)] * 1e3, t[(lib, True)] * 1e3
            print(f"{name:30s} {lib:9s} {a:9.2f} {b:9.2f} {b / a:9.2f}")
        print(f"{'':30s} {'mg/torch':9s} {t[('minigrad', False)] / t[('torch', False)]:9.2f} "
              f"{t[('minigrad', True)] / t[('torch', True)]:9.2f}")


if __name__ == "__main__":
    main()
