"""A tiny pytree: nested dicts, lists, tuples and namedtuples of leaves, flattened and rebuilt.

The transforms take and return such nests ("a dict of parameters", "a tuple of outputs") but
do their work on a flat list of tensors. tree_flatten(tree) gives the leaves in order and a
TreeSpec (the shape of the nest); tree_unflatten(leaves, spec) puts new leaves in the same
places. Two specs compare equal when the nests have the same containers, keys and lengths,
which is how the transforms check that cotangents or tangents match outputs or primals.
None is a leaf, as in torch.utils._pytree's tree_flatten.
"""
from __future__ import annotations

from collections import OrderedDict


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


class TreeSpec:
    """The shape of a nest: the container type, its keys (dicts) and the children's specs;
    a leaf's spec has type None."""

    __slots__ = ("type", "context", "children", "num_leaves")

    def __init__(self, type_, context, children):
        self.type, self.context, self.children = type_, context, children
        self.num_leaves = 1 if type_ is None else sum(c.num_leaves for c in children)

    def is_leaf(self):
        return self.type is None

    def __eq__(self, other):
        return (isinstance(other, TreeSpec) and self.type is other.type
                and self.context == other.context and self.children == other.children)

    def __hash__(self):
        return hash((self.type, self.children and len(self.children)))

    def __repr__(self):
        if self.type is None:
            return "*"
        inner = ", ".join(map(repr, self.children))
        if self.type in (dict, OrderedDict):
            inner = ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.context, self.children))
            return "{" + inner + "}"
        if self.type is list:
            return f"[{inner}]"
        return f"({inner})" if self.type is tuple else f"{self.type.__name__}({inner})"


LEAF = TreeSpec(None, None, ())


def tree_flatten(tree):
    """(leaves, spec): the leaves of `tree` in order (dicts in key order) and its shape."""
    leaves = []
    spec = _flatten(tree, leaves)
    return leaves, spec


def _flatten(tree, leaves):
    t = type(tree)
    if t is list or t is tuple or _is_namedtuple(tree):
        return TreeSpec(t, None, tuple(_flatten(c, leaves) for c in tree))
    if t is dict or t is OrderedDict:
        keys = list(tree)
        return TreeSpec(t, keys, tuple(_flatten(tree[k], leaves) for k in keys))
    leaves.append(tree)
    return LEAF


def tree_unflatten(leaves, spec):
    """The nest of shape `spec` with `leaves` in its leaf positions (inverse of tree_flatten)."""
    it = iter(leaves)
    out = _unflatten(it, spec)
    if next(it, _END) is not _END:
        raise ValueError(f"tree_unflatten: too many leaves for the spec {spec}")
    return out


_END = object()


def _unflatten(it, spec):
    t = spec.type
    if t is None:
        leaf = next(it, _END)
        if leaf is _END:
            raise ValueError("tree_unflatten: too few leaves for the spec")
        return leaf
    children = [_unflatten(it, c) for c in spec.children]
    if t is dict or t is OrderedDict:
        return t(zip(spec.context, children))
    if t is list:
        return children
    if t is tuple:
        return tuple(children)
    if hasattr(t, "_make"):             # a namedtuple
        return t._make(children)
    return t(children)                  # minigrad.return_types (built from one sequence)


def tree_map(fn, tree):
    """The nest with fn applied to every leaf."""
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def tree_leaves(tree):
    return tree_flatten(tree)[0]
