"""DataLoader with worker processes (num_workers > 0) against torch.utils.data's: the same
batches in the same order (map-style, and IterableDataset copies split by get_worker_info
or not), worker_init_fn, worker seeds, persistent workers, in_order=False, errors raised in
a worker, timeouts, dead workers and multiprocessing_context."""
from __future__ import annotations

import dataclasses
import os
import random
import time
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import data
from minigrad.data import workers

torch = pytest.importorskip("torch")
tdata = torch.utils.data
from data_check import Stream, TStream, both_raise, same, tensors  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:This DataLoader will create")


def both(ours, ref, **kw):
    got, want = list(data.DataLoader(ours, **kw)), list(tdata.DataLoader(ref, **kw))
    assert len(got) == len(want), (len(got), len(want))
    for g, w in zip(got, want):
        same(g, w)
    return got


class Dicts(data.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": np.full(2, float(i)), "i": i}


class TDicts(Dicts, tdata.Dataset):
    pass


@pytest.mark.parametrize("kw", [dict(batch_size=3), dict(batch_size=4, drop_last=True),
                                dict(batch_size=None), dict(batch_size=2, prefetch_factor=1),
                                dict(batch_size=1, prefetch_factor=5),
                                dict(sampler=[9, 0, 4, 4, 2], batch_size=2),
                                dict(batch_sampler=[[3, 1], [0, 2, 5], [4]])])
def test_map_style_batches_in_sampler_order(kw):
    m, tm = tensors(11, np.random.default_rng(1))
    both(m, tm, num_workers=2, **kw)
    both(Dicts(10), TDicts(10), num_workers=2, **kw)


class Shards(data.IterableDataset):         # torch's documented worker-splitting pattern
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = data.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


class TShards(tdata.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = tdata.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))


@pytest.mark.parametrize("kw", [dict(batch_size=2), dict(batch_size=2, drop_last=True),
                                dict(batch_size=None), dict(batch_size=5),
                                dict(batch_size=3, prefetch_factor=1)])
def test_iterable_copies_per_worker(kw):
    both(Shards(11), TShards(11), num_workers=2, **kw)
    both(Shards(0), TShards(0), num_workers=2, **kw)
    # without splitting, every worker iterates all of its copy (duplicates, as torch)
    got = both(Stream(list(range(5))), TStream(list(range(5))), num_workers=2, **kw)
    assert sum(1 for _ in got) > 0


def _whoami(i):
    info = data.get_worker_info()
    return [i, info.id, info.num_workers, info.seed, mg.initial_seed(), _INIT.get("id", -1),
            random.random(), float(np.random.rand()), mg.rand(()).item(), os.getpid()]


_INIT = {}


def _init(worker_id):
    _INIT["id"] = worker_id * 10


