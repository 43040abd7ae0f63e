"""Samplers, IterableDataset/ChainDataset/StackDataset and DataLoader's sampler options against
torch.utils.data: deterministic results compared exactly with torch's, random samplers by
their structure and distributions (their draws use NumPy's bit generator, not torch's)."""
from __future__ import annotations

import collections

import numpy as np
import pytest

import minigrad as mg
from minigrad import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data
stats = pytest.importorskip("scipy.stats")

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


# ---- dataset kinds ----

def test_chain_and_iterable_datasets_match_torch():
    a, b = [1, 2, 3], [np.float32(4.5), 7]
    ours, ref = Stream(a) + Stream(b), TStream(a) + TStream(b)
    assert isinstance(ours, data.ChainDataset) and isinstance(ref, tdata.ChainDataset)
    assert list(ours) == list(ref) and len(ours) == len(ref) == 5
    ours = data.ChainDataset([Stream(a), Stream(b), Stream([])])
    assert list(ours) == list(tdata.ChainDataset([TStream(a), TStream(b), TStream([])]))
    both_raise(lambda: len(Unsized()), lambda: len(TUnsized()))
    both_raise(lambda: len(data.ChainDataset([Stream(a), Unsized()])),
               lambda: len(tdata.ChainDataset([TStream(a), TUnsized()])))
    both_raise(lambda: list(data.ChainDataset([Stream(a), [4]])),
               lambda: list(tdata.ChainDataset([TStream(a), [4]])))
    both_raise(lambda: data.ConcatDataset([Stream(a)]), lambda: tdata.ConcatDataset(
        [TStream(a)]))
    both_raise(lambda: data.IterableDataset(), lambda: tdata.IterableDataset())
    both_raise(lambda: data.Dataset()[0], lambda: tdata.Dataset()[0])
    m, tm = tensors(4, np.random.default_rng(0))
    cat = m + m
    assert isinstance(cat, data.ConcatDataset) and len(cat) == len(tm + tm) == 8


def test_stack_dataset_matches_torch():
    rng = np.random.default_rng(1)
    (m, tm), names = tensors(5, rng), ["a", "b", "c", "d", "e"]
    for ours, ref in ((data.StackDataset(m, names), tdata.StackDataset(tm, names)),
                      (data.StackDataset(x=m, n=names), tdata.StackDataset(x=tm, n=names))):
        assert len(ours) == len(ref) == 5
        for i in (0, 3, -1):
            same(ours[i], ref[i])
        for kw in ({"batch_size": 2}, {"batch_size": None}):
            got = list(data.DataLoader(ours, **kw))
            want = list(tdata.DataLoader(ref, **kw))
            assert len(got) == len(want)
            for g, w in zip(got, want):
                same(g, w)
    for args, kw in (((m, names), {"x": m}), ((), {}), ((m, names[:3]), {}),
                     ((), {"x": m, "y": names[:2]})):
        msg = both_raise(lambda: data.StackDataset(*args, **kw),
                         lambda: tdata.StackDataset(*[tm if a is m else a for a in args],
                                                    **{k: tm if v is m else v
                                                       for k, v in kw.items()}))
        assert msg


# ---- DataLoader ----

def loaders(ds, tds, **kw):
    conv = {k: v for k, v in kw.items()}
    for name, mk, tmk in (("sampler", data.SequentialSampler, tdata.SequentialSampler),):
        if conv.get(name) == "seq":
            kw, conv = dict(kw, sampler=mk(ds)), dict(conv, sampler=tmk(tds))
    if isinstance(kw.get("batch_sampler"), tuple):
        bs, drop = kw["batch_sampler"]
        src = list(range(len(tds)))[::-1] if drop == "rev" else range(len(tds))
        kw = dict(kw, batch_sampler=data.BatchSampler(src, bs, drop == "drop"))
        conv = dict(conv, batch_sampler=tdata.BatchSampler(src, bs, drop == "drop"))
    return data.DataLoader(ds, **kw), tdata.DataLoader(tds, **conv)


