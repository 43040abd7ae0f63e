"""CPU timings, side by side in one process: minigrad vs torch's CPU kernels vs naive NumPy.

    python benchmarks/cpu.py [--repeat 15] [--only softmax,cross_entropy]

Each section is a function returning rows (name, shape, {impl: callable}); every callable is
timed round-robin (so background load hits all of them alike) and the best time is reported,
with ratios to torch and to NumPy (ratio < 1: minigrad is faster). Add a section by writing a
function like those below and appending it to SECTIONS.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import minigrad as mg
import minigrad.nn.functional as F

try:
    import torch
except ImportError:                         # the table then has no torch column
    torch = None

SHAPES = [(32768, 128), (4096, 1024), (512, 8192)]


def best_times(impls, repeat, number=3):
    """Best per-call seconds of each callable, timed round-robin."""
    best = {k: float("inf") for k in impls}
    for fn in impls.values():
        fn()                                # warm up: allocations, thread pools, caches
    for _ in range(repeat):
        for k, fn in impls.items():
            # torch's OpenMP workers spin for a few ms after each call and would steal the
            # second core from whatever runs next; let them go idle first
            time.sleep(0.02)
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            best[k] = min(best[k], (time.perf_counter() - t0) / number)
    return best


# ---- naive NumPy compositions: the textbook formulas, one full-size temporary per step ----
def numpy_softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def numpy_cross_entropy_fwd_bwd(x, t):
    logp = x - x.max(axis=1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(axis=1, keepdims=True))
    rows = np.arange(len(t))
    loss = -logp[rows, t].mean()
    grad = np.exp(logp)
    grad[rows, t] -= 1
    grad /= len(t)
    return loss, grad


# ---- sections -------------------------------------------------------------------------------
def softmax_section(rng):
    rows = []
    for shape in SHAPES:
        a = rng.standard_normal(shape).astype(np.float32)
        x = mg.tensor(a)
        impls = {"minigrad": lambda x=x: F.softmax(x, dim=-1),
                 "numpy": lambda a=a: numpy_softmax(a)}
        if torch is not None:
            ta = torch.from_numpy(a)
            impls["torch"] = lambda ta=ta: torch.softmax(ta, dim=-1)
        rows.append(("softmax forward", shape, impls))
    return rows


def cross_entropy_section(rng):
    rows = []
    for shape in SHAPES:
        a = rng.standard_normal(shape).astype(np.float32)
        t = rng.integers(0, shape[1], shape[0])
        x, mt = mg.tensor(a, requires_grad=True), mg.tensor(t)

        def run_mg(x=x, mt=mt):
            x.grad = None
            F.cross_entropy(x, mt).backward()
            return x.grad

        impls = {"minigrad": run_mg, "numpy": lambda a=a, t=t: numpy_cross_entropy_fwd_bwd(a, t)}
        if torch is not None:
            tx, tt = torch.from_numpy(a.copy()).requires_grad_(), torch.from_numpy(t)

            def run_torch(tx=tx, tt=tt):
                tx.grad = None
                torch.nn.functional.cross_entropy(tx, tt).backward()
                return tx.grad

            impls["torch"] = run_torch
        rows.append(("cross_entropy fwd+bwd", shape, impls))
    return rows


# ---- one training step (forward, cross-entropy, backward, Adam) of the examples' models ----
def _mg_mlp():
    nn = mg.nn
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def _torch_mlp():
    nn = torch.nn
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                         nn.Linear(256, 10))


def _torch_digits_cnn():
    nn = torch.nn

    def block(c_in, c_out):
        return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out),
                             nn.ReLU(), nn.MaxPool2d(2))
    from collections import OrderedDict  # names match DigitsCNN's state_dict
    return nn.Sequential(OrderedDict(features=nn.Sequential(block(1, 16), block(16, 32)),
                                     classifier=nn.Sequential(nn.Flatten(), nn.Linear(128, 10))))


def _train_step_impls(mg_model, torch_model, x, y):
    opt = mg.optim.Adam(mg_model.parameters(), lr=1e-3)
    mx, my = mg.tensor(x), mg.tensor(y)

    def run_mg():
        loss = F.cross_entropy(mg_model(mx), my)
        opt.zero_grad()
        loss.backward()
        opt.step()

    impls = {"minigrad": run_mg}
    if torch is not None:
        torch_model.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in
                                     mg_model.state_dict().items()})
        topt = torch.optim.Adam(torch_model.parameters(), lr=1e-3)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def run_torch():
            loss = torch.nn.functional.cross_entropy(torch_model(tx), ty)
            topt.zero_grad()
            loss.backward()
            topt.step()

        impls["torch"] = run_torch
    return impls


def train_step_section(rng):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                    "examples"))
    from digits_cnn import DigitsCNN
    y = rng.integers(0, 10, 64)
    cnn_x = rng.random((64, 1, 8, 8)).astype(np.float32)
    mlp_x = rng.random((64, 64)).astype(np.float32)
    tcnn = _torch_digits_cnn() if torch is not None else None
    tmlp = _torch_mlp() if torch is not None else None
    return [("train digits_cnn", cnn_x.shape,
             _train_step_impls(DigitsCNN(), tcnn, cnn_x, y)),
            ("train MLP 64-256-256-10", mlp_x.shape,
             _train_step_impls(_mg_mlp(), tmlp, mlp_x, y))]


SECTIONS = {"softmax": softmax_section, "cross_entropy": cross_entropy_section,
            "train_step": train_step_section}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--only", default="", help="comma-separated section names")
    args = ap.parse_args(argv)
    names = [s for s in args.only.split(",") if s] or list(SECTIONS)
    rng = np.random.default_rng(0)
    threads = torch.get_num_threads() if torch is not None else "-"
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'absent'} "
          f"({threads} threads), {os.cpu_count()} CPUs; best of {args.repeat} rounds, ms")
    head = f"{'benchmark':<24}{'shape':>14}{'minigrad':>10}{'torch':>9}{'numpy':>9}" \
           f"{'mg/torch':>10}{'mg/numpy':>10}"
    print(head)
    print("-" * len(head))
    for name in names:
        for label, shape, impls in SECTIONS[name](rng):
            t = best_times(impls, args.repeat)
            mg_t, th_t = t["minigrad"], t.get("torch", float("nan"))
            np_t = t.get("numpy", float("nan"))         # no NumPy column for training steps
            print(f"{label:<24}{shape!s:>14}{mg_t * 1e3:>10.2f}{th_t * 1e3:>9.2f}"
                  f"{np_t * 1e3:>9.2f}{mg_t / th_t:>10.2f}{mg_t / np_t:>10.2f}")


if __name__ == "__main__":
    main()
