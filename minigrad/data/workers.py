"""DataLoader worker processes (torch.utils.data's num_workers > 0).

Each worker is a process holding its own copy of the data set. The main process hands out
indices (a batch's indices, or a batch's empty slots for an IterableDataset) round-robin,
at most prefetch_factor * num_workers at a time; a worker answers each with the collated
batch, or with the exception it raised, and the main process puts the answers back in
sampler order (in_order=True). An IterableDataset is iterated by every worker in full:
split it with get_worker_info(), as with torch. Worker k seeds Python's `random`, minigrad
and NumPy's legacy global generator from base_seed + k (base_seed drawn from the loader's
generator each epoch), as torch does; the numbers drawn differ from torch's."""
from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from ..generator import manual_seed

_STATUS_CHECK_S = 5.0           # how often a blocked get() checks that the other side lives
_worker_info = None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What get_worker_info() returns inside a worker (torch's WorkerInfo)."""
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


def get_worker_info():
    """The current worker's WorkerInfo (id, num_workers, seed, dataset) inside a DataLoader
    worker process, None in the main process; matches torch.utils.data.get_worker_info."""
    return _worker_info


class _ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, where):
        exc_type, exc, tb = sys.exc_info()
        self.exc_type, self.where = exc_type, where
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))

    def reraise(self):
        # torch's message: "Caught ValueError in DataLoader worker process 2.\nOriginal
        # Traceback (most recent call last): ..." in an exception of the same type
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class _IterableStop:
    def __init__(self, worker_id):
        self.worker_id = worker_id


class _Resume:
    """Sent to persistent workers at the start of every epoch after the first."""


def _seed_worker(base_seed, worker_id):
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


def _worker_loop(make_fetcher, dataset, index_queue, data_queue, done_event, base_seed,
                 init_fn, worker_id, num_workers):
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    seed = _seed_worker(base_seed, worker_id)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                              dataset=dataset)
    init_error, fetcher = None, None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = make_fetcher(dataset)
    except Exception:
        init_error = _ExceptionWrapper(where)
    parent, iteration_end = os.getppid(), False
    while True:
        try:
            task = index_queue.get(timeout=_STATUS_CHECK_S)
        except queue.Empty:
            if os.getppid() != parent:      # the main process died: stop
                break
            continue
        if isinstance(task, _Resume):
            data_queue.put((task, None))
            iteration_end = False
            if init_error is None:
                try:
                    fetcher = make_fetcher(dataset)   # (a fresh iterator, a new epoch)
                except Exception:
                    init_error = _ExceptionWrapper(where)
            continue
        if task is None:
            break
        if done_event.is_set() or iteration_end:
            continue                        # (wait for the end or the next epoch)
        idx, index = task
        if init_error is not None:
            data, init_error = init_error, None
        else:
            try:
                data = fetcher(index)
            except Exception as e:
                if isinstance(e, StopIteration) and fetcher.iterable:
                    data, iteration_end = _IterableStop(worker_id), True
                else:
                    data = _ExceptionWrapper(where)
        data_queue.put((idx, data))
        del data


class MultiProcessIter:
    """One epoch (or, with persistent_workers, every epoch) of a DataLoader with workers."""

    def __init__(self, loader, make_fetcher, index_sampler, base_seed):
        self._loader, self._make_index_sampler = loader, index_sampler
        n = self._num_workers = loader.num_workers
        ctx = loader.multiprocessing_context or mp.get_context()
        self._prefetch, self._timeout = loader.prefetch_factor, loader.timeout
        self._persistent, self._in_order = loader.persistent_workers, loader.in_order
        self._data_queue, self._done_event = ctx.Queue(), ctx.Event()
        self._index_queues, self._workers = [], []
        for k in range(n):
            q = ctx.Queue()
            q.cancel_join_thread()
            w = ctx.Process(target=_worker_loop, daemon=True,
                            args=(make_fetcher, loader.dataset, q, self._data_queue,
                                  self._done_event, base_seed, loader.worker_init_fn, k, n))
            w.start()
            self._index_queues.append(q)
            self._workers.append(w)
        self._shutdown = False
        self._reset(first=True)

    def _reset(self, first=False):
        n = self._num_workers
        self._sampler_iter = iter(self._make_index_sampler())
        self._send_idx = self._rcvd_idx = self._outstanding = 0
        self._task_info, self._status = {}, [True] * n
        self._num_tasks = [0] * n
        self._cycle = itertools.cycle(range(n))
        if not first:                       # persistent workers: wait for every worker's ack
            for q in self._index_queues:
                q.put(_Resume())
            left = n
            while left:
                idx, _ = self._get_data()
                left -= isinstance(idx, _Resume)
        for _ in range(self._prefetch * n):
            self._try_put_index()

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._loader)

    def __next__(self):
        while True:
            while self._rcvd_idx < self._send_idx:      # skip tasks of finished workers
                info = self._task_info.get(self._rcvd_idx)
                if info and (len(info) == 2 or self._status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                worker, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process(data, worker)
            idx, data = self._get_data()
            self._outstanding -= 1
            if isinstance(data, _IterableStop):
                self._status[data.worker_id] = False
                if not self._persistent:
                    self._index_queues[data.worker_id].put(None)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    return self._process(data, self._task_info.pop(idx)[0])
                self._task_info[idx] += (data,)
            else:
                worker = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process(data, worker)

    def _try_put_index(self):
        max_tasks = self._prefetch * self._num_workers
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):              # the next active worker, if any
            k = next(self._cycle)
            if self._status[k] and (self._in_order or
                                    self._num_tasks[k] < max_tasks // sum(self._status)):
                break
        else:
            return
        self._index_queues[k].put((self._send_idx, index))
        self._task_info[self._send_idx] = (k,)
        self._num_tasks[k] += 1
        self._outstanding += 1
        self._send_idx += 1

    def _process(self, data, worker):
        self._num_tasks[worker] -= 1
        self._try_put_index()
        if isinstance(data, _ExceptionWrapper):
            data.reraise()
        return data

    def _get_data(self):
        wait = self._timeout if self._timeout > 0 else _STATUS_CHECK_S
        while True:
            try:
                return self._data_queue.get(timeout=wait)
            except queue.Empty:
                dead = [w for k, w in enumerate(self._workers)
                        if self._status[k] and not w.is_alive()]
                if dead:
                    self._shutdown_workers()
                    pids = ", ".join(str(w.pid) for w in dead)
                    raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited "
                                       f"unexpectedly") from None
                if self._timeout > 0:
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} "
                                       f"seconds") from None

    def _shutdown_workers(self):
        if self._shutdown:
            return
        self._shutdown = True
        self._done_event.set()
        for q in self._index_queues:
            q.put(None)
        for w in self._workers:
            w.join(timeout=_STATUS_CHECK_S)
            if w.is_alive():
                w.terminate()
        for q in self._index_queues:
            q.close()
        self._data_queue.cancel_join_thread()
        self._data_queue.close()

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:                   # (interpreter shutdown)
            pass
