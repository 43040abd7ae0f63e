"""F.linear_cross_entropy forward + backward on the CPU: minigrad's chunked path against torch
2.13's chunked path (options=LinearCrossEntropyOptions()) and both reference paths (the
(N, C) logits, then cross_entropy), float32: time and peak extra memory. With --device cuda
minigrad's chunked variant runs its CUDA fast path (minigrad/cuda/linear_cross_entropy.py).

    python benchmarks/linear_cross_entropy.py [--shapes 2048x768x50257,8192x512x32000]
                                              [--repeat 3] [--device cpu|cuda]

Time: every variant runs round-robin in this process (background load hits all alike), best
of --repeat; with --threads 1 (the default) it is the process's CPU time, which a loaded
machine does not inflate the way it does wall-clock time. Memory: each variant runs once
more in a fresh subprocess, and its peak resident memory above what the process held before
the call (inputs allocated) is reported (on CUDA: the memory pools' peak). torch runs on the
same device as minigrad.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

VARIANTS = ["minigrad chunked", "torch chunked", "minigrad reference", "torch reference"]


def make_step(variant, n, d, c, device, seed=0):
    """A function running one forward + backward of `variant`, and its inputs."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, d)) * 0.5).astype(np.float32)
    w = (rng.standard_normal((c, d)) / np.sqrt(d)).astype(np.float32)
    t = rng.integers(0, c, n)
    if variant.startswith("minigrad"):
        import minigrad as mg
        xs = mg.tensor(x, requires_grad=True, device=device)
        ws = mg.tensor(w, requires_grad=True, device=device)
        ts = mg.tensor(t, device=device)
        opts = mg.nn.LinearCrossEntropyOptions() if "chunked" in variant else None

        def step():
            xs.grad = ws.grad = None
            mg.nn.functional.linear_cross_entropy(xs, ws, ts, options=opts).backward()
            if device == "cuda":
                mg.cuda.synchronize()
        return step
    import torch
    xs = torch.tensor(x, requires_grad=True, device=device)
    ws = torch.tensor(w, requires_grad=True, device=device)
    ts = torch.tensor(t, device=device)
    opts = torch.nn.LinearCrossEntropyOptions() if "chunked" in variant else None

    def step():
        xs.grad = ws.grad = None
        torch.nn.functional.linear_cross_entropy(xs, ws, ts, options=opts).backward()
        if device == "cuda":
            torch.cuda.synchronize()
    return step


def _status_kb(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def reset_peak_rss():
    """Linux: make the peak resident size (VmHWM) restart from the current one; returns the
    current resident bytes."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return _status_kb("VmRSS") * 1024


def peak_rss_bytes():
    return _status_kb("VmHWM") * 1024


def measure_memory(variant, n, d, c, device):
    """Run in a fresh process: the peak memory one step adds (bytes)."""
    step = make_step(variant, n, d, c, device)
    if device == "cuda":
        if variant.startswith("minigrad"):
            import cupy
            pool = cupy.get_default_memory_pool()
            before = pool.used_bytes()
            step()
            return pool.total_bytes() - before      # the pool grows to the peak it needed
        import torch
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        step()
        return torch.cuda.max_memory_allocated() - before
    before = reset_peak_rss()
    step()
    return peak_rss_bytes() - before


def _threads(n):
    """Both libraries on n threads (torch's intra-op pool, NumPy's OpenBLAS via threadpoolctl
    when installed, else the environment for the subprocesses)."""
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(n)
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        pass
    import torch
    torch.set_num_threads(n)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--shapes", default="2048x768x50257,8192x512x32000")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS/OpenMP threads for both libraries (default 1: a loaded machine "
                        "makes multi-threaded small GEMMs erratic)")
    p.add_argument("--memory-of", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    _threads(args.threads)
    shapes = [tuple(int(v) for v in s.split("x")) for s in args.shapes.split(",")]
    if args.memory_of:                        # the subprocess: one variant, one shape
        variant, shape = args.memory_of.split("@")
        n, d, c = (int(v) for v in shape.split("x"))
        print(json.dumps(measure_memory(variant, n, d, c, args.device)))
        return
    import torch
    print(f"linear_cross_entropy forward+backward, float32, {args.device}, {args.threads} "
          f"thread(s); torch {torch.__version__}; best of {args.repeat} (time), one run per "
          f"process (memory)")
    print(f"{'(N, d, C)':>20}  {'variant':<20} {'time s':>8} {'x torch chunked':>15} "
          f"{'peak extra MB':>14} {'logits MB':>10}")
    for n, d, c in shapes:
        steps = {v: make_step(v, n, d, c, args.device) for v in VARIANTS}
        best = {v: float("inf") for v in VARIANTS}
        clock = time.process_time if args.threads == 1 and args.device == "cpu" \
            else time.perf_counter
        for _ in range(args.repeat):
            for v, step in steps.items():
                time.sleep(0.05)
                t0 = clock()
                step()
                best[v] = min(best[v], clock() - t0)
        del steps
        for v in VARIANTS:
            out = subprocess.run([sys.executable, __file__, "--device", args.device,
                                  "--threads", str(args.threads),
                                  "--memory-of", f"{v}@{n}x{d}x{c}"], capture_output=True,
                                 text=True, check=True)
            mem = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{str((n, d, c)):>20}  {v:<20} {best[v]:8.2f} "
                  f"{best[v] / best['torch chunked']:15.2f} {mem / 2**20:14.0f} "
                  f"{n * c * 4 / 2**20:10.0f}", flush=True)


if __name__ == "__main__":
    main()
