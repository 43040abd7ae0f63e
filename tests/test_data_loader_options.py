"""IterableDataset/ChainDataset/StackDataset, DataLoader's sampler/batch_sampler/
batch_size=None options, errors, lengths and generator routing, and default_collate/
default_convert, against torch.utils.data."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad import data

torch = pytest.importorskip("torch")
tdata = torch.utils.data
from data_check import Pair, Stream, TStream, TUnsized, Unsized, both_raise, same, tensors  # noqa: E402  (after the torch skip)


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


def test_collate_and_convert_match_torch(defaults):
    from torch.utils.data import default_collate as tcollate
    from torch.utils.data import default_convert as tconvert
    x = np.arange(6.0).reshape(3, 2)
    samples = [[(1, 2.5), (3, 4.5)], [[1, "a"], [2, "b"]], [Pair(1, x[0]), Pair(2, x[1])],
               [{"a": (True, b"x")}, {"a": (False, b"y")}], [np.float32(1), np.float32(2)],
               [np.array(3, np.int8), np.array(4, np.int8)], [x, x], ["s", "t"],
               [1, 2.5], [True, 1], [1.5, True], [True, False], (3, 4)]
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
    ours.collate_fn = ref.collate_fn = len          # not frozen in torch either
    assert list(ours) == list(ref) == [1] * 4       # and used, TensorDataset or not


def test_map_dataset_errors_match_torch():
    m, tm = tensors(3, np.random.default_rng(7))
    both_raise(lambda: data.TensorDataset(mg.zeros(3), mg.zeros(4)),
               lambda: tdata.TensorDataset(torch.zeros(3), torch.zeros(4)))
    assert data.TensorDataset().tensors == tdata.TensorDataset().tensors == ()
    both_raise(lambda: len(data.TensorDataset()), lambda: len(tdata.TensorDataset()))
    both_raise(lambda: data.ConcatDataset([]), lambda: tdata.ConcatDataset([]))
    both_raise(lambda: data.ConcatDataset([m])[-5], lambda: tdata.ConcatDataset([tm])[-5])
    both_raise(lambda: data.ConcatDataset([m])[3], lambda: tdata.ConcatDataset([tm])[3])
    both_raise(lambda: data.Subset(m, [0, 1])[5], lambda: tdata.Subset(tm, [0, 1])[5])
    both_raise(lambda: data.random_split(m, [1, 1]), lambda: tdata.random_split(tm, [1, 1]))
    same(data.ConcatDataset([m, m])[-1], tdata.ConcatDataset([tm, tm])[-1])


def test_worker_info_and_epoch_iterator_length():
    class Shards(data.IterableDataset):       # torch's documented worker-splitting pattern
        def __iter__(self):
            info = data.get_worker_info()
            start, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(range(start, 10, step))

    class TShards(tdata.IterableDataset):
        def __iter__(self):
            info = tdata.get_worker_info()
            start, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(range(start, 10, step))
    assert data.get_worker_info() is tdata.get_worker_info() is None
    for g, w in zip(data.DataLoader(Shards(), batch_size=4),
                    tdata.DataLoader(TShards(), batch_size=4)):
        same(g, w)
    m, tm = tensors(7, np.random.default_rng(8))
    it, tit = iter(data.DataLoader(m, batch_size=3)), iter(tdata.DataLoader(tm, batch_size=3))
    assert len(it) == len(tit) == 3 and iter(it) is it
    for g, w in zip(it, tit):
        same(g, w)
    with pytest.raises(StopIteration):
        next(it)
