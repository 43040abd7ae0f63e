"""Fetchers: turn one index (or batch of indices) from the sampler into one batch, in the
main process or in a worker (torch.utils.data._utils.fetch). A map-style data set is read
at the indices; an IterableDataset is read from one iterator, as many samples as the batch
has slots. A TensorDataset (or a Subset of one) with the default collate_fn is batched by
indexing its tensors with the batch's whole index array (no per-sample Python loop)."""
from __future__ import annotations

import numpy as np

from .. import backend
from .collate import default_collate
from .dataset import Subset, TensorDataset


class MapFetcher:
    """collate_fn([dataset[i] for i in batch]) with auto-collation, else collate_fn(dataset[i]).
    trusted: the indices are int64 arrays of our own sampler over this data set (in range)."""
    iterable = False

    def __init__(self, dataset, auto_collation, collate_fn, drop_last, trusted=False):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        self.trusted = trusted

    def __call__(self, index):
        ds = self.dataset
        if not self.auto_collation:
            return self.collate_fn(ds[index])
        if self.collate_fn is default_collate and isinstance(ds, (TensorDataset, Subset)):
            fast = _tensor_rows(ds, index, self.trusted)
            if fast is not None:
                return fast
        return self.collate_fn([ds[i] for i in _as_list(index)])


class IterableFetcher:
    """The next batch of an IterableDataset's one iterator; StopIteration once it is spent
    (after a last partial batch, which drop_last drops), as torch's fetcher."""
    iterable = True

    def __init__(self, dataset, auto_collation, collate_fn, drop_last, trusted=False):
        self.iterator, self.auto_collation = iter(dataset), auto_collation
        self.collate_fn, self.drop_last, self.ended = collate_fn, drop_last, False

    def __call__(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        samples = []
        for _ in index:                     # (index: the batch's slots, [None] * batch_size)
            try:
                samples.append(next(self.iterator))
            except StopIteration:
                self.ended = True
                break
        if not samples or (self.drop_last and len(samples) < len(index)):
            raise StopIteration
        return self.collate_fn(samples)


def _as_list(idx):
    return idx.tolist() if isinstance(idx, np.ndarray) else idx


def _tensor_rows(ds, idx, trusted=False):
    """A TensorDataset's (or a Subset of one's) rows at integer indices `idx`, as the list
    default_collate makes of its samples; None where that does not apply."""
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
