"""DataLoader: batches of a Dataset as minigrad tensors (torch.utils.data.DataLoader's options,
errors and lengths), optionally moved to a device.

A map-style data set is visited in the order of `sampler` (default SequentialSampler, or
RandomSampler(dataset, generator=generator) with shuffle=True), cut into batches by
BatchSampler(sampler, batch_size, drop_last) unless `batch_sampler` is given; each batch is
[dataset[i] for i in batch] put through collate_fn (default_collate). batch_size=None turns
batching off: each sample goes through collate_fn (default_convert). An IterableDataset is
iterated in its own order, batch_size samples at a time. A TensorDataset (or a Subset of one)
with the default collate_fn is batched by indexing its tensors with the batch's whole index
array (no per-sample Python loop); with our own samplers the epoch's indices are drawn at once.
"""
from __future__ import annotations

import functools
import math
import multiprocessing as mp
import os
import warnings

from .. import backend
from ..tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, _generator
from .fetch import IterableFetcher, MapFetcher
from .sampler import BatchSampler, RandomSampler, SequentialSampler
from .workers import MultiProcessIter, get_worker_info  # noqa: F401  (re-exported)


def _to_device(batch, device):
    if device is None:
        return batch
    if isinstance(batch, Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, (tuple, list)):
        return type(batch)(_to_device(b, device) for b in batch)
    return batch


class DataLoader:
    """Iterate over `dataset` in batches (torch.utils.data.DataLoader).

    generator (a minigrad.Generator, a numpy Generator or an int seed; default: minigrad's
    global generator, seeded by mg.manual_seed) drives shuffle=True's RandomSampler; `seed`
    is an older spelling of an int generator. minigrad extras: `device` moves each batch there.
    num_workers > 0 loads in that many worker processes, as torch does (see workers.py):
    the same batches in the same order for a map-style data set; each worker iterates its
    own copy of an IterableDataset (split it with get_worker_info()).
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn=None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True, device=None,
                 seed: int | None = None):
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        multiprocessing_context = _check_context(multiprocessing_context, num_workers)
        if generator is None and seed is not None:
            generator = seed
        if generator is not None:
            _generator(generator)           # a TypeError now for a bad generator=
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"shuffle option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"sampler option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle \
                else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler if sampler is not None else _Endless(),
                                         batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.pin_memory, self.timeout = num_workers, pin_memory, timeout
        self.worker_init_fn, self.multiprocessing_context = worker_init_fn, \
            multiprocessing_context
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None \
            else prefetch_factor
        self.persistent_workers, self.pin_memory_device = persistent_workers, pin_memory_device
        self.in_order = in_order
        self._auto_collation = batch_sampler is not None
        self.collate_fn = collate_fn if collate_fn is not None else \
            (default_collate if self._auto_collation else default_convert)
        self.device = backend.Device(device) if device is not None else None
        self._iterator = None               # (persistent workers' iterator)
        self._initialized = True
        _warn_many_workers(num_workers)

    def __setattr__(self, attr, val):
        if getattr(self, "_initialized", False) and attr in _FIXED:
            raise ValueError(f"{attr} attribute should not be set after "
                             f"{type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)           # TypeError without __len__, as torch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self.batch_sampler if self._auto_collation else self.sampler)

    def __iter__(self):
        if self.num_workers == 0:
            return _LoaderIter(self, self._batches())
        if self.persistent_workers:
            if self._iterator is None:
                object.__setattr__(self, "_iterator", self._worker_iter())
            else:
                self._iterator._reset()
            return _DeviceIter(self, self._iterator)
        return _DeviceIter(self, self._worker_iter())

    @property
    def _index_sampler(self):
        if not self._auto_collation:
            return self.sampler if self.sampler is not None else _Endless()
        if isinstance(self.dataset, IterableDataset):
            return self.batch_sampler
        return _IndexBatches(self.batch_sampler)

    def _fetcher_factory(self):
        """A picklable maker of this loader's fetcher for a given data set copy."""
        bs = self.batch_sampler
        trusted = type(bs) is BatchSampler and type(bs.sampler) in (
            SequentialSampler, RandomSampler) and bs.sampler.data_source is self.dataset
        kind = IterableFetcher if isinstance(self.dataset, IterableDataset) else MapFetcher
        return functools.partial(kind, auto_collation=self._auto_collation,
                                 collate_fn=self.collate_fn, drop_last=self.drop_last,
                                 trusted=trusted)

    def _worker_iter(self):
        _warn_many_workers(self.num_workers)
        base_seed = int(_generator(self.generator).integers(0, 2 ** 63 - 1))
        return MultiProcessIter(self, self._fetcher_factory(), lambda: self._index_sampler,
                                base_seed)

    def _batches(self):
        fetch = self._fetcher_factory()(self.dataset)
        for index in self._index_sampler:
            try:
                batch = fetch(index)
            except StopIteration:
                if fetch.iterable:          # (the IterableDataset is spent)
                    return
                raise
            yield _to_device(batch, self.device)


