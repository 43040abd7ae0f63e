"""DataLoader with worker processes, side by side with torch.utils.data in one process:
one epoch over a map-style data set whose samples cost some NumPy work each (sorting
60,000 normal draws, about 1 ms, single-threaded), with num_workers = 0, 1, 2. Prints
seconds per epoch and the ratios minigrad/torch (below 1: minigrad faster) and
workers/no workers.

    python benchmarks/data_workers.py [--items 384] [--batch 32]
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import minigrad as mg  # noqa: E402
from minigrad import data  # noqa: E402
from timing import round_robin  # noqa: E402


def work(i):
    a = np.sort(np.random.default_rng(i).standard_normal(60_000))
    return a[::1000].astype(np.float32), i % 10


class Ours(data.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return work(i)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=384)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    import torch
    import torch.utils.data as tdata
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    class Theirs(tdata.Dataset):
        def __len__(self):
            return args.items

        def __getitem__(self, i):
            return work(i)

    print(f"# one epoch of {args.items} samples, batch {args.batch}; CPUs: "
          f"{len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}; "
          f"minigrad {mg.__version__ if hasattr(mg, '__version__') else ''} torch "
          f"{torch.__version__}")
    print("| num_workers | minigrad s | torch s | minigrad/torch | minigrad vs 0 workers |")
    print("|---|---|---|---|---|")
    base = None
    for w in (0, 1, 2):
        ours = data.DataLoader(Ours(args.items), batch_size=args.batch, num_workers=w)
        ref = tdata.DataLoader(Theirs(), batch_size=args.batch, num_workers=w)
        t_ours, t_ref = round_robin([lambda: sum(1 for _ in ours),
                                     lambda: sum(1 for _ in ref)], repeat=3, number=1)
        base = t_ours if base is None else base
        print(f"| {w} | {t_ours:.3f} | {t_ref:.3f} | {t_ours / t_ref:.2f} | "
              f"{t_ours / base:.2f} |")


if __name__ == "__main__":
    main()
