"""minigrad.func vs torch.func on the CPU, same process: when is forward mode cheaper?

(a) wide input, narrow output: f: R^n -> R^4 (a tanh layer then four sums); jacrev needs 4
    backward passes, jacfwd n forward passes;
(b) narrow input, wide output: g: R^4 -> R^n (a curve); jacfwd needs 4 passes, jacrev n;
(c) hessian of a logistic loss w.r.t. a 32-weight vector (jacfwd over jacrev);
(d) the gradient of a 64-128-10 MLP's loss w.r.t. its parameters (grad of functional_call).
torch.func vmaps the basis vectors (one batched pass) for both, and so does minigrad.
Run: python benchmarks/func.py   (milliseconds per call, median of rounds; ratio mg / torch)
"""
from __future__ import annotations

import sys

import numpy as np
import torch
import torch.func as tf

import minigrad as mg
import minigrad.func as mf
from timing import round_robin  # benchmarks/timing.py

torch.set_num_threads(1)


def _time(fns, repeat=7, number=3):
    """Median milliseconds per call of each callable."""
    return [t * 1e3 for t in round_robin(fns, repeat, number, pause=0)]


def both(array):
    return mg.tensor(array), torch.tensor(array)


# (W @ x) written as a broadcast product and a sum: ops that minigrad's forward mode has rules
# for today (matmul's rule is not there yet); torch runs the same formula
def wide_in(L, W):
    return lambda x: L.tanh((W * x).sum(1)).reshape(4, -1).sum(1)


def wide_out(L, W):
    return lambda x: L.tanh((W * x).sum(1))


def main(n=256):
    rng = np.random.default_rng(0)
    rows = []
    x, tx = both(rng.standard_normal(n))
    W, tW = both(rng.standard_normal((4 * 16, n)) / n ** 0.5)
    for name in ("jacrev", "jacfwd"):
        fm, ft = getattr(mf, name), getattr(tf, name)
        rows.append((f"(a) {name} R^{n}->R^4", *_time([lambda: fm(wide_in(mg, W))(x),
                                                      lambda: ft(wide_in(torch, tW))(tx)])))
    z, tz = both(rng.standard_normal(4))
    V, tV = both(rng.standard_normal((n, 4)))
    for name in ("jacrev", "jacfwd"):
        fm, ft = getattr(mf, name), getattr(tf, name)
        rows.append((f"(b) {name} R^4->R^{n}", *_time([lambda: fm(wide_out(mg, V))(z),
                                                      lambda: ft(wide_out(torch, tV))(tz)])))
    X, tX = both(rng.standard_normal((64, 32)))
    y, ty = both(np.sign(rng.standard_normal(64)))
    w, tw = both(rng.standard_normal(32) * 0.1)

    def loss(L, X, y):          # the mean logistic loss, labels -1 / +1
        return lambda w: L.log(1 + L.exp(-(X * w).sum(1) * y)).sum() / X.shape[0]
    rows.append(("(c) hessian, 32 weights", *_time([lambda: mf.hessian(loss(mg, X, y))(w),
                                                   lambda: tf.hessian(loss(torch, tX, ty))(tw)])))
    mg.manual_seed(0)
    torch.manual_seed(0)
    net = mg.nn.Sequential(mg.nn.Linear(64, 128), mg.nn.ReLU(), mg.nn.Linear(128, 10)).double()
    tnet = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(),
                               torch.nn.Linear(128, 10)).double()
    p = {k: v.detach() for k, v in net.named_parameters()}
    tp = {k: v.detach() for k, v in tnet.named_parameters()}
    xb, txb = both(rng.standard_normal((32, 64)))
    t, tt = both(rng.integers(0, 10, 32))

    def mlp_loss(func, L, m, x, t):
        return lambda p: L.nn.functional.cross_entropy(func.functional_call(m, p, (x,)), t)
    rows.append(("(d) grad of an MLP loss", *_time([
        lambda: mf.grad(mlp_loss(mf, mg, net, xb, t))(p),
        lambda: tf.grad(mlp_loss(tf, torch, tnet, txb, tt))(tp)])))
    print(f"{'case':34s} {'minigrad ms':>12s} {'torch ms':>10s} {'ratio':>7s}")
    for name, a, b in rows:
        print(f"{name:34s} {a:12.2f} {b:10.2f} {a / b:7.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 256)