CASES = [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": 11},
         {"batch_size": 20, "drop_last": True}, {"batch_size": None},
         {"batch_size": 4, "sampler": "seq"}, {"batch_size": None, "sampler": "seq"},
         {"batch_sampler": (4, "keep")}, {"batch_sampler": (4, "drop")},
         {"batch_sampler": (3, "rev")}, {"batch_size": 2, "sampler": [9, 0, 3, 3, -1]},
         {"batch_size": None, "sampler": [2, 5]}, {"batch_sampler": [[1, 2], [0], [9, 8, 7]]}]


@pytest.mark.parametrize("kw", CASES)
def test_dataloader_batches_match_torch(kw):
    rng = np.random.default_rng(2)
    m, tm = tensors(10, rng)
    sub, tsub = data.Subset(m, [9, 8, 1, 2, 3, 4, 5, 6, 7, 0]), tdata.Subset(
        tm, [9, 8, 1, 2, 3, 4, 5, 6, 7, 0])
    xs = rng.standard_normal((10, 2)).astype(np.float32)

    class Samples(data.Dataset):
        def __init__(self, pair):
            self.pair = pair

        def __len__(self):
            return 10

        def __getitem__(self, i):
            f = i * 0.5
            return {"x": xs[i], "y": int(i), "f": f, "b": i % 2 == 0, "s": f"s{i}",
                    "p": self.pair(i, np.float32(f)), "t": (i, [f, f]), "n": np.int16(i)}

    class TSamples(tdata.Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return Samples(Pair)[i]
    for ds, tds in ((m, tm), (sub, tsub), (Samples(Pair), TSamples())):
        ours, ref = loaders(ds, tds, **kw)
        got, want = list(ours), list(ref)
        assert len(ours) == len(ref) == len(want) == len(got)
        for g, w in zip(got, want):
            same(g, w)


@pytest.mark.parametrize("kw", [{}, {"batch_size": 2}, {"batch_size": 2, "drop_last": True},
                                {"batch_size": None}, {"batch_size": 7}])
def test_dataloader_iterable_dataset_matches_torch(kw):
    items = [(i, np.arange(2) * i, {"k": float(i)}) for i in range(5)]
    ours, ref = data.DataLoader(Stream(items), **kw), tdata.DataLoader(TStream(items), **kw)
    got, want = list(ours), list(ref)
    assert len(ours) == len(ref) and len(got) == len(want)
    for g, w in zip(got, want):
        same(g, w)
    both_raise(lambda: len(data.DataLoader(Unsized(), **kw)),
               lambda: len(tdata.DataLoader(TUnsized(), **kw)))
    assert [g.tolist() if isinstance(g, mg.Tensor) else g
            for g in data.DataLoader(Unsized(), **kw)] == \
        [w.tolist() if isinstance(w, torch.Tensor) else w
         for w in tdata.DataLoader(TUnsized(), **kw)]


def test_dataloader_option_errors_match_torch():
    m, tm = tensors(6, np.random.default_rng(3))
    seq, tseq = data.SequentialSampler(m), tdata.SequentialSampler(tm)
    bsm, tbsm = data.BatchSampler(seq, 2, False), tdata.BatchSampler(tseq, 2, False)
    cases = [
        ((Stream([1]),), {"shuffle": True}, (TStream([1]),), {"shuffle": True}),
        ((Stream([1]),), {"sampler": [0]}, (TStream([1]),), {"sampler": [0]}),
        ((Stream([1]),), {"batch_sampler": [[0]]}, (TStream([1]),), {"batch_sampler": [[0]]}),
        ((m,), {"sampler": seq, "shuffle": True}, (tm,), {"sampler": tseq, "shuffle": True}),
        ((m,), {"batch_sampler": bsm, "batch_size": 2}, (tm,), {"batch_sampler": tbsm,
                                                                "batch_size": 2}),
        ((m,), {"batch_sampler": bsm, "shuffle": True}, (tm,), {"batch_sampler": tbsm,
                                                                "shuffle": True}),
        ((m,), {"batch_sampler": bsm, "sampler": seq}, (tm,), {"batch_sampler": tbsm,
                                                               "sampler": tseq}),
        ((m,), {"batch_sampler": bsm, "drop_last": True}, (tm,), {"batch_sampler": tbsm,
                                                                  "drop_last": True}),
        ((m,), {"batch_size": None, "drop_last": True}, (tm,), {"batch_size": None,
                                                                "drop_last": True}),
        ((m,), {"batch_size": 0}, (tm,), {"batch_size": 0}),
        ((m,), {"batch_size": True}, (tm,), {"batch_size": True}),
        ((m,), {"batch_size": 2.0}, (tm,), {"batch_size": 2.0}),
        ((m,), {"drop_last": 1}, (tm,), {"drop_last": 1}),
        ((m,), {"num_workers": -1}, (tm,), {"num_workers": -1}),
        ((m,), {"timeout": -1}, (tm,), {"timeout": -1}),
        ((m,), {"prefetch_factor": 2}, (tm,), {"prefetch_factor": 2}),
        ((m,), {"num_workers": 1, "prefetch_factor": -1}, (tm,), {"num_workers": 1,
                                                                  "prefetch_factor": -1}),
        ((m,), {"persistent_workers": True}, (tm,), {"persistent_workers": True}),
    ]
    for args, kw, targs, tkw in cases:
        msg = both_raise(lambda: data.DataLoader(*args, **kw),
                         lambda: tdata.DataLoader(*targs, **tkw))
        assert msg
    ours = data.DataLoader(m, batch_sampler=bsm)
    ref = tdata.DataLoader(tm, batch_sampler=tbsm)
    assert ours.batch_size is ref.batch_size is None and ours.drop_last is ref.drop_last
    ours, ref = data.DataLoader(m, 4, True), tdata.DataLoader(tm, 4, True)   # positional
    assert type(ours.sampler).__name__ == type(ref.sampler).__name__ == "RandomSampler"
    assert type(ours.batch_sampler).__name__ == type(ref.batch_sampler).__name__
    assert data.DataLoader(m, batch_size=None).batch_sampler is None
    with pytest.raises(TypeError, match="generator"):
        data.DataLoader(m, shuffle=True, generator="seed")


def test_dataloader_len_rules_match_torch():
    m, tm = tensors(10, np.random.default_rng(4))
    for kw in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None},
               {"batch_size": 4, "sampler": [1, 2, 3]},
               {"batch_size": None, "sampler": [1, 2, 3]},
               {"batch_sampler": [[1], [2, 3], [4]]}):
        assert len(data.DataLoader(m, **kw)) == len(tdata.DataLoader(tm, **kw))
    for kw in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}):
        assert len(data.DataLoader(Stream(list(range(7))), **kw)) == len(
            tdata.DataLoader(TStream(list(range(7))), **kw))
    both_raise(lambda: len(data.DataLoader(m, sampler=iter(range(3)))),
               lambda: len(tdata.DataLoader(tm, sampler=iter(range(3)))))


