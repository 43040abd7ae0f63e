"""Dataset, IterableDataset, TensorDataset, StackDataset, Subset, ConcatDataset, ChainDataset
and random_split (torch.utils.data's)."""
from __future__ import annotations

import bisect
import collections.abc as abc
import math
from typing import Generic, TypeVar

import numpy as np

from .. import backend
from ..generator import Generator


_T_co = TypeVar("_T_co", covariant=True)


class Dataset(Generic[_T_co]):
    """A map-style data set: subclasses define __getitem__(i) and usually __len__() (without
    one, len() raises TypeError, as torch's Dataset has none). `a + b` is ConcatDataset."""

    def __getitem__(self, index):
        raise NotImplementedError(f"Subclasses of Dataset should implement __getitem__ "
                                  f"({type(self).__name__} does not)")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset[_T_co], abc.Iterable):
    """A data set given as a stream: subclasses define __iter__ (abstract, as torch's: a
    subclass without one cannot be instantiated) and may define __len__. A DataLoader iterates
    it in order (no sampler, no shuffle). `a + b` is ChainDataset."""

    def __add__(self, other):
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several IterableDatasets one after another, chained on the fly."""

    def __init__(self, datasets):
        self.datasets = datasets

    def _check(self, d):
        if not isinstance(d, IterableDataset):
            raise AssertionError("ChainDataset only supports IterableDataset")
        return d

    def __iter__(self):
        for d in self.datasets:
            yield from self._check(d)

    def __len__(self):
        return sum(len(self._check(d)) for d in self.datasets)


class StackDataset(Dataset):
    """Samples of several equally long data sets side by side: a tuple for positional
    data sets, a dict for keyword ones."""

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via "
                             "``kwargs``) like input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        parts = list(args) if args else list(kwargs.values())
        self._length = len(parts[0])
        if any(self._length != len(d) for d in parts):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self):
        return self._length


class TensorDataset(Dataset):
    """Samples are tuples (t[i] for t in tensors); all tensors share their first dim."""

    def __init__(self, *tensors):
        for k, t in enumerate(tensors):
            if t.shape[0] != tensors[0].shape[0]:
                raise AssertionError(f"Size mismatch between tensors: tensors[0] has "
                                     f"{tensors[0].shape[0]} rows, tensors[{k}] has "
                                     f"{t.shape[0]}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        if not self.tensors:
            raise IndexError("TensorDataset: no tensors, so no length (torch: tuple index out "
                             "of range)")
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at `indices`."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        if isinstance(index, (list, np.ndarray)):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several data sets one after another."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1])

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise ValueError(f"absolute value of index should not exceed dataset length "
                                 f"(index {index}, length {len(self)})")
            index += len(self)
        k = bisect.bisect_right(self.cumulative_sizes, index)
        start = 0 if k == 0 else int(self.cumulative_sizes[k - 1])
        return self.datasets[k][index - start]


def _generator(generator):
    """The numpy Generator to draw from: minigrad's global one (None), a minigrad.Generator's
    stream (as torch's generator=), a numpy Generator, or a new one seeded with an int."""
    if generator is None:
        return backend.rng(np)
    if isinstance(generator, Generator):
        return backend.generator_stream(generator, np)
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator must be a minigrad.Generator, a numpy.random.Generator, an int "
                    f"seed or None, got {type(generator).__name__}")


def random_split(dataset, lengths, generator=None):
    """Split into non-overlapping Subsets of the given lengths (or fractions summing to 1),
    like torch.utils.data.random_split; generator: a minigrad.Generator (or a numpy
    Generator, or an int seed)."""
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1 and not all(
            isinstance(x, int) for x in lengths):
        counts = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(counts)):       # spread the remainder round-robin, as torch
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal "
                         f"the length of the input dataset ({n})")
    perm = _generator(generator).permutation(n).tolist()
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, perm[start:start + length]))
        start += length
    return out
