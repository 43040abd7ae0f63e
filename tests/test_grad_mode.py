"""Grad mode is per thread (as torch's): no_grad in one thread never affects another."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F


def _make_model(seed):
    mg.manual_seed(seed)
    return mg.nn.Sequential(mg.nn.Linear(8, 16), mg.nn.Tanh(), mg.nn.Linear(16, 4))


def _data(seed):
    r = np.random.default_rng(seed)
    return (mg.tensor(r.standard_normal((64, 8)).astype(np.float32)),
            mg.tensor(r.integers(0, 4, 64)))


def _train(model, x, y, steps=30):
    opt = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for i in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        with mg.no_grad():                  # other threads are recording graphs meanwhile
            for p in model.parameters():
                p -= 0.01 * p.grad
        opt.step()
        assert all(p.grad is not None for p in model.parameters())
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_four_threads_train_as_they_would_one_after_another():
    seeds = [1, 2, 3, 4]
    sequential = [_train(_make_model(s), *_data(s)) for s in seeds]
    models = [_make_model(s) for s in seeds]
    results, errors = [None] * 4, []

    def work(k):
        try:
            results[k] = _train(models[k], *_data(seeds[k]))
        except Exception as e:          # noqa: BLE001 - reported below with its thread
            errors.append((k, e))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for seq, par in zip(sequential, results):
        for a, b in zip(seq, par):
            np.testing.assert_array_equal(a, b)         # bit-identical


def test_no_grad_in_one_thread_leaves_the_others_recording():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def holder():
        with mg.no_grad():
            seen["holder"] = mg.is_grad_enabled()
            inside.set()
            done.wait(10)

    t = threading.Thread(target=holder)
    t.start()
    assert inside.wait(10)
    x = mg.ones(3, requires_grad=True)
    y = (x * 2).sum()
    seen["main"] = mg.is_grad_enabled()
    done.set()
    t.join()
    assert seen == {"holder": False, "main": True}
    assert y.grad_fn is not None


def test_a_new_thread_starts_with_grad_mode_on():
    seen = []
    with mg.no_grad():
        t = threading.Thread(target=lambda: seen.append(mg.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


torch = pytest.importorskip("torch")


@pytest.mark.parametrize("lib", [mg, torch], ids=["minigrad", "torch"])
def test_grad_mode_managers_behave_as_torchs(lib):
    x = lib.ones(2, requires_grad=True)
    got = []
    prev = lib.set_grad_enabled(False)          # a call sets the mode at once
    got.append(lib.is_grad_enabled())
    with prev:
        pass                                     # leaving restores the mode before the call
    got.append(lib.is_grad_enabled())

    @lib.no_grad()
    def f():
        return (x * 2).requires_grad

    @lib.set_grad_enabled(False)
    def g():
        return lib.is_grad_enabled()

    got.append(lib.is_grad_enabled())            # decorating changed nothing
    got += [f(), g(), lib.is_grad_enabled()]
    with lib.inference_mode():
        got += [(x * 2).requires_grad, lib.is_inference_mode_enabled()]
        with lib.inference_mode(False):
            got.append(lib.is_inference_mode_enabled())
    with lib.no_grad():
        with lib.enable_grad():
            got.append((x * 2).requires_grad)
        got.append((x * 2).requires_grad)
    got.append(lib.is_inference_mode_enabled())
    assert got == [False, True, True, False, False, True, False, True, False, True, False,
                   False]