def test_dataloader_routes_generator_to_random_sampler():
    m = data.TensorDataset(mg.arange(10))
    g = mg.Generator()

    def epochs(**kw):
        dl = data.DataLoader(m, batch_size=4, shuffle=True, generator=g, **kw)
        assert isinstance(dl.sampler, data.RandomSampler) and dl.sampler.generator is g
        return [[v for (b,) in dl for v in b.tolist()] for _ in range(2)]
    g.manual_seed(3)
    mg.manual_seed(0)
    first = epochs()
    after = mg.rand(2).numpy()
    mg.manual_seed(0)
    np.testing.assert_array_equal(mg.rand(2).numpy(), after)      # global stream untouched
    g.manual_seed(3)
    assert epochs() == first and first[0] != first[1]
    assert all(sorted(e) == list(range(10)) for e in first)
    # the order is RandomSampler's with the same generator
    g.manual_seed(3)
    assert list(data.RandomSampler(m, generator=g)) == first[0]
    # a seeded WeightedRandomSampler as sampler: the batches hold its draws
    w = data.WeightedRandomSampler([1.0] * 5 + [0.0] * 5, 12, generator=mg.Generator())
    got = [v for (b,) in data.DataLoader(m, batch_size=5, sampler=w) for v in b.tolist()]
    w.generator.manual_seed(0)
    assert got != [] and len(got) == 12 and max(got) < 5
    assert [v for (b,) in data.DataLoader(m, batch_size=5, sampler=w)
            for v in b.tolist()] == list(w.__class__(
                [1.0] * 5 + [0.0] * 5, 12, generator=mg.Generator().manual_seed(0)))


