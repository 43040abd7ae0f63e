"""Version counters of array storages: what lets autograd notice an in-place write.

Every in-place op bumps the counter of the memory it writes to. The counter belongs to the
storage (the array that owns the memory), so views of one array, detach()ed tensors and the
base tensor all see the same count, as in torch. A Function records the versions of what it
saves; backward compares them (autograd.Function.saved_tensors).

Counters live in one dict keyed by the id of the owning array, with an entry only for storages
that were ever written in place: while no in-place write has happened, reading a version costs
one truth test of an empty dict.
"""
from __future__ import annotations

import weakref

_versions: dict = {}
writes = 0          # in-place writes so far, all storages together: if it has not moved since a
                    # node saved its tensors, none of them can have changed (a cheap first test)


def storage_of(a):
    """The object that owns the memory of array `a` (a itself unless it is a view)."""
    base = a.base
    while base is not None:
        a = base
        base = getattr(a, "base", None)
    return a


def version(a) -> int:
    """How many in-place writes the storage of array `a` has seen."""
    if not _versions:
        return 0
    return _versions.get(id(storage_of(a)), 0)


def bump(a) -> None:
    """Record one in-place write into the storage of array `a`."""
    owner = storage_of(a)
    key = id(owner)
    count = _versions.get(key)
    if count is None:
        try:        # forget the counter with the storage, so that a reused id starts at 0
            weakref.finalize(owner, _versions.pop, key, None)
        except TypeError:   # an owner that takes no weak references (rare): keep the entry
            pass
        count = 0
    _versions[key] = count + 1
    global writes
    writes += 1


def shares_storage(a, b) -> bool:
    return storage_of(a) is storage_of(b)
