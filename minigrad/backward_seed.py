"""The implicit gradient of loss.backward(): a tensor of ones that ops may recognise.

backward() and grad() called without a gradient seed the walk with ones_like(output), made
here. An op whose backward would only multiply by it may skip the multiplication when
`is_implicit_one(g)`, without reading g (on a GPU, reading it would wait for the device):
cross-entropy's CUDA forward already wrote the gradient for g = 1 (minigrad/cuda/
cross_entropy.py). The answer is exact: the array must be that seed and never written since.
"""
from __future__ import annotations

import weakref

from . import storage
from .backend import array_module

_seeds: dict = {}           # id(array) -> weak reference to it, while it lives


def implicit_ones_like(array):
    """ones_like(array), remembered as an implicit seed (forgotten when it is freed)."""
    one = array_module(array).ones_like(array)      # 1 even where the output is NaN
    key = id(one)
    _seeds[key] = weakref.ref(one, lambda _, key=key: _seeds.pop(key, None))
    return one


def is_implicit_one(array) -> bool:
    """True when `array` is an implicit seed that nothing has written into."""
    ref = _seeds.get(id(array))
    return ref is not None and ref() is array and storage.version(array) == 0
