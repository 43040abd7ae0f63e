"""mg.Generator against torch.Generator: the API (seeds, states, errors), and generator= on
every random op: the same seed gives the same draws, the global stream is left alone, and a
generator works inside vmap as torch's does. (The draws themselves differ from torch's: the
bit generators differ; test_sampling.py checks the distributions.)"""
import numpy as np
import pytest
import torch

import minigrad as mg


def test_api_as_torch():
    g, tg = mg.Generator(), torch.Generator()
    assert g.initial_seed() == tg.initial_seed() == 67280421310721
    assert str(g.device) == str(tg.device) == "cpu"
    for seed in [0, 7, 2**63 - 1, 2**64 - 1, -1, -2**63]:
        assert g.manual_seed(seed) is g
        assert g.initial_seed() == tg.manual_seed(seed).initial_seed()
    for seed in [3.0, True, "5"]:       # a Generator takes an int only; manual_seed int()s
        with pytest.raises(RuntimeError):
            tg.manual_seed(seed)
        with pytest.raises(RuntimeError, match="seed must be an int"):
            g.manual_seed(seed)
        assert mg.manual_seed(seed).initial_seed() == torch.manual_seed(seed).initial_seed()
    assert mg.manual_seed(5) is mg.default_generator
    assert torch.manual_seed(5) is torch.default_generator
    assert mg.initial_seed() == torch.initial_seed() == 5
    assert mg.default_generator.initial_seed() == 5
    s = mg.seed()
    assert mg.initial_seed() == s and 0 <= s < 2**64
    assert g.seed() == g.initial_seed()


@pytest.mark.parametrize("seed,err", [(2**64, (RuntimeError, ValueError)),
                                      (-2**63 - 1, (RuntimeError, ValueError)),
                                      ("a", (TypeError, RuntimeError)),
                                      (None, (TypeError, RuntimeError))])
def test_bad_seeds_raise(seed, err):
    with pytest.raises(err):
        torch.Generator().manual_seed(seed)
    with pytest.raises(err, match="seed"):
        mg.Generator().manual_seed(seed)
    with pytest.raises(err, match="seed"):
        mg.manual_seed(seed)


def test_state_round_trip_repeats_the_draws():
    g = mg.Generator().manual_seed(3)
    mg.rand(5, generator=g)
    state = g.get_state()
    assert state.dtype == mg.uint8 and state.ndim == 1
    a = mg.randn(6, generator=g).numpy()
    g.set_state(state)
    np.testing.assert_array_equal(mg.randn(6, generator=g).numpy(), a)
    state = mg.default_generator.get_state()
    b = mg.rand(4).numpy()
    assert mg.default_generator.set_state(state) is mg.default_generator
    np.testing.assert_array_equal(mg.rand(4).numpy(), b)
    with pytest.raises(RuntimeError, match="bytes"):
        g.set_state(mg.zeros(3, dtype=mg.uint8))
    with pytest.raises(TypeError, match="uint8"):
        g.set_state(mg.zeros(40))
    with pytest.raises(RuntimeError):
        torch.Generator().set_state(torch.zeros(3, dtype=torch.uint8))


def test_cuda_generators_are_refused_clearly():
    with pytest.raises(NotImplementedError, match="CPU generators only"):
        mg.Generator(device="cuda")


# every random op that takes generator= in torch: (name, call(lib, generator))
DRAWS = {
    "rand": lambda L, g: L.rand(3, 2, generator=g),
    "randn": lambda L, g: L.randn(4, generator=g, dtype=L.float64),
    "randint": lambda L, g: L.randint(0, 9, (5,), generator=g),
    "randperm": lambda L, g: L.randperm(7, generator=g),
    "rand_like": lambda L, g: L.rand_like(L.zeros(3), generator=g),
    "randn_like": lambda L, g: L.randn_like(L.zeros(3), generator=g),
    "randint_like": lambda L, g: L.randint_like(L.zeros(3), 5, generator=g),
    "normal floats": lambda L, g: L.normal(1.0, 2.0, (3,), generator=g),
    "normal tensor": lambda L, g: L.normal(L.zeros(4), 1.0, generator=g),
    "bernoulli": lambda L, g: L.bernoulli(L.full((6,), 0.5), generator=g),
    "multinomial": lambda L, g: L.multinomial(L.ones(5), 3, generator=g),
    "poisson": lambda L, g: L.poisson(L.full((4,), 3.0), g),
    "uniform_": lambda L, g: L.zeros(4).uniform_(-1, 1, generator=g),
    "normal_": lambda L, g: L.zeros(4).normal_(0, 2, generator=g),
    "bernoulli_": lambda L, g: L.zeros(4).bernoulli_(0.3, generator=g),
    "exponential_": lambda L, g: L.zeros(4).exponential_(2.0, generator=g),
    "rrelu": lambda L, g: L.rrelu(L.full((5,), -1.0), training=True, generator=g),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_generator_streams_are_reproducible_and_separate(name):
    tg = torch.Generator().manual_seed(1)           # torch takes the same call
    assert DRAWS[name](torch, tg).shape == DRAWS[name](torch, tg).shape
    g = mg.Generator()
    mg.manual_seed(0)
    g.manual_seed(1)
    first = DRAWS[name](mg, g).numpy()
    second = DRAWS[name](mg, g).numpy()
    after = mg.rand(3).numpy()                      # the global stream is untouched
    mg.manual_seed(0)
    np.testing.assert_array_equal(mg.rand(3).numpy(), after)
    g.manual_seed(1)
    np.testing.assert_array_equal(DRAWS[name](mg, g).numpy(), first)
    np.testing.assert_array_equal(DRAWS[name](mg, g).numpy(), second)
    with pytest.raises(TypeError, match="generator"):
        DRAWS[name](mg, 3)


def test_data_utilities_take_a_generator():
    g = mg.Generator()
    ds = mg.data.TensorDataset(mg.arange(10))

    def epoch():
        loader = mg.data.DataLoader(ds, batch_size=3, shuffle=True, generator=g)
        return [b[0].tolist() for b in loader]

    g.manual_seed(4)
    splits, order = mg.data.random_split(range(10), [0.3, 0.7], generator=g), epoch()
    g.manual_seed(4)
    assert [list(s.indices) for s in mg.data.random_split(range(10), [0.3, 0.7],
                                                          generator=g)] \
        == [list(s.indices) for s in splits]
    assert epoch() == order
    assert sorted(sum(order, [])) == list(range(10))
    with pytest.raises(TypeError, match="generator"):
        mg.data.random_split(range(4), [2, 2], generator="seed")


@pytest.mark.parametrize("randomness", ["same", "different"])
def test_a_generator_inside_vmap_follows_randomness(randomness):
    counts = []
    for lib, vmap, gen in ((torch, torch.func.vmap, torch.Generator()),
                           (mg, mg.func.vmap, mg.Generator())):
        gen.manual_seed(2)
        out = vmap(lambda x, lib=lib, gen=gen: x + lib.randn(3, generator=gen),
                   randomness=randomness)(lib.zeros(4, 3))
        counts.append(len({tuple(r) for r in out.tolist()}))
    assert counts[0] == counts[1] == (1 if randomness == "same" else 4)
