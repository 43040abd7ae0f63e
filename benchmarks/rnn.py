"""LSTM forward + backward, minigrad against torch on the CPU in one process (float32).

    python benchmarks/rnn.py        (ratio = minigrad ms / torch ms: lower is better)

Shapes (sequence length T, batch N, input, hidden, layers): a small model where Python's
per-step overhead dominates, and a wider one where the matmuls do. minigrad runs the time
loop in Python over differentiable ops (minigrad/nn/rnn_math.py); torch runs its fused C++
kernels. Median of rounds timed round-robin (the machine's cores are shared); no assertions.
"""
from __future__ import annotations

import platform

import numpy as np
import torch

import minigrad as mg
from timing import round_robin  # benchmarks/timing.py




def step(lib, model, x):
    """One forward + backward of sum(output) (gradients wrt every parameter)."""
    model.zero_grad()
    out, _ = model(x)
    out.sum().backward()


def main():
    print(f"# {platform.machine()}, {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    print("| T, N, in, hidden, layers | minigrad ms | torch ms | ratio |")
    print("|---|---|---|---|")
    for T, N, i, h, layers, bi in [(32, 8, 16, 32, 1, False), (32, 8, 16, 32, 2, True),
                                   (64, 32, 128, 256, 1, False), (128, 16, 64, 128, 2, False)]:
        t = torch.nn.LSTM(i, h, num_layers=layers, bidirectional=bi)
        m = mg.nn.LSTM(i, h, num_layers=layers, bidirectional=bi)
        m.load_state_dict(t.state_dict())
        x = np.random.default_rng(0).standard_normal((T, N, i)).astype(np.float32)
        mx, tx = mg.tensor(x), torch.tensor(x)
        ms, ts = round_robin([lambda: step(mg, m, mx), lambda: step(torch, t, tx)])
        tag = f"{T}, {N}, {i}, {h}, {layers}{' bidirectional' if bi else ''}"
        print(f"| {tag} | {ms * 1e3:.2f} | {ts * 1e3:.2f} | {ms / ts:.2f} |")


if __name__ == "__main__":
    main()