class Who(data.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return _whoami(i)


def _rows(loader):
    return [[float(v) for v in r] for b in loader for r in zip(*b)]


def test_worker_info_init_fn_and_seeds():
    assert data.get_worker_info() is None
    loader = data.DataLoader(Who(), batch_size=2, num_workers=2, worker_init_fn=_init,
                             generator=mg.Generator().manual_seed(5))
    rows = _rows(loader)
    assert [r[0] for r in rows] == list(range(8))
    # batch b (indices 2b, 2b + 1) goes to worker b % 2, round-robin, as torch
    assert [r[1] for r in rows] == [(i // 2) % 2 for i in range(8)]
    assert all(r[2] == 2 and r[5] == 10 * r[1] for r in rows)
    seeds = {r[1]: r[3] for r in rows}
    assert seeds[1] == seeds[0] + 1                 # base_seed + worker id
    assert all(r[4] == seeds[r[1]] for r in rows)   # minigrad seeded with it
    pids = {r[1]: r[9] for r in rows}
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    for col in (6, 7, 8):                           # random, numpy, minigrad streams differ
        assert rows[0][col] != rows[2][col]
    again = _rows(data.DataLoader(Who(), batch_size=2, num_workers=2, worker_init_fn=_init,
                                  generator=mg.Generator().manual_seed(5)))
    assert [r[:9] for r in again] == [r[:9] for r in rows]      # reproducible
    other = _rows(loader)                           # a new epoch draws a new base seed
    assert other[0][3] != rows[0][3]


def test_worker_info_is_frozen_as_torch():
    info = workers.WorkerInfo(id=0, num_workers=1, seed=3, dataset=None)
    tinfo = torch.utils.data._utils.worker.WorkerInfo(id=0, num_workers=1, seed=3,
                                                      dataset=None)
    both_raise(lambda: setattr(info, "id", 2), lambda: setattr(tinfo, "id", 2))
    assert [f.name for f in dataclasses.fields(info)] == \
        [f.name for f in dataclasses.fields(tinfo)]


def test_persistent_workers_across_epochs():
    loader = data.DataLoader(Who(), batch_size=2, num_workers=2, persistent_workers=True)
    first = _rows(loader)
    it = iter(loader)
    next(it)                                        # a partly read epoch, then a new one
    second = _rows(loader)
    assert [r[0] for r in second] == list(range(8))
    assert {r[9] for r in first} == {r[9] for r in second}     # the same processes
    assert second[0][3] == first[0][3]              # not reseeded, as torch
    assert second[0][8] != first[0][8]              # but their generators moved on
    s, ts = Shards(7), TShards(7)
    ours = data.DataLoader(s, batch_size=2, num_workers=2, persistent_workers=True)
    ref = tdata.DataLoader(ts, batch_size=2, num_workers=2, persistent_workers=True)
    for _ in range(3):                              # each epoch iterates afresh
        got, want = list(ours), list(ref)
        assert len(got) == len(want) == 4
        for g, w in zip(got, want):
            same(g, w)


class Slow(data.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        time.sleep(0.3 if i == 0 else 0.0)
        return i


def test_out_of_order_delivery():
    got = [int(b) for b in data.DataLoader(Slow(), num_workers=2, in_order=False)]
    assert sorted(got) == list(range(6)) and got != list(range(6))
    assert [int(b) for b in data.DataLoader(Slow(), num_workers=2)] == list(range(6))


class Fails(data.Dataset):
    def __init__(self, exc):
        self.exc = exc

    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 3:
            raise self.exc
        return i


class TFails(Fails, tdata.Dataset):
    pass


@pytest.mark.parametrize("exc", [ValueError("bad sample 3"), IndexError("no row"),
                                 ZeroDivisionError("x")])
def test_worker_errors_reraised_as_torch(exc):
    msg = both_raise(lambda: list(data.DataLoader(Fails(exc), num_workers=2)),
                     lambda: list(tdata.DataLoader(TFails(exc), num_workers=2)))
    assert msg.startswith(f"Caught {type(exc).__name__} in DataLoader worker process 1.\n"
                          f"Original Traceback (most recent call last):")
    assert str(exc) in msg and "__getitem__" in msg
    msg = both_raise(lambda: list(data.DataLoader(Fails(exc), num_workers=2,
                                                  worker_init_fn=_bad_init)),
                     lambda: list(tdata.DataLoader(TFails(exc), num_workers=2,
                                                   worker_init_fn=_bad_init)))
    assert msg.startswith("Caught RuntimeError in DataLoader worker process 0.") and \
        "init failed" in msg


def _bad_init(worker_id):
    raise RuntimeError("init failed")


class Sleepy(data.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(3)
        return i


class Dies(data.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        os._exit(1)


def test_timeout_and_dead_worker(monkeypatch):
    with pytest.raises(RuntimeError, match=r"^DataLoader timed out after 0.5 seconds$"):
        list(data.DataLoader(Sleepy(), num_workers=1, timeout=0.5))
    monkeypatch.setattr(workers, "_STATUS_CHECK_S", 0.2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           r"unexpectedly"):
        list(data.DataLoader(Dies(), num_workers=1))


def test_multiprocessing_context_as_torch():
    m, tm = tensors(5, np.random.default_rng(2))
    both(m, tm, num_workers=2, batch_size=2, multiprocessing_context="spawn")
    both(m, tm, num_workers=1, batch_size=2,
         multiprocessing_context=__import__("multiprocessing").get_context("fork"))
    for kw in (dict(num_workers=1, multiprocessing_context="threads"),
               dict(num_workers=1, multiprocessing_context=3),
               dict(num_workers=0, multiprocessing_context="fork")):
        msg = both_raise(lambda: data.DataLoader(m, **kw), lambda: tdata.DataLoader(tm, **kw))
        with pytest.raises(Exception) as r:
            tdata.DataLoader(tm, **kw)
        assert msg == str(r.value)


def test_too_many_workers_warns_as_torch():
    m, tm = tensors(5, np.random.default_rng(3))
    n = len(os.sched_getaffinity(0)) + 1 if hasattr(os, "sched_getaffinity") else 999
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        data.DataLoader(m, num_workers=n)
    with warnings.catch_warnings(record=True) as ref:
        warnings.simplefilter("always")
        tdata.DataLoader(tm, num_workers=n)
    assert [str(w.message) for w in ours] == [str(w.message) for w in ref]
    assert len(ours) == 1


def test_device_extra_with_workers():
    m, tm = tensors(5, np.random.default_rng(4))
    got = list(data.DataLoader(m, batch_size=2, num_workers=2, device="cpu"))
    for g, w in zip(got, tdata.DataLoader(tm, batch_size=2)):
        same(g, w)
