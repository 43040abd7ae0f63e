"""Version counters of array storages: what lets autograd notice an in-place write.

Every in-place op bumps the counter of the memory it writes to. The counter belongs to the
storage (the array that owns the memory), so views of one array, detach()ed tensors and the
base tensor all see the same count, as in torch.

Each write also takes a ticket from one global count, `writes`. A node that saves tensors
notes `writes` at that moment; at backward, a saved storage whose last ticket is newer was
written after the save. So saving costs one read of an int, and the check runs only when
something was written in between (autograd.Function.saved_tensors).
"""
from __future__ import annotations

import weakref
from collections import deque

_versions: dict = {}    # id(owning array) -> [count, tickets of its most recent writes]
writes = 0              # in-place writes so far, all storages together
_KEEP = 64              # tickets kept per storage: enough to name the version at a save


def storage_of(a):
    """The object that owns the memory of array `a` (a itself unless it is a view)."""
    base = a.base
    while base is not None:
        a = base
        base = getattr(a, "base", None)
    return a


def version(a) -> int:
    """How many in-place writes the storage of array `a` has seen."""
    entry = _versions.get(id(storage_of(a))) if _versions else None
    return 0 if entry is None else entry[0]


def written_since(a, ticket) -> bool:
    """Whether the storage of `a` was written after `writes` was `ticket`."""
    entry = _versions.get(id(storage_of(a)))
    return entry is not None and entry[1][-1] > ticket


def version_at(a, ticket) -> int:
    """The version the storage of `a` had when `writes` was `ticket` (a lower bound when more
    than _KEEP writes came after it)."""
    entry = _versions.get(id(storage_of(a)))
    if entry is None:
        return 0
    return max(entry[0] - sum(1 for t in entry[1] if t > ticket), 0)


def bump(a) -> None:
    """Record one in-place write into the storage of array `a`."""
    global writes
    writes += 1
    owner = storage_of(a)
    key = id(owner)
    entry = _versions.get(key)
    if entry is None:
        try:        # forget the counter with the storage, so that a reused id starts at 0
            weakref.finalize(owner, _versions.pop, key, None)
        except TypeError:   # an owner that takes no weak references (rare): keep the entry
            pass
        entry = _versions[key] = [0, deque(maxlen=_KEEP)]
    entry[0] += 1
    entry[1].append(writes)


def shares_storage(a, b) -> bool:
    return storage_of(a) is storage_of(b)
