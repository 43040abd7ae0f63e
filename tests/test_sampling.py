"""bernoulli, multinomial, normal, poisson, bernoulli_ and exponential_ against torch: shapes,
dtypes, errors and gradients exactly; the draws themselves by their statistics (the two
libraries' generators differ), with fixed seeds so that the checks cannot flake."""
import numpy as np
import pytest
import torch

import minigrad as mg

LIBS = [pytest.param(mg, id="minigrad"), pytest.param(torch, id="torch")]


def _np(t):
    return np.asarray(t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else t.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(), (0,), (3, 4), (2, 1, 3)])
def test_shapes_and_dtypes_match_torch(dtype, shape):
    rng = np.random.default_rng(0)
    p = rng.random(shape).astype(dtype)
    for build in (lambda L, t: L.bernoulli(t), lambda L, t: L.bernoulli(t, 0.3),
                  lambda L, t: L.normal(t, 1.0), lambda L, t: L.normal(2.0, t),
                  lambda L, t: L.normal(t, t), lambda L, t: L.poisson(t),
                  lambda L, t: t.clone().bernoulli_(0.5), lambda L, t: t.clone().exponential_()):
        ours, theirs = build(mg, mg.tensor(p)), build(torch, torch.tensor(p))
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


def test_normal_with_a_size_and_multinomial_shapes():
    for L in (mg, torch):
        assert tuple(L.normal(0.0, 1.0, (2, 3)).shape) == (2, 3)
    assert mg.normal(0.0, 1.0, (2,), dtype=mg.float64).dtype == np.float64
    for shape, k, repl in (((5,), 3, False), ((2, 5), 5, False), ((4,), 9, True),
                           ((0, 3), 2, False)):
        w = np.ones(shape)
        ours = mg.multinomial(mg.tensor(w), k, replacement=repl)
        theirs = torch.multinomial(torch.tensor(w), k, replacement=repl)
        assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype == np.int64


def test_statistics_of_the_draws():
    mg.manual_seed(0)
    n = 200_000
    p = mg.rand(n, dtype=mg.float64)
    assert abs(float((mg.bernoulli(p).data - p.data).mean())) < 5e-3
    assert abs(float(mg.bernoulli(mg.zeros(n), 0.25).data.mean()) - 0.25) < 5e-3
    z = mg.normal(mg.full((n,), 1.5), 2.0).data
    assert abs(z.mean() - 1.5) < 0.02 and abs(z.std() - 2.0) < 0.02
    z = mg.normal(-1.0, 0.5, (n,)).data
    assert abs(z.mean() + 1.0) < 0.01 and abs(z.std() - 0.5) < 0.01
    k = mg.poisson(mg.full((n,), 3.0)).data
    assert abs(k.mean() - 3.0) < 0.02 and abs(k.var() - 3.0) < 0.05
    assert np.array_equal(k, np.round(k))
    e = mg.ones(n, dtype=mg.float64).exponential_(4.0).data
    assert abs(e.mean() - 0.25) < 5e-3 and (e >= 0).all()
    w = np.array([0.1, 0.2, 0.0, 0.7])
    counts = np.bincount(mg.multinomial(mg.tensor(w), n, replacement=True).data, minlength=4)
    np.testing.assert_allclose(counts / n, w, atol=5e-3)
    rows = np.array([[0.5, 0.5, 0.0], [0.0, 0.1, 0.9], [1.0, 2.0, 1.0]])
    draws = mg.multinomial(mg.tensor(rows), 50_000, replacement=True).data
    for r, d in zip(rows, draws):               # each row follows its own weights
        np.testing.assert_allclose(np.bincount(d, minlength=3) / 50_000, r / r.sum(),
                                   atol=0.01)
    # without replacement, the first draw follows the weights too
    firsts = mg.multinomial(mg.tensor(np.tile(w, (20_000, 1))), 2).data
    np.testing.assert_allclose(np.bincount(firsts[:, 0], minlength=4) / 20_000, w, atol=0.015)
    assert (firsts[:, 0] != firsts[:, 1]).all()


