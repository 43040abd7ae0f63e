"""Samplers against torch.utils.data: SequentialSampler and BatchSampler exactly, argument
errors by exception type, the random samplers by their structure and distributions (their
draws use NumPy's bit generator, not torch's), their seeds and their generator streams."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data
stats = pytest.importorskip("scipy.stats")
from data_check import both_raise  # noqa: E402  (after the torch skip)


# ---- samplers: deterministic ones against torch ----

@pytest.mark.parametrize("n", [0, 1, 7])
def test_sequential_sampler(n):
    ours, ref = data.SequentialSampler(range(n)), tdata.SequentialSampler(range(n))
    assert list(ours) == list(ref) and len(ours) == len(ref) == n


@pytest.mark.parametrize("n", [0, 1, 5, 9, 10])
@pytest.mark.parametrize("batch", [1, 3, 5, 12])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_matches_torch(n, batch, drop_last):
    src = [int(v) for v in np.random.default_rng(n).permutation(n) * 3]
    for ours_src, ref_src in ((data.SequentialSampler(range(n)), tdata.SequentialSampler(
            range(n))), (src, src)):
        ours = data.BatchSampler(ours_src, batch, drop_last)
        ref = tdata.BatchSampler(ref_src, batch, drop_last)
        assert list(ours) == list(ref) and len(ours) == len(ref)
        assert all(type(b) is list for b in ours)


def test_sampler_base_and_bad_arguments_match_torch():
    both_raise(lambda: iter(data.Sampler()), lambda: iter(tdata.Sampler()))
    both_raise(lambda: len(data.Sampler()), lambda: len(tdata.Sampler()))
    both_raise(lambda: data.Sampler(range(3)), lambda: tdata.Sampler(range(3)))
    for bs in (0, -1, True, 2.0, None):
        msg = both_raise(lambda: data.BatchSampler(range(4), bs, False),
                         lambda: tdata.BatchSampler(range(4), bs, False))
        assert f"batch_size={bs}" in msg
    msg = both_raise(lambda: data.BatchSampler(range(4), 2, 1),
                     lambda: tdata.BatchSampler(range(4), 2, 1))
    assert "drop_last should be a boolean" in msg
    both_raise(lambda: len(data.BatchSampler(iter(range(4)), 2, False)),
               lambda: len(tdata.BatchSampler(iter(range(4)), 2, False)))
    for kw in ({"num_samples": 0}, {"num_samples": -2}, {"num_samples": 2.0},
               {"replacement": 1}):
        msg = both_raise(lambda: data.RandomSampler(range(4), **kw),
                         lambda: tdata.RandomSampler(range(4), **kw))
        assert str(list(kw.values())[0]) in msg
    both_raise(lambda: data.RandomSampler([]), lambda: tdata.RandomSampler([]))
    both_raise(lambda: list(data.RandomSampler([], num_samples=3)),
               lambda: list(tdata.RandomSampler([], num_samples=3)))
    both_raise(lambda: list(data.RandomSampler([], True, num_samples=3)),
               lambda: list(tdata.RandomSampler([], True, num_samples=3)))
    # torch takes num_samples=True (a bool is an int): one sample
    assert len(data.RandomSampler(range(4), num_samples=True)) == 1 == len(list(
        data.RandomSampler(range(4), num_samples=True)))
    with pytest.raises(TypeError, match="generator"):
        data.RandomSampler(range(4), generator="seed")


def test_weighted_sampler_bad_arguments_match_torch():
    for args in (([1.0, 2.0], 0), ([1.0, 2.0], -1), ([1.0, 2.0], True), ([1.0, 2.0], 2.0),
                 ([1.0, 2.0], 2, 1), ([[1.0, 2.0]], 1)):
        both_raise(lambda: data.WeightedRandomSampler(*args),
                   lambda: tdata.WeightedRandomSampler(*args))
    for args in (([1.0, -1.0], 2), ([0.0, 0.0], 2), ([float("nan"), 1.0], 1),
                 ([float("inf"), 1.0], 1), ([1.0, 2.0], 3, False), ([], 1), ([0.0, 0.0], 1, False)):
        msg = both_raise(lambda: list(data.WeightedRandomSampler(*args)),
                         lambda: list(tdata.WeightedRandomSampler(*args)))
        assert msg
    w = data.WeightedRandomSampler(mg.tensor([1, 2, 3]), 2)
    assert w.weights.dtype == mg.float64 and w.weights.tolist() == [1.0, 2.0, 3.0]


def test_weighted_without_replacement_past_the_nonzero_weights():
    # torch appends the zero-weight indices in its topk's tie order; minigrad refuses
    ref = list(tdata.WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 3, replacement=False))
    assert sorted(ref[:2]) == [1, 3] and ref[2] in (0, 2)
    with pytest.raises(RuntimeError, match="non-zero weight"):
        list(data.WeightedRandomSampler([0.0, 1.0, 0.0, 2.0], 3, replacement=False))


# ---- random samplers: structure and distributions ----

@pytest.mark.parametrize("n,k", [(1, None), (9, None), (9, 4), (9, 9), (9, 23)])
def test_random_sampler_without_replacement(n, k):
    s = data.RandomSampler(range(n), num_samples=k, generator=mg.Generator().manual_seed(n))
    out = list(s)
    k = n if k is None else k
    assert len(s) == len(out) == k and all(type(i) is int for i in out)
    for start in range(0, k - k % n, n):
        assert sorted(out[start:start + n]) == list(range(n))     # whole permutations
    tail = out[k - k % n:]
    assert len(set(tail)) == len(tail) and set(tail) <= set(range(n))


def test_random_sampler_with_replacement_is_uniform():
    s = data.RandomSampler(range(6), replacement=True, num_samples=60000, generator=5)
    out = np.array(list(s))
    assert len(s) == out.size == 60000 and out.min() >= 0 and out.max() <= 5
    assert stats.chisquare(np.bincount(out, minlength=6)).pvalue > 1e-4
    first = [next(iter(data.RandomSampler(range(5), generator=g))) for g in range(3000)]
    assert stats.chisquare(np.bincount(first, minlength=5)).pvalue > 1e-4


@pytest.mark.parametrize("make", [
    lambda g: data.RandomSampler(range(20), generator=g),
    lambda g: data.RandomSampler(range(20), True, 50, generator=g),
    lambda g: data.SubsetRandomSampler([4, 8, 15, 16, 23, 42], generator=g),
    lambda g: data.WeightedRandomSampler([0.5, 2.0, 1.0, 0.1], 30, generator=g),
    lambda g: data.WeightedRandomSampler([0.5, 2.0, 1.0, 0.1], 3, False, generator=g),
])
def test_seeded_samplers_are_reproducible_and_leave_the_global_stream(make):
    g = mg.Generator()
    g.manual_seed(7)
    mg.manual_seed(0)
    first, second = list(make(g)), list(make(g))
    after = mg.rand(3).numpy()
    mg.manual_seed(0)
    np.testing.assert_array_equal(mg.rand(3).numpy(), after)    # the global stream untouched
    g.manual_seed(7)
    assert list(make(g)) == first and list(make(g)) == second
    s = make(3)                         # an int seed: one stream, moving on each epoch
    assert list(make(3)) == list(s)
    mg.manual_seed(11)
    glob = list(make(None))
    mg.manual_seed(11)
    assert list(make(None)) == glob     # None: the global stream, seeded by mg.manual_seed


def test_subset_random_sampler():
    idx = [4, 8, 15, 16, 23, 42]
    s = data.SubsetRandomSampler(idx, generator=1)
    out = list(s)
    assert len(s) == 6 and sorted(out) == idx and sorted(list(s)) == idx
    first = [next(iter(data.SubsetRandomSampler(idx, generator=g))) for g in range(3000)]
    assert stats.chisquare([first.count(i) for i in idx]).pvalue > 1e-4
    assert list(data.SubsetRandomSampler([])) == list(tdata.SubsetRandomSampler([])) == []


def test_weighted_sampler_frequencies():
    w = np.array([0.5, 2.0, 0.0, 1.0, 0.1, 3.0])
    s = data.WeightedRandomSampler(list(w), 40000, generator=mg.Generator().manual_seed(0))
    out = np.array(list(s))
    assert len(s) == out.size == 40000
    counts = np.bincount(out, minlength=w.size)
    assert counts[2] == 0
    nz = w > 0
    assert stats.chisquare(counts[nz], out.size * w[nz] / w.sum()).pvalue > 1e-4
    g = mg.Generator().manual_seed(1)
    draws = [list(data.WeightedRandomSampler(list(w), 5, False, generator=g))
             for _ in range(4000)]
    assert all(sorted(d) == [0, 1, 3, 4, 5] for d in draws)       # distinct, no zero weight
    first = np.bincount([d[0] for d in draws], minlength=w.size)
    assert stats.chisquare(first[nz], 4000 * w[nz] / w.sum()).pvalue > 1e-4


def test_sampler_classes_are_samplers():
    for cls in (data.SequentialSampler, data.RandomSampler, data.SubsetRandomSampler,
                data.WeightedRandomSampler, data.BatchSampler, data.DistributedSampler):
        assert issubclass(cls, data.Sampler)
