"""Samplers: the order in which a DataLoader visits a data set's indices (torch.utils.data's
Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler and
BatchSampler: same arguments, defaults, errors, lengths and iteration).

Random draws come from `generator` (a minigrad.Generator, a numpy Generator or an int seed;
None: minigrad's global stream, seeded by mg.manual_seed). They are drawn with NumPy's bit
generator, so the orders differ from torch's for the same seed; their distributions are
torch's: RandomSampler without replacement yields num_samples // n whole permutations then
the head of one more, with replacement num_samples uniform draws in [0, n);
WeightedRandomSampler draws index i with probability w_i / sum(w) (with replacement), or
successively without replacement (the exponential race: argsort of -w_i / E_i, E_i ~ Exp(1)).
"""
from __future__ import annotations

import itertools
import math
import numbers
from typing import Generic, TypeVar

import numpy as np

from .dataset import _generator


_T_co = TypeVar("_T_co", covariant=True)


class Sampler(Generic[_T_co]):
    """Base class: subclasses define __iter__ (indices, or lists of indices for a batch
    sampler) and usually __len__. Generic as torch's (class S(Sampler[int]))."""

    def __iter__(self):
        raise NotImplementedError


class _Drawn:
    """generator= as minigrad's data utilities take it: resolved at each draw for None and a
    minigrad.Generator (so mg.manual_seed / g.manual_seed take effect), once for an int seed
    (one stream that moves on from epoch to epoch)."""

    def _set_generator(self, generator):
        _generator(generator)           # a TypeError now for a bad generator=
        self.generator = generator
        fixed = isinstance(generator, (numbers.Integral, np.random.Generator)) \
            and not isinstance(generator, bool)
        self._stream = _generator(generator) if fixed else None

    def _rng(self):
        return self._stream if self._stream is not None else _generator(self.generator)


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def _epoch_indices(self):
        return np.arange(len(self.data_source), dtype=np.int64)

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(_Drawn, Sampler):
    """A random order of data_source's indices: num_samples of them (default len(data_source)),
    whole permutations then the head of one more without replacement, uniform draws with."""

    def __init__(self, data_source, replacement: bool = False, num_samples: int | None = None,
                 generator=None):
        self.data_source, self.replacement, self._num_samples = data_source, replacement, \
            num_samples
        self._set_generator(generator)
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _epoch_indices(self):
        n, k = len(self.data_source), int(self.num_samples)
        rng = self._rng()
        if self.replacement:
            if n == 0:
                raise RuntimeError("RandomSampler: cannot draw with replacement from an empty "
                                   "data_source (torch: random_ expects 'from' to be less "
                                   "than 'to')")
            return rng.integers(0, n, size=k, dtype=np.int64)
        if n == 0:
            raise ZeroDivisionError("RandomSampler: cannot draw without replacement from an "
                                    "empty data_source (torch: integer division by zero)")
        perms = [rng.permutation(n) for _ in range(k // n)]
        perms.append(rng.permutation(n)[:k % n])
        return np.concatenate(perms).astype(np.int64)

    def __iter__(self):
        yield from self._epoch_indices().tolist()

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(_Drawn, Sampler):
    """The elements of `indices` in a random order (without replacement)."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self._set_generator(generator)

    def __iter__(self):
        for i in self._rng().permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(_Drawn, Sampler):
    """num_samples indices of [0, len(weights)) drawn with probabilities weights / sum(weights)
    (torch.multinomial(weights, num_samples, replacement))."""

    def __init__(self, weights, num_samples: int, replacement: bool = True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        from ..tensor import Tensor
        w = weights.detach().cpu().numpy() if isinstance(weights, Tensor) else weights
        try:
            w = np.asarray(w, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise TypeError(f"WeightedRandomSampler: weights must be a sequence of numbers, "
                            f"got {weights!r}") from err
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(w.shape)}")
        self.weights = Tensor._make(w)          # float64, as torch's
        self.num_samples, self.replacement = num_samples, replacement
        self._set_generator(generator)

    def _epoch_indices(self):
        w, k = self.weights.data, self.num_samples
        if w.size == 0:
            raise RuntimeError("WeightedRandomSampler: weights is empty (torch: cannot compute "
                               "aminmax over an empty dimension)")
        if not np.isfinite(w).all():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (w < 0).any():
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        if w.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rng = self._rng()
        if self.replacement:
            cdf = np.cumsum(w)
            cdf /= cdf[-1]
            idx = np.searchsorted(cdf, rng.random(k), side="right")
            return np.minimum(idx, w.size - 1).astype(np.int64)    # (cdf rounding)
        if k > w.size:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        nonzero = int((w > 0).sum())
        if k > nonzero:
            raise RuntimeError(f"WeightedRandomSampler: cannot draw {k} samples without "
                               f"replacement from {nonzero} indices of non-zero weight (torch "
                               "then appends zero-weight indices in its topk's tie order, "
                               "which minigrad does not reproduce)")
        race = w / rng.exponential(1.0, w.size)
        return np.argsort(-race, kind="stable")[:k].astype(np.int64)

    def __iter__(self):
        yield from self._epoch_indices().tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of batch_size consecutive indices of `sampler` (any iterable); the last one
    shorter, or dropped with drop_last."""

    def __init__(self, sampler, batch_size: int, drop_last: bool):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def _index_batches(self):
        """The batches: int64 arrays cut from the whole epoch's index array when the sampler
        is one of ours that draws it at once, otherwise the lists __iter__ yields."""
        if type(self.sampler) in _WHOLE_EPOCH:
            order = self.sampler._epoch_indices()
            stop = len(order) - len(order) % self.batch_size if self.drop_last else len(order)
            return (order[i:i + self.batch_size] for i in range(0, stop, self.batch_size))
        return iter(self)

    def __iter__(self):
        it = iter(self.sampler)
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)


_WHOLE_EPOCH = (SequentialSampler, RandomSampler, WeightedRandomSampler)
