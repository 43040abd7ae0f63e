"""What profiling costs: minigrad's profiler beside torch's, in the same process (CPU).

(a) a chain of 200 tiny elementwise ops, forward + backward (about 400 recorded ranges a
    step): microseconds per step without a profile, under profile(), and under
    profile(record_shapes=True, profile_memory=True); the overhead per recorded range;
(b) the same for one training step of the 64-256-256-10 MLP of benchmarks/overhead.py;
Times are medians of rounds run round-robin (the cores are shared). The idle cost is nil by
construction: stop() puts the original Function.apply and engine._call_backward back
(tests/test_profiler.py checks they are the same objects).
Run: python benchmarks/profiler.py   (prints a table)
"""
from __future__ import annotations

import sys

import torch

import minigrad as mg

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from overhead import _time, chain, mlp_step  # noqa: E402


def _profiled(lib, fn, **kw):
    prof = mg.profiler if lib is mg else torch.profiler

    def run():
        with prof.profile(activities=[prof.ProfilerActivity.CPU], **kw) as p:
            fn()
        return p
    n_events = len(run().events())
    return run, n_events


def main():
    rows = []
    for label, make in (("chain of 200 ops", chain), ("MLP training step", mlp_step)):
        for lib in (mg, torch):
            step = make(lib)
            on, n = _profiled(lib, step)
            full, _ = _profiled(lib, step, record_shapes=True, profile_memory=True)
            (plain, _), (t_on, _), (t_full, _) = _time([step, on, full], repeat=9, number=5)
            rows.append((label, lib.__name__, n, plain, t_on, t_full))
    print(f"{'program':18} {'library':9} {'ranges':>6} {'plain ms':>9} {'profiled ms':>12} "
          f"{'+shapes+mem ms':>15} {'us/range':>9} {'us/range full':>14}")
    for label, name, n, plain, on, full in rows:
        print(f"{label:18} {name:9} {n:6d} {plain * 1e3:9.3f} {on * 1e3:12.3f} "
              f"{full * 1e3:15.3f} {(on - plain) / n * 1e6:9.2f} {(full - plain) / n * 1e6:14.2f}")


if __name__ == "__main__":
    main()
