"""Random ops inside vmap against torch.func.vmap's rules for each randomness flag: which calls
raise, the shapes, and whether the samples draw alike ('same') or each their own
('different'); the draws themselves by their statistics (the generators differ)."""
import numpy as np
import pytest
import torch

import minigrad as mg

N = 64          # elements per sample: two samples drawing alike by chance is out of reach

CASES = {
    "rand": lambda L, x: L.rand(N, dtype=L.float64),
    "randn": lambda L, x: L.randn(N, dtype=L.float64) + x,
    "randint": lambda L, x: L.randint(0, 1000, (N,)),
    "randperm": lambda L, x: L.randperm(N),
    "rand_like": lambda L, x: L.rand_like(x),
    "randn_like": lambda L, x: L.randn_like(x),
    "bernoulli": lambda L, x: L.bernoulli(x * 0 + 0.5),
    "bernoulli p": lambda L, x: L.bernoulli(x, 0.5),
    "normal": lambda L, x: L.normal(x, 1.0),
    "normal float mean": lambda L, x: L.normal(2.0, x * 0 + 1),
    "poisson": lambda L, x: L.poisson(x * 0 + 5.0),
    "multinomial": lambda L, x: L.multinomial(x * 0 + 1, 16),
    "normal_": lambda L, x: x.clone().normal_(),
    "uniform_": lambda L, x: x.clone().uniform_(),
    "bernoulli_": lambda L, x: x.clone().bernoulli_(0.5),
    "exponential_": lambda L, x: x.clone().exponential_(),
    "uniform_ unbatched": lambda L, x: L.zeros(N, dtype=x.dtype).uniform_(),
    "dropout": lambda L, x: L.nn.functional.dropout(x + 1, 0.5),
    "gumbel_softmax": lambda L, x: L.nn.functional.gumbel_softmax(x),
    "gumbel_softmax hard": lambda L, x: L.nn.functional.gumbel_softmax(x, hard=True),
}


def _run(lib, name, mode):
    x = lib.zeros(4, N, dtype=lib.float64)
    fn = CASES[name]
    return lib.func.vmap(lambda row: fn(lib, row), randomness=mode)(x)


@pytest.mark.parametrize("mode", ["error", "same", "different"])
@pytest.mark.parametrize("name", list(CASES))
def test_randomness_flags_match_torch(name, mode):
    try:
        theirs = _run(torch, name, mode)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="vmap"):
            _run(mg, name, mode)
        return
    ours = _run(mg, name, mode)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    rows = ours.numpy()
    alike = all(np.array_equal(rows[0], r) for r in rows[1:])
    assert alike == (mode == "same"), (name, mode)


def test_different_draws_have_the_right_statistics():
    mg.manual_seed(0)
    z = mg.func.vmap(lambda m: mg.normal(m, 2.0), randomness="different")(
        mg.full((8, 20_000), 3.0, dtype=mg.float64)).numpy()
    assert np.allclose(z.mean(1), 3.0, atol=0.1) and np.allclose(z.std(1), 2.0, atol=0.1)
    u = mg.func.vmap(lambda _: mg.rand(20_000), randomness="different")(mg.zeros(8)).numpy()
    assert np.allclose(u.mean(1), 0.5, atol=0.02) and (u >= 0).all() and (u < 1).all()
    perms = mg.func.vmap(lambda _: mg.randperm(9), randomness="different")(mg.zeros(50))
    assert (np.sort(perms.numpy(), 1) == np.arange(9)).all()


def test_same_draws_as_one_call_and_nested_levels():
    mg.manual_seed(3)
    shared = mg.func.vmap(lambda _: mg.randn(5), randomness="same")(mg.zeros(4))
    after = mg.rand(2).tolist()
    mg.manual_seed(3)
    np.testing.assert_array_equal(shared.numpy()[0], mg.randn(5).numpy())
    assert mg.rand(2).tolist() == after       # the generator moved as for one call
    # outer 'different', inner 'same': rows differ across the outer level only
    inner = mg.func.vmap(lambda _: mg.rand(N), randomness="same")
    out = mg.func.vmap(inner, randomness="different")(mg.zeros(3, 2)).numpy()
    assert out.shape == (3, 2, N)
    assert all(np.array_equal(out[i, 0], out[i, 1]) for i in range(3))
    assert not np.array_equal(out[0, 0], out[1, 0])


def test_gumbel_softmax_in_vmap_samples_the_softmax_distribution():
    mg.manual_seed(2)
    logits = np.log(np.array([0.1, 0.6, 0.3]))
    xs = mg.tensor(np.tile(logits, (20_000, 1)))
    hard = mg.func.vmap(lambda t: mg.nn.functional.gumbel_softmax(t, tau=0.5, hard=True),
                        randomness="different")(xs).numpy()
    assert ((hard == 0) | (hard == 1)).all() and (hard.sum(1) == 1).all()
    np.testing.assert_allclose(hard.mean(0), [0.1, 0.6, 0.3], atol=0.015)
