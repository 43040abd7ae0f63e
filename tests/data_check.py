"""Helpers shared by the minigrad.data tests against torch.utils.data: structural equality
of batches, same-exception checks, and small streaming data sets on both sides."""
from __future__ import annotations

import collections

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad import data

tdata = torch.utils.data

Pair = collections.namedtuple("Pair", "a b")


def same(ours, ref):
    """Equal structure (container types included), tensor dtypes and values."""
    if isinstance(ref, torch.Tensor):
        assert isinstance(ours, mg.Tensor), (type(ours), ref)
        assert str(ours.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
        np.testing.assert_array_equal(ours.numpy(), ref.numpy())
    elif isinstance(ref, dict):
        assert type(ours) is type(ref) and list(ours) == list(ref)
        for k in ref:
            same(ours[k], ref[k])
    elif isinstance(ref, (list, tuple)):
        assert type(ours) is type(ref) and len(ours) == len(ref), (ours, ref)
        for a, b in zip(ours, ref):
            same(a, b)
    else:
        assert type(ours) is type(ref) and ours == ref, (ours, ref)


def both_raise(ours, ref):
    """ours() and ref() raise the same exception type; returns ours' message."""
    with pytest.raises(Exception) as r:
        ref()
    with pytest.raises(r.type) as o:
        ours()
    return str(o.value)


def tensors(n, rng):
    x = rng.standard_normal((n, 3))
    y = rng.integers(0, 5, n)
    return (data.TensorDataset(mg.tensor(x), mg.tensor(y)),
            tdata.TensorDataset(torch.tensor(x), torch.tensor(y)))


class Stream(data.IterableDataset):
    def __init__(self, items, sized=True):
        self.items, self.sized = items, sized

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        if not self.sized:
            raise TypeError("object has no len()")
        return len(self.items)


class TStream(tdata.IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


class Unsized(data.IterableDataset):
    def __iter__(self):
        return iter(range(5))


class TUnsized(tdata.IterableDataset):
    def __iter__(self):
        return iter(range(5))