class _LoaderIter:
    """An epoch's iterator; len() is the loader's, as torch's DataLoader iterators."""

    def __init__(self, loader, batches):
        self._loader, self._batches = loader, batches

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._batches)

    def __len__(self):
        return len(self._loader)


class _DeviceIter(_LoaderIter):
    """The workers' batches, moved to the loader's device= (a minigrad extra)."""

    def __next__(self):
        return _to_device(next(self._batches), self._loader.device)


_FIXED = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
          "persistent_workers")


class _Endless:
    """torch's _InfiniteConstantSampler: the sampler of an IterableDataset (None forever)."""

    def __iter__(self):
        while True:
            yield None


class _IndexBatches:
    """A batch sampler's batches; our own BatchSampler gives index arrays, drawn at once."""

    def __init__(self, batch_sampler):
        self.batch_sampler = batch_sampler

    def __iter__(self):
        bs = self.batch_sampler
        return bs._index_batches() if type(bs) is BatchSampler else iter(bs)

    def __len__(self):
        return len(self.batch_sampler)


def _check_workers(num_workers, timeout, prefetch_factor, persistent_workers):
    if not isinstance(num_workers, int) or isinstance(num_workers, bool):
        raise TypeError(f"DataLoader: num_workers must be an int, got {num_workers!r}")
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _warn_many_workers(num_workers):
    """torch's warning when there are more workers than CPUs this process may run on."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if num_workers and (cpus is None or num_workers > cpus):
        suggest = "DataLoader is not able to compute a suggested max number of worker in " \
            "current system." if cpus is None else \
            f"Our suggested max number of worker in current system is {cpus}" + \
            ("" if hasattr(os, "sched_getaffinity") else " (`cpuset` is not taken into account)") \
            + ", which is smaller than what this DataLoader is going to create."
        warnings.warn(f"This DataLoader will create {num_workers} worker processes in total. "
                      f"{suggest} Please be aware that excessive worker creation might get "
                      f"DataLoader running slow or even freeze, lower the worker number to "
                      f"avoid potential slowness/freeze if necessary.", stacklevel=3)


def _check_context(context, num_workers):
    """torch's multiprocessing_context rules: a start method's name or a context object."""
    if context is None:
        return None
    if num_workers == 0:
        raise ValueError(f"multiprocessing_context can only be used with multi-process "
                         f"loading (num_workers > 0), but got num_workers={num_workers}")
    if isinstance(context, str):
        methods = mp.get_all_start_methods()
        if context not in methods:
            raise ValueError(f"multiprocessing_context option should specify a valid start "
                             f"method in {methods!r}, but got "
                             f"multiprocessing_context={context!r}")
        context = mp.get_context(context)
    if not isinstance(context, mp.context.BaseContext):
        raise TypeError(f"multiprocessing_context option should be a valid context object or "
                        f"a string specifying the start method, but got "
                        f"multiprocessing_context={context}")
    return context
