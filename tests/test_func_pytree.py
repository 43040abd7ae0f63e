"""minigrad.func.pytree against torch.utils._pytree: leaves in the same order, specs that
compare equal exactly when the nests have the same shape, and shapes of 0-d Jacobians."""
from __future__ import annotations

from collections import OrderedDict, namedtuple

import pytest
import torch
import torch.func as tf
import torch.utils._pytree as tp

import minigrad as mg
import minigrad.func as mf
from func_check import assert_tree_close, pair
from minigrad.func.pytree import tree_flatten, tree_map, tree_unflatten

P = namedtuple("P", ["w", "b"])
TREES = [
    1,
    (1, 2),
    [1, (2, 3), {"b": 4, "a": [5, None]}],
    {"x": P(1, 2), "y": OrderedDict([("k", 3), ("j", (4,))])},
    (None, [], {}, ()),
]


@pytest.mark.parametrize("tree", TREES)
def test_flatten_unflatten_like_torch(tree):
    leaves, spec = tree_flatten(tree)
    assert leaves == tp.tree_flatten(tree)[0]
    assert spec.num_leaves == len(leaves)
    assert tree_unflatten(leaves, spec) == tree
    def double(v):
        return None if v is None else v * 2
    assert tree_map(double, tree) == tp.tree_map(double, tree)
    assert type(tree_unflatten(leaves, spec)) is type(tree)


def test_spec_equality_and_errors():
    specs = [tree_flatten(t)[1] for t in TREES]
    for i, a in enumerate(specs):
        for j, b in enumerate(specs):
            assert (a == b) == (i == j)
    assert tree_flatten({"a": 1, "b": 2})[1] != tree_flatten({"b": 1, "a": 2})[1]
    assert tree_flatten([1, 2])[1] != tree_flatten((1, 2))[1]
    with pytest.raises(ValueError):
        tree_unflatten([1, 2, 3], tree_flatten((1, 2))[1])
    with pytest.raises(ValueError):
        tree_unflatten([1], tree_flatten((1, 2))[1])


@pytest.mark.parametrize("shapes", [((), ()), ((), (3,)), ((2,), ()), ((2, 3), (4, 1))])
def test_jacobian_shapes_for_0d_and_nd(shapes):
    ins, outs = shapes
    (x, tx) = pair(*ins)
    (c, tc) = pair(*outs)

    def f(L):
        return lambda x: L.sin(x).sum() * c_of(L) + 0 * x.sum()

    def c_of(L):
        return c if L is mg else tc
    for name in ("jacrev", "jacfwd"):
        got = getattr(mf, name)(f(mg))(x)
        want = getattr(tf, name)(f(torch))(tx)
        assert tuple(got.shape) == tuple(want.shape) == outs + ins
        assert_tree_close(got, want)
