"""Per-op overhead and an MLP training step: minigrad vs torch (CPU), same process.

(a) a chain of 200 tiny elementwise ops, forward + backward, microseconds per op;
(b) one training step of a 64-256-256-10 MLP at batch 64: forward, cross-entropy (composed
    from log_softmax), backward, SGD update.
Run: python benchmarks/overhead.py   (prints a table; ratio = minigrad / torch, lower is better)
"""
from __future__ import annotations

import statistics
import time

import numpy as np

import minigrad as mg


def _time(fns, repeat=15, number=20):
    """Per-call seconds of each callable: median and best of `repeat` rounds, timed
    round-robin so that background load on the shared cores hits every library alike."""
    runs = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(repeat):
        for fn, r in zip(fns, runs):
            time.sleep(0.02)        # let the other library's BLAS/OpenMP workers go idle
            fn()                    # and wake this one's
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            r.append((time.perf_counter() - t0) / number)
    return [(statistics.median(r), min(r)) for r in runs]


def chain(lib, n_ops=200):
    x = lib.ones(8, requires_grad=True)

    def step():
        y = x
        for i in range(n_ops // 4):
            y = ((y * 1.0001) + 0.001).tanh() - 0.0001
            y = y.exp() if i % 50 == 49 else y
        y.sum().backward()
        x.grad = None
    return step


def mlp_step(lib, batch=64):
    rng = np.random.default_rng(0)
    dims = [64, 256, 256, 10]
    ws = [lib.tensor((rng.standard_normal((a, b)) / np.sqrt(a)).astype(np.float32),
                     requires_grad=True) for a, b in zip(dims, dims[1:])]
    bs = [lib.zeros(b, requires_grad=True) for b in dims[1:]]
    x = lib.tensor(rng.standard_normal((batch, 64)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    params = ws + bs

    def step():
        h = x
        for i, (w, b) in enumerate(zip(ws, bs)):
            h = h @ w + b
            if i < len(ws) - 1:
                h = h.relu()
        logp = h.log_softmax(1)
        loss = -logp[lib.arange(batch), y].mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=0.01)
                p.grad = None
    return step


def main():
    import torch
    torch.set_num_threads(2)
    rows = []
    n = 200 + 200 // 50 // 4                      # 200 elementwise ops plus the exps
    (m_mg, b_mg), (m_t, b_t) = _time([chain(mg), chain(torch)])
    rows.append(("200-op chain fwd+bwd, us/op", m_mg / n * 1e6, m_t / n * 1e6,
                 b_mg / n * 1e6, b_t / n * 1e6))
    (m_mg, b_mg), (m_t, b_t) = _time([mlp_step(mg), mlp_step(torch)])
    rows.append(("MLP 64-256-256-10 step, ms", m_mg * 1e3, m_t * 1e3, b_mg * 1e3, b_t * 1e3))
    print(f"{'benchmark (median; best)':36s} {'minigrad':>10s} {'torch':>10s} {'ratio':>7s}"
          f"{'best mg':>10s} {'best torch':>10s} {'ratio':>7s}")
    for name, a, b, c, d in rows:
        print(f"{name:36s} {a:10.2f} {b:10.2f} {a / b:7.2f}{c:10.2f} {d:10.2f} {c / d:7.2f}")

if __name__ == "__main__":
    main()
