"""Data-parallel timings on CPU over MPI: training steps per second at 1 and 2 ranks, the share
of a step spent reducing gradients, and DDP's bucketed all-reduce of a 25 MB gradient against
one raw MPI.Allreduce of the same bytes.

    python benchmarks/distributed.py [--steps 30] [--ranks 1,2]

The script launches itself under `mpiexec -n N` for each N (one BLAS thread per rank: the
ranks share the cores) and prints one table. Run alone, a worker prints JSON lines.
Models: an MLP with 1.86 M float32 parameters (7.5 MB of gradient, a global batch of 256) and
the digits CNN of examples/digits_cnn.py (6 k parameters, SyncBatchNorm, a batch of 64): each
rank gets batch / N rows, so more ranks do the same work per step in parallel.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def worker(steps):
    sys.path.insert(0, os.path.join(HERE, ".."))
    sys.path.insert(0, os.path.join(HERE, "..", "examples"))
    import numpy as np
    from digits_cnn import DigitsCNN
    from mpi4py import MPI

    import minigrad as mg
    import minigrad.distributed as dist
    import minigrad.nn.functional as F
    from minigrad import nn
    from minigrad.nn.parallel import DistributedDataParallel as DDP
    from minigrad.nn.parallel import reducer as red

    dist.init_process_group("mpi")
    rank, n = dist.get_rank(), dist.get_world_size()
    spent = {"hook": 0.0, "finalize": 0.0}

    def timed(fn, key):
        def run(*a):
            t = time.perf_counter()
            try:
                return fn(*a)
            finally:
                spent[key] += time.perf_counter() - t
        return run
    # during backward: copies into buckets, launches, polls; after it: waits, copies back
    red.Reducer._hook = timed(red.Reducer._hook, "hook")
    red.Reducer._finalize = timed(red.Reducer._finalize, "finalize")

    def train(name, make, shape, batch):
        mg.manual_seed(0)
        model = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(make()))
        opt = mg.optim.SGD(model.parameters(), lr=0.01)
        rng = np.random.default_rng(rank)
        x = mg.tensor(rng.standard_normal((batch // n,) + shape).astype(np.float32))
        y = mg.tensor(rng.integers(0, 10, batch // n))
        for k in range(steps + 3):
            if k == 3:                       # 3 warm-up steps
                dist.barrier()
                spent.update(hook=0.0, finalize=0.0)
                start = time.perf_counter()
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        dist.barrier()
        total = time.perf_counter() - start
        if rank == 0:
            print(json.dumps({"what": "train", "model": name, "ranks": n,
                              "steps_per_s": steps / total,
                              "hook_share": spent["hook"] / total,
                              "finalize_share": spent["finalize"] / total}))

    def mlp():
        return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                             nn.Linear(1024, 10))
    train("MLP 784-1024-1024-10", mlp, (784,), 256)
    train("digits CNN", DigitsCNN, (1, 8, 8), 64)

    if n == 1:                          # a group of one has nothing to all-reduce
        return dist.destroy_process_group()
    # 25 MB of gradient in 50 parameters: DDP's buckets vs one raw Allreduce of 25 MB
    params = [nn.Parameter(mg.zeros(125_000)) for _ in range(50)]       # float32
    for p in params:
        p.grad = mg.ones(125_000)
    named = [(f"p{i}", p) for i, p in enumerate(params)]
    reducers = {"ddp": red.Reducer(named, 25 * 2 ** 20, False),
                "ddp_held": red.Reducer(named, 25 * 2 ** 20, False),
                "ddp_view": red.Reducer(named, 25 * 2 ** 20, False, as_view=True)}
    raw = np.ones(50 * 125_000, np.float32)
    comm = MPI.COMM_WORLD
    times = {k: [] for k in (*reducers, "buckets", "collective", "raw")}
    for _ in range(15):                 # round-robin: background load hits all alike
        for name, reducer in reducers.items():
            for p in params:            # fresh gradients, as backward gives after zero_grad()
                p.grad = mg.ones(125_000)
            held = [p.grad for p in params] if name == "ddp_held" else None  # kept by a user
            comm.Barrier()
            t = time.perf_counter()
            reducer.prepare()
            for p in reversed(params):
                reducer._hook(p)
            reducer.queued = True
            reducer._finalize()
            times[name].append(time.perf_counter() - t)
            del held
        comm.Barrier()
        t = time.perf_counter()         # the buckets' all-reduces alone, without the copies
        works = [dist.all_reduce(b.buffer, async_op=True) for b in reducers["ddp"].buckets]
        for w in works:
            w.wait()
        times["buckets"].append(time.perf_counter() - t)
        comm.Barrier()
        t = time.perf_counter()
        dist.all_reduce(raw)            # our nonblocking call + deadline polling
        times["collective"].append(time.perf_counter() - t)
        comm.Barrier()
        t = time.perf_counter()
        comm.Allreduce(MPI.IN_PLACE, raw, op=MPI.SUM)
        times["raw"].append(time.perf_counter() - t)
    if rank == 0:
        print(json.dumps({"what": "allreduce", "ranks": n,
                          "buckets": len(reducers["ddp"].buckets),
                          **{k + "_ms": 1e3 * float(np.median(v[3:]))
                             for k, v in times.items()}}))
    backward_overhead(comm, rank, n)
    dist.destroy_process_group()


def wide(lib):
    """50 parameters of 125,000 float32 (25 MB) and a loss whose backward is one multiply
    per parameter, so that backward is mostly DDP's reduction; for minigrad or torch."""
    class Wide(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = lib.nn.ParameterList(
                [lib.nn.Parameter(lib.ones(125_000)) for _ in range(50)])

        def forward(self, c):
            total = None
            for p in self.ps:
                term = (p * c).sum()
                total = term if total is None else total + term
            return total
    return Wide()


def backward_overhead(comm, rank, n):
    """What DDP adds to a backward whose gradients are 25 MB, against the same library's raw
    all-reduce of 25 MB: minigrad (MPI) and, when torch is installed, torch's DDP (gloo),
    in this process."""
    import numpy as np

    import minigrad as mg
    from minigrad.nn.parallel import DistributedDataParallel as MgDDP
    libs = [("minigrad", mg, MgDDP, None)]
    try:
        import torch
        import torch.distributed as tdist
        port = comm.bcast(29500 + os.getpid() % 2000 if rank == 0 else None)
        tdist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                                 world_size=n)
        torch.set_num_threads(1)
        libs.append(("torch", torch, torch.nn.parallel.DistributedDataParallel, tdist))
    except Exception as e:          # torch missing, or gloo unavailable: minigrad alone
        if rank == 0:
            print(json.dumps({"what": "note", "text": f"torch DDP not measured: {e}"}))
    out = {}
    for name, lib, DDP, tdist in libs:
        plain, wrapped = wide(lib), DDP(wide(lib))
        c = lib.ones(125_000) * 0.5
        raw = lib.ones(50 * 125_000)
        times = {"plain": [], "ddp": [], "raw": []}
        for _ in range(12):
            for key, model in (("plain", plain), ("ddp", wrapped)):
                for p in model.parameters():
                    p.grad = None
                loss = model(c)
                comm.Barrier()
                t = time.perf_counter()
                loss.backward()
                times[key].append(time.perf_counter() - t)
            comm.Barrier()
            t = time.perf_counter()
            if tdist is None:
                import minigrad.distributed as mdist
                mdist.all_reduce(raw)
            else:
                tdist.all_reduce(raw)
            times["raw"].append(time.perf_counter() - t)
        med = {k: 1e3 * float(np.median(v[2:])) for k, v in times.items()}
        out[name] = med
    if rank == 0:
        print(json.dumps({"what": "overhead", "ranks": n, **out}))
    if len(libs) > 1:
        libs[1][3].destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--ranks", default="1,2")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.steps)
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    rows = []
    for n in map(int, args.ranks.split(",")):
        out = subprocess.run([mpiexec if os.path.exists(mpiexec) else "mpiexec", "-n", str(n),
                              sys.executable, __file__, "--worker", "--steps", str(args.steps)],
                             capture_output=True, text=True, env=env, timeout=600)
        if out.returncode:
            sys.exit(f"mpiexec -n {n} failed:\n{out.stderr[-3000:]}")
        rows += [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    print("share of the step in DDP's reducer: in its hooks during backward (copies into the "
          "buckets, launches, polls) and after backward (waits, copies back)")
    print(f"{'model':24s} {'ranks':>5s} {'steps/s':>9s} {'in hooks':>9s} {'after':>7s}")
    for r in rows:
        if r["what"] == "train":
            print(f"{r['model']:24s} {r['ranks']:5d} {r['steps_per_s']:9.1f} "
                  f"{100 * r['hook_share']:8.1f}% {100 * r['finalize_share']:6.1f}%")
    print("\n25 MB float32 gradient (50 parameters) all-reduced, median of 12 (ratio to one "
          "raw MPI.Allreduce):")
    labels = {"raw": "one raw MPI.Allreduce", "collective": "dist.all_reduce",
              "buckets": "the buckets' all-reduces alone",
              "ddp": "DDP reducer, fresh gradients (after zero_grad): one copy in, views out",
              "ddp_held": "DDP reducer, gradients held elsewhere: copies in and back",
              "ddp_view": "DDP reducer, gradient_as_bucket_view=True"}
    for r in rows:
        if r["what"] == "allreduce":
            raw = max(r["raw_ms"], 1e-9)
            print(f"  {r['ranks']} ranks, {r['buckets']} buckets")
            for key, label in labels.items():
                ms = r[key + "_ms"]
                print(f"    {label:72s} {ms:6.1f} ms  {ms / raw:5.2f}x")

    for r in rows:
        if r["what"] == "note":
            print("\n" + r["text"])
        if r["what"] == "overhead":
            print(f"\nbackward of a 25 MB model (one multiply per parameter), {r['ranks']} ranks, "
                  "median of 10, ms: what DDP adds, against the library's own raw all-reduce")
            for lib in ("minigrad", "torch"):
                if lib in r:
                    m = r[lib]
                    extra = m["ddp"] - m["plain"]
                    print(f"  {lib:9s} backward {m['plain']:6.1f}, with DDP {m['ddp']:6.1f} "
                          f"(+{extra:.1f}); raw all-reduce {m['raw']:6.1f}; DDP's addition / "
                          f"raw = {extra / max(m['raw'], 1e-9):.2f}")


if __name__ == "__main__":
    main()