def test_multinomial_without_replacement_is_a_permutation_and_zeros_come_last():
    mg.manual_seed(1)
    rows = mg.multinomial(mg.tensor(np.random.default_rng(0).random((50, 7)) + 0.01), 7).data
    assert (np.sort(rows, 1) == np.arange(7)).all()
    for w in ([1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 2.0, 1.0], [3.0, 0.0, 1.0, 0.0]):
        pos = [i for i, x in enumerate(w) if x > 0]
        zeros = [i for i, x in enumerate(w) if x == 0]
        for L in (mg, torch):       # the positive categories first, then the zero ones
            drawn = L.multinomial(L.tensor(w), len(w)).tolist()
            assert sorted(drawn[:len(pos)]) == pos and sorted(drawn[len(pos):]) == zeros


def test_seeded_draws_repeat():
    outs = []
    for _ in range(2):
        mg.manual_seed(7)
        outs.append([mg.bernoulli(mg.full((5,), 0.5)).tolist(),
                     mg.multinomial(mg.ones(6), 3).tolist(),
                     mg.normal(mg.zeros(3), 1.0).tolist(), mg.poisson(mg.ones(3)).tolist()])
    assert outs[0] == outs[1]


@pytest.mark.parametrize("lib", LIBS)
def test_gradients_are_zero_as_in_torch(lib):
    p = lib.tensor([0.2, 0.7], dtype=lib.float64, requires_grad=True)
    lib.bernoulli(p * 1).sum().backward()
    assert p.grad.tolist() == [0.0, 0.0]
    m = lib.zeros(3, dtype=lib.float64, requires_grad=True)
    s = lib.ones(3, dtype=lib.float64, requires_grad=True)
    (lib.normal(m, s) + lib.normal(m, 2.0) + lib.normal(1.0, s)).sum().backward()
    assert m.grad.tolist() == [0.0] * 3 and s.grad.tolist() == [0.0] * 3
    r = lib.tensor([1.0, 2.0], requires_grad=True)
    lib.poisson(r).sum().backward()
    assert r.grad.tolist() == [0.0, 0.0]
    q = lib.tensor([0.5], requires_grad=True)
    out = lib.bernoulli(q, 0.5)                 # in the graph, without a derivative
    assert out.requires_grad
    with pytest.raises(RuntimeError):
        out.sum().backward()


BAD = [
    lambda L: L.bernoulli(L.tensor([1.5])),
    lambda L: L.bernoulli(L.tensor([1, 0])),
    lambda L: L.bernoulli(L.zeros(2), 1.5),
    lambda L: L.zeros(2).bernoulli_(1.5),
    lambda L: L.zeros(3).bernoulli_(L.tensor([0.0, 2.0, 1.0])),
    lambda L: L.multinomial(L.tensor([0.5, 0.5]), 3),
    lambda L: L.multinomial(L.tensor([-1.0, 1.0]), 1),
    lambda L: L.multinomial(L.tensor([0.0, 0.0]), 1),
    lambda L: L.multinomial(L.ones(2, 2, 2), 1),
    lambda L: L.multinomial(L.tensor([1.0, 1.0]), 0),
    lambda L: L.multinomial(L.tensor([1, 1]), 1),
    lambda L: L.multinomial(L.tensor([1.0, float("nan")]), 1),
    lambda L: L.multinomial(L.tensor([1.0, float("inf")]), 1),
    lambda L: L.normal(L.zeros(2), -1.0),
    lambda L: L.normal(L.zeros(2), L.tensor([1.0, -1.0])),
    lambda L: L.normal(L.zeros(2), L.ones(3)),
    lambda L: L.normal(L.zeros(2, dtype=L.int64), 1.0),
    lambda L: L.normal(0.0, 1.0),
    lambda L: L.poisson(L.tensor([-1.0])),
    lambda L: L.ones(2).exponential_(-1.0),
    lambda L: L.multinomial(L.ones(3), 1, generator=3),
]


@pytest.mark.parametrize("k", range(len(BAD)))
def test_bad_arguments_raise_as_in_torch(k):
    with pytest.raises(Exception) as theirs:
        BAD[k](torch)
    with pytest.raises(Exception) as ours:
        BAD[k](mg)
    assert isinstance(ours.value, type(theirs.value)) or (
        type(theirs.value) is RuntimeError and type(ours.value) is RuntimeError), (
        type(ours.value), type(theirs.value))
    first = str(theirs.value).split("(")[0].split("\n")[0].strip()[:40]
    if type(theirs.value) is not TypeError and "size of tensor" not in first:
        assert first in str(ours.value), (str(ours.value), first)
