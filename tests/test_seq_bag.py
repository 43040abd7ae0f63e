"""embedding_bag and nn.EmbeddingBag against torch (issue 15, sequences): every mode, 1-D
input with offsets and 2-D input, padding_idx, include_last_offset, per_sample_weights,
max_norm, scale_grad_by_freq, empty bags, errors; plus F.embedding's max_norm and
scale_grad_by_freq and nn.Embedding.from_pretrained."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
tF = torch.nn.functional


def _pair(offsets=None, **kw):
    def mine(x, w, *rest):
        off = None if offsets is None else mg.tensor(offsets)
        return F.embedding_bag(x, w, off, **kw, **_psw(rest))

    def theirs(x, w, *rest):
        off = None if offsets is None else torch.tensor(offsets)
        return tF.embedding_bag(x, w, off, **kw, **_psw(rest))
    return mine, theirs


def _psw(rest):
    return {"per_sample_weights": rest[0]} if rest else {}


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_bag_1d_offsets(rng, mode, padding_idx):
    x = rng.integers(0, 6, 9)
    x[[1, 4]] = 2                                     # repeats (and padding entries)
    w = rng.standard_normal((6, 3))
    for off, last in [([0, 3, 3, 7], False), ([0, 3, 3, 7, 9], True), ([0], False)]:
        out = check_op(*_pair(off, mode=mode, padding_idx=padding_idx,
                              include_last_offset=last), [x, w], double=True)
        assert out[0].shape == (len(off) - last, 3)
        if len(off) > 2:
            assert not np.any(out[0].detach().numpy()[1])             # the empty bag


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_and_empty(rng, mode):
    w = rng.standard_normal((5, 4))
    check_op(*_pair(mode=mode), [rng.integers(0, 5, (3, 4)), w], double=True)
    check_op(*_pair(mode=mode, padding_idx=0), [np.zeros((2, 3), np.int64), w])  # all padding
    out = check_op(*_pair(mode=mode), [np.zeros((0, 3), np.int64), w])
    assert out[0].shape == (0, 4)
    out = check_op(*_pair([0, 0, 0], mode=mode), [np.zeros(0, np.int64), w])
    assert out[0].shape == (3, 4) and not np.any(out[0].detach().numpy())
    # non-contiguous ids and weight
    check_op(*_pair(mode=mode), [rng.integers(0, 5, (4, 3)).T, rng.standard_normal((4, 5)).T])


def test_embedding_bag_max_ties_go_to_the_first(rng):
    w = np.array([[1.0, 5.0], [1.0, 2.0], [3.0, 2.0]])
    check_op(*_pair([0, 3], mode="max"), [np.array([1, 0, 2, 0, 1]), w])


def test_embedding_bag_per_sample_weights(rng):
    w = rng.standard_normal((6, 3))
    x = rng.integers(0, 6, 7)
    check_op(*_pair([0, 2, 2, 5], mode="sum"), [x, w, rng.standard_normal(7)])
    check_op(*_pair(mode="sum", padding_idx=1), [rng.integers(0, 6, (2, 3)), w,
                                                 rng.standard_normal((2, 3))])
    with pytest.raises(NotImplementedError):
        F.embedding_bag(mg.tensor(x), mg.tensor(w), mg.tensor([0]), mode="mean",
                        per_sample_weights=mg.ones(7, dtype=mg.float64))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_embedding_bag_max_norm_renormalises_in_place(rng, norm_type):
    w = rng.standard_normal((6, 3)) * 2
    x = rng.integers(0, 6, 5)
    wm, wt = mg.tensor(w.copy()), torch.tensor(w.copy())
    om = F.embedding_bag(mg.tensor(x), wm, mg.tensor([0, 2]), max_norm=1.0, norm_type=norm_type)
    ot = tF.embedding_bag(torch.tensor(x), wt, torch.tensor([0, 2]), max_norm=1.0,
                          norm_type=norm_type)
    np.testing.assert_allclose(om.numpy(), ot.numpy(), rtol=1e-12)
    np.testing.assert_allclose(wm.numpy(), wt.numpy(), rtol=1e-12)       # the rows changed


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_embedding_bag_scale_grad_by_freq(rng, mode):
    # torch's CPU numbers, including its count lookup by sorted position
    x = np.array([0, 1, 2, 4, 3, 2, 2, 5, 5, 0])
    check_op(*_pair([0, 2, 5], mode=mode, scale_grad_by_freq=True),
             [x, rng.standard_normal((7, 3))])
    check_op(*_pair(mode=mode, scale_grad_by_freq=True, padding_idx=2),
             [x.reshape(2, 5), rng.standard_normal((7, 3))])


def test_embedding_bag_float32_and_dtypes(rng):
    w = rng.standard_normal((6, 3)).astype(np.float32)
    for x in (rng.integers(0, 6, 5).astype(np.int32), np.array([1, 0, 1, 1, 0], bool)):
        out = check_op(*_pair([0, 2], mode="mean"), [x, w], rtol=1e-5, atol=1e-6)
        assert out[0].dtype == mg.float32


def test_embedding_bag_refusals():
    x, w = mg.tensor([0, 1, 2]), mg.randn(4, 3)
    with pytest.raises(NotImplementedError, match="sparse"):
        F.embedding_bag(x, w, mg.tensor([0]), sparse=True)
    # torch's bags then depend on dtype and mode: refused
    with pytest.raises(RuntimeError, match="include_last_offset"):
        F.embedding_bag(x, w, mg.tensor([0, 1]), include_last_offset=True)


_W = np.zeros((5, 3), np.float32)
_X = np.array([0, 1, 2, 4, 3])
_O = np.array([0, 2, 2])
BAD = [
    ((_X, _W, np.array([0, 2, 6])), {}),
    ((_X, _W, np.array([1, 2])), {}),
    ((_X, _W, np.array([0, 3, 2])), {}),
    ((_X, _W, np.array([], np.int64)), {"include_last_offset": True}),
    ((_X, _W, _O), {"padding_idx": 5}),
    ((_X, _W, _O), {"padding_idx": -6}),
    ((_X, _W, _O), {"mode": "bogus"}),
    ((_X, _W, _O), {"mode": "max", "scale_grad_by_freq": True}),
    ((_X, _W, _O), {"per_sample_weights": np.ones(4, np.float32), "mode": "sum"}),
    ((_X, _W, _O), {"per_sample_weights": np.ones(5), "mode": "sum"}),
    ((_X, _W, _O), {"per_sample_weights": np.ones(5, np.float32), "mode": "max"}),
    ((_X, _W, _O.astype(np.float32)), {}),
    ((_X.astype(np.float32), _W, _O), {}),
    ((_X, _W.astype(np.int64), _O), {}),
    ((_X, _W[0], _O), {}),
    ((_X + 5, _W, _O), {}),
    ((_X - 5, _W, _O), {}),
    ((_X, _W, None), {}),
    ((_X.reshape(5, 1), _W, _O), {}),
    ((np.zeros((2, 2, 2), np.int64), _W), {}),
    ((np.array(1), _W, _O), {}),
    ((_X, _W, np.array(0)), {}),
    ((np.zeros((2, 0), np.int64), _W), {}),
    ((_X, _W, _O), {"sparse": None}),
    ((_X, _W, _O), {"padding_idx": 1.5}),
]


def _build(lib, a):
    return lib.tensor(a) if isinstance(a, np.ndarray) else a


@pytest.mark.parametrize("args,kw", BAD)
def test_embedding_bag_errors_as_torch(args, kw):
    kw_t = {k: _build(torch, v) for k, v in kw.items()}
    kw_m = {k: _build(mg, v) for k, v in kw.items()}
    with pytest.raises(Exception) as te:
        tF.embedding_bag(*[_build(torch, a) for a in args], **kw_t)
    kind = next(k for k in type(te.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(kind):
        F.embedding_bag(*[_build(mg, a) for a in args], **kw_m)


# ---- nn.EmbeddingBag ------------------------------------------------------------------------
def test_embedding_bag_module_defaults_and_init():
    m, t = mg.nn.EmbeddingBag(300, 40), torch.nn.EmbeddingBag(300, 40)
    for a in ("num_embeddings", "embedding_dim", "max_norm", "norm_type", "scale_grad_by_freq",
              "mode", "sparse", "include_last_offset", "padding_idx"):
        assert getattr(m, a) == getattr(t, a), a
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in t.named_parameters()]
    w = m.weight.numpy(force=True)
    assert w.dtype == np.float32 and abs(w.mean()) < 0.05 and abs(w.std() - 1) < 0.05
    p = mg.nn.EmbeddingBag(5, 3, padding_idx=-2)
    assert p.padding_idx == 3 and not np.any(p.weight.numpy(force=True)[3])
    with pytest.raises(AssertionError):
        mg.nn.EmbeddingBag(5, 3, padding_idx=5)
    assert repr(m) == repr(t)
    kw = {"max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True, "mode": "sum",
          "padding_idx": 1}
    assert repr(mg.nn.EmbeddingBag(5, 3, **kw)) == repr(torch.nn.EmbeddingBag(5, 3, **kw))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_module_matches_torch(rng, mode):
    m = mg.nn.EmbeddingBag(6, 3, mode=mode, padding_idx=0)
    t = torch.nn.EmbeddingBag(6, 3, mode=mode, padding_idx=0)
    check_module(m, t, [rng.integers(0, 6, (3, 4))])
    x, off = rng.integers(0, 6, 7), np.array([0, 3, 3])
    om = m(mg.tensor(x), mg.tensor(off))
    ot = t(torch.tensor(x), torch.tensor(off))
    np.testing.assert_allclose(om.detach().numpy(), ot.detach().numpy(), rtol=1e-12)
    if mode == "sum":
        pw = rng.standard_normal(7)
        om = m(mg.tensor(x), mg.tensor(off), mg.tensor(pw))
        ot = t(torch.tensor(x), torch.tensor(off), torch.tensor(pw))
        np.testing.assert_allclose(om.detach().numpy(), ot.detach().numpy(), rtol=1e-12)


def test_embedding_bag_from_pretrained(rng):
    w = rng.standard_normal((4, 3))
    e = mg.tensor(w)
    assert np.shares_memory(mg.nn.EmbeddingBag.from_pretrained(e).weight.data, e.data)
    for freeze in (True, False):
        m = mg.nn.EmbeddingBag.from_pretrained(mg.tensor(w), freeze=freeze, mode="max")
        t = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), freeze=freeze, mode="max")
        assert m.weight.requires_grad == t.weight.requires_grad == (not freeze)
        assert (m.num_embeddings, m.embedding_dim, m.mode) == (4, 3, "max")
        x = rng.integers(0, 4, (2, 3))
        np.testing.assert_allclose(m(mg.tensor(x)).detach().numpy(),
                                   t(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    with pytest.raises(AssertionError):
        mg.nn.EmbeddingBag.from_pretrained(mg.ones(3))
    with pytest.raises(TypeError, match="embeddings"):
        mg.nn.EmbeddingBag.from_pretrained(w)


# ---- F.embedding's options and nn.Embedding.from_pretrained (complete before issue 15) -------
def test_embedding_max_norm_and_freq(rng):
    w = rng.standard_normal((6, 3)) * 2
    x = np.array([[0, 1, 1], [5, 1, 0]])
    check_op(lambda i, v: F.embedding(i, v, scale_grad_by_freq=True, padding_idx=5),
             lambda i, v: tF.embedding(i, v, scale_grad_by_freq=True, padding_idx=5), [x, w])
    wm, wt = mg.tensor(w.copy()), torch.tensor(w.copy())
    np.testing.assert_allclose(F.embedding(mg.tensor(x), wm, max_norm=1.5, norm_type=3.0).numpy(),
                               tF.embedding(torch.tensor(x), wt, max_norm=1.5,
                                            norm_type=3.0).numpy(), rtol=1e-12)
    np.testing.assert_allclose(wm.numpy(), wt.numpy(), rtol=1e-12)
    e = mg.tensor(w)
    assert np.shares_memory(mg.nn.Embedding.from_pretrained(e).weight.data, e.data)  # as torch
    with pytest.raises(TypeError, match="embeddings"):
        mg.nn.Embedding.from_pretrained(w)
    m = mg.nn.Embedding.from_pretrained(mg.tensor(w), freeze=False, padding_idx=1)
    t = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=False, padding_idx=1)
    check_module(m, t, [x], load=False)


def test_embedding_bag_float16_weight(rng):
    w = rng.standard_normal((5, 3)).astype(np.float16)
    x, off = np.array([0, 1, 2, 4, 3]), np.array([0, 2, 2])
    for mode in ("sum", "mean", "max"):
        mine = F.embedding_bag(mg.tensor(x), mg.tensor(w), mg.tensor(off), mode=mode)
        theirs = tF.embedding_bag(torch.tensor(x), torch.tensor(w), torch.tensor(off), mode=mode)
        assert mine.dtype == mg.float16
        np.testing.assert_allclose(mine.numpy().astype(np.float32), theirs.float().numpy(),
                                   rtol=2e-3, atol=1e-3)
