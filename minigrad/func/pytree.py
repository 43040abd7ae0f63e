"""Flattening nested tuples, lists and dicts (vmap's in_dims/out_dims match them as torch's
pytrees do): leaves, a spec to rebuild them, and a per-leaf broadcast of a dims prefix."""
from __future__ import annotations


def _children(x):
    if isinstance(x, (tuple, list)):
        return list(x)
    if isinstance(x, dict):
        return list(x.values())
    return None


def flatten(x):
    """(leaves, spec): spec rebuilds x from its leaves with unflatten."""
    kids = _children(x)
    if kids is None:
        return [x], None
    leaves, specs = [], []
    for k in kids:
        lv, sp = flatten(k)
        leaves.extend(lv)
        specs.append((len(lv), sp))
    return leaves, (x, specs)


def unflatten(leaves, spec):
    if spec is None:
        return leaves[0]
    x, specs = spec
    kids, i = [], 0
    for n, sp in specs:
        kids.append(unflatten(leaves[i:i + n], sp))
        i += n
    if isinstance(x, dict):
        return type(x)(zip(x.keys(), kids))
    if isinstance(x, tuple) and hasattr(type(x), "_make"):  # a namedtuple
        return type(x)._make(kids)
    return type(x)(kids)


def structure(x):
    """A short description of the nesting of x, for error messages."""
    kids = _children(x)
    if kids is None:
        return "*"
    return f"{type(x).__name__}[{', '.join(structure(k) for k in kids)}]"


def broadcast_prefix(prefix, tree):
    """One entry of `prefix` per leaf of `tree`: a leaf of prefix (an int or None) covers the
    whole subtree it stands for; containers must match in type and length. None on a
    mismatch."""
    kids = _children(prefix)
    if kids is None:
        return [prefix] * len(flatten(tree)[0])
    tkids = _children(tree)
    if tkids is None or type(prefix) is not type(tree) and not (
            isinstance(prefix, tuple) and isinstance(tree, tuple)) or len(kids) != len(tkids):
        return None
    if isinstance(prefix, dict) and set(prefix) != set(tree):
        return None
    if isinstance(prefix, dict):
        kids = [prefix[k] for k in tree]
    out = []
    for p, t in zip(kids, tkids):
        sub = broadcast_prefix(p, t)
        if sub is None:
            return None
        out.extend(sub)
    return out
