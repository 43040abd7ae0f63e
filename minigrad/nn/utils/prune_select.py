"""Which k entries torch.topk picks on CPU, ties included (the pruning masks depend on it).

torch's CPU topk (aten/src/ATen/native/cpu/SortingUtils.h, topk_impl_loop) puts
(value, index) pairs in a queue and runs libstdc++'s std::nth_element (k * 64 > n) or a
heap of size k (make_heap, then pop_heap / push_heap for each better element), comparing
values only (NaN counts as the largest). When the k-th value is not tied with an entry left
out, the chosen set is the same whatever the algorithm, and NumPy finds it; otherwise this
file replays those libstdc++ algorithms step by step, so the tied entries chosen are torch's.
"""
from __future__ import annotations

import math

import numpy as np


def topk_indices(values: np.ndarray, k: int, largest: bool) -> np.ndarray:
    """The indices (as a set, ascending) of the k entries torch.topk(values, k, largest)
    returns on CPU, for a 1-D NumPy array."""
    n = values.shape[0]
    if k == 0:
        return np.zeros(0, np.int64)
    if not np.isnan(values).any():
        key = -values if largest else values              # the k smallest keys
        kth = np.partition(key, k - 1)[k - 1]
        better, tied = key < kth, key == kth
        if int(better.sum()) + int(tied.sum()) == k:       # no tie across the boundary
            return np.flatnonzero(better | tied)
    vals = values.tolist()
    if largest:
        def comp(a, b):
            return (math.isnan(a) and not math.isnan(b)) or a > b
    else:
        def comp(a, b):
            return (not math.isnan(a) and math.isnan(b)) or a < b
    if k * 64 <= n:
        queue = _heap_topk(vals, k, comp)
    else:
        queue = list(range(n))
        _nth_element(queue, vals, k - 1, comp)
        queue = queue[:k]
    return np.sort(np.asarray(queue, np.int64))


# ---- libstdc++ <bits/stl_heap.h>: heaps of indices, compared by their values ------------
def _push_heap(q, vals, hole, top, value, comp):
    parent = (hole - 1) // 2
    while hole > top and comp(vals[q[parent]], vals[value]):
        q[hole] = q[parent]
        hole = parent
        parent = (hole - 1) // 2
    q[hole] = value


def _adjust_heap(q, vals, first, hole, length, value, comp):
    # q[first:first + length] is the heap; hole and children are relative to first
    top, second = hole, hole
    while second < (length - 1) // 2:
        second = 2 * (second + 1)
        if comp(vals[q[first + second]], vals[q[first + second - 1]]):
            second -= 1
        q[first + hole] = q[first + second]
        hole = second
    if length % 2 == 0 and second == (length - 2) // 2:
        second = 2 * (second + 1)
        q[first + hole] = q[first + second - 1]
        hole = second - 1
    sub = _Offset(q, first)
    _push_heap(sub, vals, hole, top, value, comp)


class _Offset:
    """q[first:] seen as a list starting at 0, without copying."""

    def __init__(self, q, first):
        self.q, self.first = q, first

    def __getitem__(self, i):
        return self.q[self.first + i]

    def __setitem__(self, i, v):
        self.q[self.first + i] = v


def _make_heap(q, vals, first, last, comp):
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(q, vals, first, parent, length, q[first + parent], comp)
        if parent == 0:
            return
        parent -= 1


def _heap_topk(vals, k, comp):
    # topk_impl_loop's partial-sort branch: a heap of the k best so far, worst on top
    q = list(range(k))
    _make_heap(q, vals, 0, k, comp)
    for idx in range(k, len(vals)):
        if comp(vals[idx], vals[q[0]]):
            if k > 1:                                       # std::pop_heap
                back = q[k - 1]
                q[k - 1] = q[0]
                _adjust_heap(q, vals, 0, 0, k - 1, back, comp)
            q[k - 1] = idx                                  # then std::push_heap
            _push_heap(q, vals, k - 1, 0, q[k - 1], comp)
    return q


# ---- libstdc++ <bits/stl_algo.h>: std::nth_element (introselect) -------------------------
def _nth_element(q, vals, nth, comp):
    first, last = 0, len(q)
    if first == last or nth == last:
        return
    depth = 2 * ((last - first).bit_length() - 1)
    while last - first > 3:
        if depth == 0:
            _heap_select(q, vals, first, nth + 1, last, comp)
            q[first], q[nth] = q[nth], q[first]
            return
        depth -= 1
        cut = _partition_pivot(q, vals, first, last, comp)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, vals, first, last, comp)


def _heap_select(q, vals, first, middle, last, comp):
    _make_heap(q, vals, first, middle, comp)
    for i in range(middle, last):
        if comp(vals[q[i]], vals[q[first]]):               # std::__pop_heap(first, middle, i)
            value = q[i]
            q[i] = q[first]
            _adjust_heap(q, vals, first, 0, middle - first, value, comp)


def _partition_pivot(q, vals, first, last, comp):
    mid = first + (last - first) // 2
    _move_median_to_first(q, vals, first, first + 1, mid, last - 1, comp)
    # std::__unguarded_partition(first + 1, last, first)
    lo, hi, pivot = first + 1, last, vals[q[first]]
    while True:
        while comp(vals[q[lo]], pivot):
            lo += 1
        hi -= 1
        while comp(pivot, vals[q[hi]]):
            hi -= 1
        if not lo < hi:
            return lo
        q[lo], q[hi] = q[hi], q[lo]
        lo += 1


def _move_median_to_first(q, vals, result, a, b, c, comp):
    va, vb, vc = vals[q[a]], vals[q[b]], vals[q[c]]
    if comp(va, vb):
        pick = b if comp(vb, vc) else (c if comp(va, vc) else a)
    elif comp(va, vc):
        pick = a
    elif comp(vb, vc):
        pick = c
    else:
        pick = b
    q[result], q[pick] = q[pick], q[result]


def _insertion_sort(q, vals, first, last, comp):
    if first == last:
        return
    for i in range(first + 1, last):
        val = q[i]
        if comp(vals[val], vals[q[first]]):
            q[first + 1:i + 1] = q[first:i]
            q[first] = val
        else:                                               # __unguarded_linear_insert
            j = i
            while comp(vals[val], vals[q[j - 1]]):
                q[j] = q[j - 1]
                j -= 1
            q[j] = val
