"""Per-sample gradients of a small CNN: vmap(grad) vs a Python loop over samples, minigrad and
torch side by side in one process (CPU, float32).

    mg vmap     minigrad.func.vmap over the per-sample gradient, in_dims=(None, 0, 0)
    mg loop     minigrad: forward + backward once per sample, gradients stacked
    torch vmap  torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0, 0))
    torch loop  torch: forward + backward once per sample
Model: conv(1->8, 3x3, pad 1) relu maxpool2 conv(8->16, 3x3) relu maxpool2 linear(->10) on
16x16 images. Run: python benchmarks/vmap.py   (ratios: lower is better)
"""
from __future__ import annotations


import numpy as np
import torch

import minigrad as mg
import minigrad.nn.functional as mF
from minigrad.func import grad, vmap
from timing import round_robin  # benchmarks/timing.py




def loss(F, p, x, y):
    h = F.max_pool2d(F.relu(F.conv2d(x.unsqueeze(0), p["w1"], p["b1"], padding=1)), 2)
    h = F.max_pool2d(F.relu(F.conv2d(h, p["w2"], p["b2"])), 2)
    return F.cross_entropy(F.linear(h.flatten(1), p["w3"], p["b3"]), y.unsqueeze(0))


def setup(batch):
    r = np.random.default_rng(0)
    p = {"w1": r.standard_normal((8, 1, 3, 3)) * 0.3, "b1": np.zeros(8),
         "w2": r.standard_normal((16, 8, 3, 3)) * 0.1, "b2": np.zeros(16),
         "w3": r.standard_normal((10, 16 * 3 * 3)) * 0.1, "b3": np.zeros(10)}
    p = {k: v.astype(np.float32) for k, v in p.items()}
    x = r.standard_normal((batch, 1, 16, 16)).astype(np.float32)
    y = r.integers(0, 10, batch)
    return p, x, y


def mg_fns(p, x, y):
    P = {k: mg.tensor(v) for k, v in p.items()}
    X, Y = mg.tensor(x), mg.tensor(y)
    per_sample = vmap(grad(lambda p, x, y: loss(mF, p, x, y)), in_dims=(None, 0, 0))
    Pg = {k: mg.tensor(v, requires_grad=True) for k, v in p.items()}

    def looped():
        grads = {k: [] for k in p}
        for i in range(len(x)):
            for t in Pg.values():
                t.grad = None
            loss(mF, Pg, X[i], Y[i]).backward()
            for k, t in Pg.items():
                grads[k].append(t.grad)
        return {k: mg.stack(v) for k, v in grads.items()}
    return (lambda: per_sample(P, X, Y)), looped


def torch_fns(p, x, y):
    F = torch.nn.functional
    P = {k: torch.tensor(v) for k, v in p.items()}
    X, Y = torch.tensor(x), torch.tensor(y)
    per_sample = torch.func.vmap(torch.func.grad(lambda p, x, y: loss(F, p, x, y)),
                                 in_dims=(None, 0, 0))
    Pg = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}

    def looped():
        grads = {k: [] for k in p}
        for i in range(len(x)):
            for t in Pg.values():
                t.grad = None
            loss(F, Pg, X[i], Y[i]).backward()
            for k, t in Pg.items():
                grads[k].append(t.grad)
        return {k: torch.stack(v) for k, v in grads.items()}
    return (lambda: per_sample(P, X, Y)), looped


def main():
    torch.set_num_threads(1)
    print(f"{'batch':>5} {'mg vmap':>10} {'mg loop':>10} {'torch vmap':>11} {'torch loop':>11} "
          f"{'mg loop/vmap':>13} {'mg/torch vmap':>14}")
    for batch in (8, 32, 128):
        p, x, y = setup(batch)
        mv, ml = mg_fns(p, x, y)
        tv, tl = torch_fns(p, x, y)
        a = mv()["w2"].numpy()
        b = tv()["w2"].numpy()
        assert np.allclose(a, b, atol=1e-4), np.abs(a - b).max()
        t_mv, t_ml, t_tv, t_tl = round_robin([mv, ml, tv, tl])
        print(f"{batch:>5} {t_mv * 1e3:>8.2f}ms {t_ml * 1e3:>8.2f}ms {t_tv * 1e3:>9.2f}ms "
              f"{t_tl * 1e3:>9.2f}ms {t_ml / t_mv:>12.1f}x {t_mv / t_tv:>13.2f}x")


if __name__ == "__main__":
    main()
