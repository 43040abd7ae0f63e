"""DataLoader: batches of a Dataset as minigrad tensors, optionally shuffled, on a device."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import backend
from ..tensor import Tensor
from .dataset import Subset, TensorDataset, _generator


def default_collate(samples):
    """Stack a list of samples: tensors/arrays/numbers become one tensor with a batch dim;
    tuples, lists and dicts are collated element by element (torch's default_collate)."""
    first = samples[0]
    if isinstance(first, Tensor):
        xp = backend.array_module(first.data)
        return Tensor._make(xp.stack([s.data for s in samples]))
    if isinstance(first, (np.ndarray, np.generic)):
        return Tensor._make(np.stack(samples))
    if isinstance(first, bool):
        return Tensor._make(np.asarray(samples, dtype=bool))
    if isinstance(first, numbers.Integral):
        return Tensor._make(np.asarray(samples, dtype=np.int64))
    if isinstance(first, numbers.Real):
        return Tensor._make(np.asarray(samples, dtype=np.float64))
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(default_collate(list(col)) for col in zip(*samples)) \
            if isinstance(first, tuple) else [default_collate(list(c)) for c in zip(*samples)]
    raise TypeError(f"default_collate: cannot batch samples of type {type(first).__name__}")


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
    """Iterate over `dataset` in batches (matches torch.utils.data.DataLoader's main options).

    shuffle draws a new permutation each epoch from `generator` (a minigrad.Generator, a numpy
    Generator or an int seed; default: minigrad's generator, seeded by mg.manual_seed).
    Batches are moved to
    `device` when given. A TensorDataset is batched by indexing its tensors with the whole
    index array at once (no per-sample Python loop).
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, generator=None, collate_fn=None, device=None,
                 seed: int | None = None, num_workers: int = 0, pin_memory: bool = False,
                 sampler=None):
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        self.sampler = sampler      # an iterable of indices (e.g. DistributedSampler)
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size should be a positive integer value, but "
                             f"got batch_size={batch_size!r}")
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self.drop_last, self.collate_fn = drop_last, collate_fn
        self.device = backend.Device(device) if device is not None else None
        self.generator = _generator(seed if generator is None and seed is not None
                                    else generator)

    def __len__(self):
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self):
        if self.sampler is not None:
            return np.asarray(list(self.sampler), dtype=np.int64)
        n = len(self.dataset)
        return self.generator.permutation(n) if self.shuffle else np.arange(n)

    def _fetch(self, idx):
        ds = self.dataset
        if self.collate_fn is None:
            if isinstance(ds, Subset) and isinstance(ds.dataset, TensorDataset):
                idx, ds = np.asarray(ds.indices)[idx], ds.dataset
            if isinstance(ds, TensorDataset):
                return tuple(t[backend.to_device(idx, t.device)] for t in ds.tensors)
        samples = [ds[int(i)] for i in idx]
        return (self.collate_fn or default_collate)(samples)

    def __iter__(self):
        order = self._order()
        if self.batch_size is None:
            for i in order:
                yield _to_device(self.dataset[int(i)], self.device)
            return
        stop = len(self) * self.batch_size
        for start in range(0, min(stop, len(order)), self.batch_size):
            batch = self._fetch(order[start:start + self.batch_size])
            yield _to_device(batch, self.device)