def test_workers_load_in_process():
    m, tm = tensors(9, np.random.default_rng(5))
    got = list(data.DataLoader(m, batch_size=4, num_workers=2, persistent_workers=True,
                               prefetch_factor=3))
    want = list(tdata.DataLoader(tm, batch_size=4))
    for g, w in zip(got, want):
        same(g, w)
    with pytest.raises(NotImplementedError, match="num_workers=0"):
        data.DataLoader(Stream([1, 2]), num_workers=2)
    with pytest.raises(NotImplementedError, match="worker_init_fn"):
        data.DataLoader(m, num_workers=2, worker_init_fn=print)


def test_collate_and_convert_match_torch():
    from torch.utils.data import default_collate as tcollate
    from torch.utils.data import default_convert as tconvert
    x = np.arange(6.0).reshape(3, 2)
    samples = [[(1, 2.5), (3, 4.5)], [[1, "a"], [2, "b"]], [Pair(1, x[0]), Pair(2, x[1])],
               [{"a": (True, b"x")}, {"a": (False, b"y")}], [np.float32(1), np.float32(2)],
               [np.array(3, np.int8), np.array(4, np.int8)], [x, x], ["s", "t"]]
    for batch in samples:
        same(data.default_collate(batch), tcollate(batch))
    for sample in [(1, x), [np.int32(3), "a", (x,)], {"k": x, "j": [1.5]}, Pair(x, 2), x,
                   np.float16(2), "s", 3, np.array(["a"])]:
        out, ref = data.default_convert(sample), tconvert(sample)
        if isinstance(sample, np.ndarray) and sample.dtype.kind == "U":
            assert out is sample and ref is sample
        else:
            same(out, ref)
    t = [mg.ones(2, requires_grad=True), mg.zeros(2)]
    out = data.default_collate(t)
    assert out.shape == (2, 2) and out.requires_grad                # stacked: grads flow
    for bad in ([object()], [np.array(["a"])], [[1], [2, 3]], [mg.ones(2), mg.ones(3)]):
        tbad = [torch.ones(2), torch.ones(3)] if isinstance(bad[0], mg.Tensor) else bad
        both_raise(lambda: data.default_collate(bad), lambda: tcollate(tbad))


def test_generic_subclassing_and_frozen_loader_attributes():
    class Evens(data.Sampler[int]):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

        def __len__(self):
            return (self.n + 1) // 2

    class Squares(data.Dataset[int]):
        def __getitem__(self, i):
            return i * i

        def __len__(self):
            return 9

    class Count(data.IterableDataset[int]):
        def __iter__(self):
            return iter(range(3))

    got = [b.tolist() for b in data.DataLoader(Squares(), batch_size=2, sampler=Evens(9))]
    assert got == [[0, 4], [16, 36], [64]] and list(data.DataLoader(Count())) != []
    m, tm = tensors(4, np.random.default_rng(6))
    ours, ref = data.DataLoader(m), tdata.DataLoader(tm)
    for attr in ("batch_size", "sampler", "drop_last", "dataset", "batch_sampler"):
        msg = both_raise(lambda: setattr(ours, attr, None), lambda: setattr(ref, attr, None))
        assert attr in msg
    ours.collate_fn = ref.collate_fn = list         # not frozen in torch either
