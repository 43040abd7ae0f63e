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

import math

import numpy as np

from .. import backend
from ..tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset, _generator
from .sampler import BatchSampler, RandomSampler, SequentialSampler


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
    num_workers > 0 loads in this process (the same batches, in the same order, as torch's
    worker processes return for a map-style data set); an IterableDataset or a
    worker_init_fn with workers raises NotImplementedError, since torch's result there
    depends on per-worker copies of the data set.
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn=None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True, device=None,
                 seed: int | None = None):
        _check_workers(dataset, num_workers, timeout, prefetch_factor, persistent_workers,
                       worker_init_fn)
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
        self._initialized = True

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
        return _LoaderIter(self, self._batches())

    def _batches(self):
        if isinstance(self.dataset, IterableDataset):
            batches = self._iterable_batches()
        elif self._auto_collation:
            bs = self.batch_sampler
            trusted = type(bs) is BatchSampler and type(bs.sampler) in (
                SequentialSampler, RandomSampler) and bs.sampler.data_source is self.dataset
            batches = (self._fetch(b, trusted) for b in _index_batches(bs))
        else:
            batches = (self.collate_fn(self.dataset[i]) for i in self.sampler)
        for batch in batches:
            yield _to_device(batch, self.device)

    def _iterable_batches(self):
        it = iter(self.dataset)
        if not self._auto_collation:
            for sample in it:
                yield self.collate_fn(sample)
            return
        for _ in self.batch_sampler:        # (batches of an endless sampler: sizes only)
            samples, ended = [], False
            for _ in range(self.batch_size):
                try:
                    samples.append(next(it))
                except StopIteration:
                    ended = True
                    break
            if not samples or (self.drop_last and len(samples) < self.batch_size):
                return
            yield self.collate_fn(samples)
            if ended:                       # (torch's fetcher stops there too)
                return

    def _fetch(self, idx, trusted=False):
        ds = self.dataset
        if self.collate_fn is default_collate and isinstance(ds, (TensorDataset, Subset)):
            fast = _tensor_rows(ds, idx, trusted)
            if fast is not None:
                return fast
        return self.collate_fn([ds[i] for i in _as_list(idx)])


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


def get_worker_info():
    """None: minigrad loads every batch in the calling process (torch returns None there
    too, so an IterableDataset written for torch's workers iterates all of its data)."""
    return None


_FIXED = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
          "persistent_workers")


class _Endless:
    """torch's _InfiniteConstantSampler: the sampler of an IterableDataset (None forever)."""

    def __iter__(self):
        while True:
            yield None


def _index_batches(batch_sampler):
    if type(batch_sampler) is BatchSampler:
        return batch_sampler._index_batches()
    return iter(batch_sampler)


def _as_list(idx):
    return idx.tolist() if isinstance(idx, np.ndarray) else idx


def _tensor_rows(ds, idx, trusted=False):
    """A TensorDataset's (or a Subset of one's) rows at integer indices `idx`, as the list
    default_collate makes of its samples; None where that does not apply. trusted: idx is
    an int64 array of our own sampler over this data set (in range)."""
    if trusted and isinstance(ds, TensorDataset):
        return [t[backend.to_device(idx, t.device)] for t in ds.tensors]
    try:
        arr = np.asarray(idx)
    except (TypeError, ValueError):
        return None
    if arr.ndim != 1 or arr.dtype.kind not in "iu" or arr.size == 0:
        return None
    if isinstance(ds, Subset):
        if not isinstance(ds.dataset, TensorDataset):
            return None
        arr, ds = np.asarray(ds.indices, dtype=np.int64)[arr], ds.dataset
    n = len(ds)
    if (arr >= n).any() or (arr < -n).any():
        return None                 # (the per-sample path raises the IndexError)
    return [t[backend.to_device(arr, t.device)] for t in ds.tensors]


def _check_workers(dataset, num_workers, timeout, prefetch_factor, persistent_workers,
                   worker_init_fn):
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
    if num_workers > 0 and isinstance(dataset, IterableDataset):
        raise NotImplementedError("DataLoader: minigrad loads in this process; with "
                                  "num_workers > 0 torch iterates a copy of an IterableDataset "
                                  "in each worker, which it does not reproduce: use "
                                  "num_workers=0")
    if num_workers > 0 and worker_init_fn is not None:
        raise NotImplementedError("DataLoader: minigrad loads in this process and has no "
                                  "workers to run worker_init_fn in: use num_workers=0")
