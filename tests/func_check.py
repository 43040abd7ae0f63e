"""Helpers for the minigrad.func tests: the same data as minigrad and torch tensors, the same
function written against either library, and pytree comparison of the results."""
from __future__ import annotations

import numpy as np
import torch

import minigrad as mg

torch.set_default_dtype(torch.float64)


def pair(*shape, rng=None):
    """A float64 random array as (minigrad tensor, torch tensor)."""
    rng = rng or np.random.default_rng()
    a = rng.standard_normal(shape)
    return mg.tensor(a), torch.tensor(a)


def to_torch(tree):
    """The minigrad tensors of a pytree as torch tensors (same values, no history)."""
    if isinstance(tree, mg.Tensor):
        return torch.tensor(np.asarray(tree.data))
    if isinstance(tree, dict):
        return {k: to_torch(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        vals = [to_torch(v) for v in tree]
        return type(tree)(*vals) if hasattr(tree, "_fields") else type(tree)(vals)
    return tree


def assert_tree_close(got, want, atol=1e-10, rtol=1e-9):
    """A minigrad result pytree against torch's: same containers, keys, shapes and values."""
    if isinstance(want, torch.Tensor):
        assert isinstance(got, mg.Tensor), f"expected a Tensor, got {type(got)}"
        assert tuple(got.shape) == tuple(want.shape), (got.shape, want.shape)
        np.testing.assert_allclose(np.asarray(got.data, dtype=np.float64),
                                   want.detach().double().numpy(), atol=atol, rtol=rtol)
        return
    assert type(got) is type(want), f"container {type(got)} vs torch's {type(want)}"
    if isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            assert_tree_close(got[k], want[k], atol, rtol)
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_tree_close(g, w, atol, rtol)
    else:
        assert got == want


def lib_of(t):
    """(module, functional) for the library `t` belongs to: (mg, mg.nn.functional) or torch's."""
    return (mg, mg.nn.functional) if t is mg else (torch, torch.nn.functional)


# Functions written once against either library: each takes the library and returns f.
def elementwise(L):
    return lambda x: (L.sin(x) * L.exp(x * 0.3) + x * x).sum()


def matmul_tanh(L):
    return lambda x, w: L.tanh(x @ w).sum()


def softmax_vec(L):
    return lambda x: L.softmax(x, -1)


def cross_entropy(L):
    F = lib_of(L)[1]

    def f(logits, target):
        return F.cross_entropy(logits, target)
    return f
