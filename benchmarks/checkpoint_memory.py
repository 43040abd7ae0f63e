"""Peak memory and time of one training step of a 12-layer TransformerEncoder, with and
without activation checkpointing of each layer, in minigrad and torch (CPU, float32).

    python benchmarks/checkpoint_memory.py [--layers 12] [--d-model 256] [--heads 4]
                                           [--batch 8] [--seq 128] [--repeat 2]

Peak memory is measured with tracemalloc, which sees NumPy's allocations (minigrad's
arrays); torch allocates outside Python's allocator, so for torch only the time is shown.
The figure is the peak above what was allocated before the step (parameters, input).
Step time is the process's CPU time (all threads), best of --repeat: on a shared machine wall
time mostly measures the neighbours.
"""
from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numpy as np

import minigrad as mg
from minigrad.utils.checkpoint import checkpoint


def encoder(lib, args):
    layer = lib.nn.TransformerEncoderLayer(args.d_model, args.heads,
                                           dim_feedforward=4 * args.d_model, dropout=0.1,
                                           batch_first=True)
    return lib.nn.TransformerEncoder(layer, args.layers, enable_nested_tensor=False)


def step(lib, ckpt, model, x):
    h = x
    for layer in model.layers:
        h = ckpt(layer, h, use_reentrant=False) if ckpt is not None else layer(h)
    loss = (h * h).mean()
    loss.backward()
    return loss


def measure(lib, ckpt, model, x, repeat, trace):
    times, peak = [], 0
    for _ in range(repeat):
        model.zero_grad()
        gc.collect()
        if trace:
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
        t0 = time.process_time()
        step(lib, ckpt, model, x)
        times.append(time.process_time() - t0)
        if trace:
            peak = max(peak, tracemalloc.get_traced_memory()[1] - base)
            tracemalloc.stop()
    return min(times), peak


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--layers", type=int, default=12)
    p.add_argument("--d-model", type=int, default=256)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args()
    x = np.random.default_rng(0).standard_normal((args.batch, args.seq, args.d_model),
                                                 dtype=np.float32)
    mg.manual_seed(0)
    model = encoder(mg, args)
    mx = mg.tensor(x, requires_grad=True)
    rows = []
    for name, ckpt in (("plain", None), ("checkpoint", checkpoint)):
        t_time, _ = measure(mg, ckpt, model, mx, args.repeat, False)   # time without tracing
        _, peak = measure(mg, ckpt, model, mx, 1, True)
        rows.append(("minigrad", name, t_time, peak))
    try:
        import torch
        import torch.utils.checkpoint as tc
        torch.manual_seed(0)
        tmodel = encoder(torch, args)
        tx = torch.tensor(x, requires_grad=True)
        for name, ckpt in (("plain", None), ("checkpoint", tc.checkpoint)):
            t_time, _ = measure(torch, ckpt, tmodel, tx, args.repeat, False)
            rows.append(("torch", name, t_time, None))
    except ImportError:
        pass
    print(f"{args.layers}-layer TransformerEncoder, d_model {args.d_model}, {args.heads} heads, "
          f"batch {args.batch}, seq {args.seq}, float32, dropout 0.1, train mode")
    print(f"{'library':<10}{'mode':<12}{'CPU ms':>12}{'peak (MiB)':>14}")
    for lib, name, t, peak in rows:
        mem = "-" if peak is None else f"{peak / 2**20:.1f}"
        print(f"{lib:<10}{name:<12}{t * 1e3:>12.1f}{mem:>14}")


if __name__ == "__main__":
    main()
