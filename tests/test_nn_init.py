"""nn.init against torch: the distributions (two-sample tests against torch's own draws and
against scipy's exact distributions), the deterministic fills exactly, the errors torch gives
for each dtype and argument, the deprecated names, and fills inside vmap."""
import math

import numpy as np
import pytest
import scipy.stats
import torch

import minigrad as mg
from minigrad import nn

MG_DTYPES = {"float64": mg.float64, "float32": mg.float32, "float16": mg.float16,
             "int64": mg.int64, "int32": mg.int32, "uint8": mg.uint8, "bool": mg.bool}
TORCH_DTYPES = {"float64": torch.float64, "float32": torch.float32, "float16": torch.float16,
                "int64": torch.int64, "int32": torch.int32, "uint8": torch.uint8,
                "bool": torch.bool}


def _same_distribution(mine, theirs, p_min=1e-4):
    """Two-sample Kolmogorov-Smirnov: our draws and torch's come from one distribution."""
    p = scipy.stats.ks_2samp(np.ravel(mine), np.ravel(theirs)).pvalue
    assert p > p_min, f"KS p-value {p:.2e}: the distributions differ"


# (mg call, torch call) on a fresh (256, 192) float tensor; torch's draws are the reference
RANDOM_FILLS = {
    "uniform_": lambda init, t: init.uniform_(t, -0.5, 2.0),
    "normal_": lambda init, t: init.normal_(t, 1.5, 0.25),
    "xavier_uniform_": lambda init, t: init.xavier_uniform_(t, gain=2.0),
    "xavier_normal_": lambda init, t: init.xavier_normal_(t),
    "kaiming_uniform_": lambda init, t: init.kaiming_uniform_(t, a=0.2, mode="fan_out"),
    "kaiming_normal_": lambda init, t: init.kaiming_normal_(t, nonlinearity="relu"),
    "trunc_normal_ (normal draws)": lambda init, t: init.trunc_normal_(t, 0.5, 1.0, -1.0, 2.0),
    "trunc_normal_ (uniform proposals)": lambda init, t: init.trunc_normal_(t, 0, 1, 2.0, 3.5),
    "orthogonal_": lambda init, t: init.orthogonal_(t, gain=0.5),
    "sparse_": lambda init, t: init.sparse_(t, 0.3, std=0.2),
}


@pytest.mark.parametrize("name", list(RANDOM_FILLS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_random_fills_match_torchs_distribution(name, dtype):
    mg.manual_seed(11)
    torch.manual_seed(11)
    t = mg.empty(256, 192, dtype=MG_DTYPES[dtype])
    ref = torch.empty(256, 192, dtype=TORCH_DTYPES[dtype])
    out = RANDOM_FILLS[name](nn.init, t)
    RANDOM_FILLS[name](torch.nn.init, ref)
    assert out is t and t.dtype == MG_DTYPES[dtype]
    _same_distribution(t.numpy(), ref.numpy())


def test_trunc_normal_against_the_exact_distribution():
    mg.manual_seed(3)
    for mean, std, a, b in [(0.5, 1.0, -1.0, 2.0), (0.0, 1.0, 2.0, 3.5), (1.0, 2.0, -0.5, 0.0)]:
        t = nn.init.trunc_normal_(mg.empty(40000, dtype=mg.float64), mean, std, a, b).numpy()
        assert t.min() >= a and t.max() <= b
        exact = scipy.stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)
        assert scipy.stats.kstest(t, exact.cdf).pvalue > 1e-4


def test_bounds_and_moments_of_the_formula_fills():
    mg.manual_seed(5)
    w = mg.empty(300, 200, 3)                       # fan_in 600, fan_out 900
    bound = math.sqrt(3.0) * 2.0 * math.sqrt(2.0 / 1500)
    x = nn.init.xavier_uniform_(w, gain=2.0).numpy()
    assert np.abs(x).max() <= bound and np.abs(x).max() > 0.99 * bound
    x = nn.init.kaiming_normal_(w, mode="FAN_OUT", nonlinearity="tanh").numpy()   # lower-cased
    assert x.std() == pytest.approx(5.0 / 3 / math.sqrt(900), rel=0.02)
    x = nn.init.orthogonal_(mg.empty(20, 3, 4, dtype=mg.float64), gain=3.0).numpy().reshape(20, 12)
    np.testing.assert_allclose(x.T @ x, 9.0 * np.eye(12), atol=1e-12)
    x = nn.init.orthogonal_(mg.empty(5, 12, dtype=mg.float64)).numpy()          # rows < cols
    np.testing.assert_allclose(x @ x.T, np.eye(5), atol=1e-12)


@pytest.mark.parametrize("sparsity", [0.3, 0.0, 1.5, -0.5])
def test_sparse_zeroes_the_count_torch_zeroes_per_column(sparsity):
    mg.manual_seed(2)
    torch.manual_seed(2)
    x = nn.init.sparse_(mg.empty(8, 6), sparsity, std=1.0).numpy()
    ref = torch.nn.init.sparse_(torch.empty(8, 6), sparsity, std=1.0).numpy()
    np.testing.assert_array_equal((x == 0).sum(0), (ref == 0).sum(0))


@pytest.mark.parametrize("shape,groups", [((4, 3, 5), 1), ((6, 2, 3, 3), 2), ((3, 5, 2, 3, 4), 1),
                                          ((6, 4, 3, 3), 3), ((2, 6, 1), 1)])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_deterministic_fills_equal_torch(shape, groups, dtype):
    md, td = MG_DTYPES[dtype], TORCH_DTYPES[dtype]
    pairs = [(nn.init.dirac_(mg.ones(*shape, dtype=md), groups),
              torch.nn.init.dirac_(torch.ones(*shape, dtype=td), groups)),
             (nn.init.eye_(mg.ones(*shape[:2], dtype=md)),
              torch.nn.init.eye_(torch.ones(*shape[:2], dtype=td))),
             (nn.init.constant_(mg.empty(*shape, dtype=md), 2.75),
              torch.nn.init.constant_(torch.empty(*shape, dtype=td), 2.75)),
             (nn.init.zeros_(mg.ones(*shape, dtype=md)), torch.nn.init.zeros_(torch.ones(*shape,
                                                                                       dtype=td))),
             (nn.init.ones_(mg.empty(*shape, dtype=md)), torch.nn.init.ones_(torch.empty(*shape,
                                                                                      dtype=td)))]
    for mine, theirs in pairs:
        assert mine.dtype == md
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def _outcome(fn):
    try:
        fn()
    except Exception as e:      # noqa: BLE001 (the type is what is compared)
        return type(e)
    return None


# every initialiser on every dtype: ours raises where torch raises, with the same type
CALLS = {
    "uniform_": lambda init, t: init.uniform_(t), "normal_": lambda init, t: init.normal_(t),
    "trunc_normal_": lambda init, t: init.trunc_normal_(t),
    "trunc_normal_ narrow": lambda init, t: init.trunc_normal_(t, 0, 1, 3, 4),
    "constant_": lambda init, t: init.constant_(t, 1.5), "zeros_": lambda init, t: init.zeros_(t),
    "ones_": lambda init, t: init.ones_(t), "eye_": lambda init, t: init.eye_(t),
    "dirac_": lambda init, t: init.dirac_(t.reshape(2, 3, 1)),
    "xavier_uniform_": lambda init, t: init.xavier_uniform_(t),
    "xavier_normal_": lambda init, t: init.xavier_normal_(t),
    "kaiming_uniform_": lambda init, t: init.kaiming_uniform_(t),
    "kaiming_normal_": lambda init, t: init.kaiming_normal_(t),
    "orthogonal_": lambda init, t: init.orthogonal_(t),
    "sparse_": lambda init, t: init.sparse_(t, 0.5),
}


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("dtype", list(MG_DTYPES))
def test_every_dtype_is_accepted_or_refused_as_torch(name, dtype):
    theirs = _outcome(lambda: CALLS[name](torch.nn.init, torch.zeros(2, 3,
                                                                     dtype=TORCH_DTYPES[dtype])))
    mine = _outcome(lambda: CALLS[name](nn.init, mg.zeros(2, 3, dtype=MG_DTYPES[dtype])))
    assert mine is theirs


@pytest.mark.parametrize("call,err,match", [
    (lambda init, T: init.uniform_(T(3), 1.0, 0.0), RuntimeError, "from=1.0 > to=0.0"),
    (lambda init, T: init.uniform_(T(3), math.nan, 1.0), RuntimeError, "out of bounds"),
    (lambda init, T: init.normal_(T(3), 0.0, -1.0), RuntimeError, "std >= 0.0"),
    (lambda init, T: init.trunc_normal_(T(3), std=0.0), ZeroDivisionError, "std"),
    (lambda init, T: init.constant_(T(3), "a"), TypeError, "fill_"),
    (lambda init, T: init.eye_(T(2, 2, 2)), ValueError, "2 dimensions"),
    (lambda init, T: init.dirac_(T(5, 3, 3), 2), ValueError, "divisible by groups"),
    (lambda init, T: init.dirac_(T(4, 3)), ValueError, "3, 4, or 5 dimensions"),
    (lambda init, T: init.orthogonal_(T(3)), ValueError, "2 or more dimensions"),
    (lambda init, T: init.sparse_(T(3), 0.5), ValueError, "2 dimensions"),
    (lambda init, T: init.xavier_uniform_(T(3)), ValueError, "fewer than 2 dimensions"),
    (lambda init, T: init.kaiming_uniform_(T(3, 3), mode="fan_avg"), ValueError, "fan_avg"),
    (lambda init, T: init.calculate_gain("leaky_relu", True), ValueError, "negative_slope"),
    (lambda init, T: init.calculate_gain("swish"), ValueError, "swish"),
])
def test_argument_errors_as_torch(call, err, match):
    with pytest.raises(err):
        call(torch.nn.init, torch.empty)
    with pytest.raises(err, match=match):
        call(nn.init, mg.empty)


def test_warnings_as_torch():
    with pytest.warns(UserWarning, match="more than 2 std"):
        out = nn.init.trunc_normal_(mg.empty(50), mean=10.0)
    assert out.numpy().max() <= 2.0
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        nn.init.kaiming_uniform_(mg.empty(0, 3))
    with pytest.warns(FutureWarning, match=r"`nn.init.uniform` is now deprecated in favor of "
                                           r"`nn.init.uniform_`"):
        t = nn.init.uniform(mg.empty(4), 2.0, 3.0)
    assert (t.numpy() >= 2.0).all() and (t.numpy() < 3.0).all()
    for old in ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform",
                "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]:
        assert hasattr(torch.nn.init, old) and getattr(nn.init, old).__name__ == old


def test_a_generator_gives_its_own_reproducible_stream():
    g = mg.Generator()
    for fill in (lambda t, g: nn.init.uniform_(t, generator=g),
                 lambda t, g: nn.init.kaiming_normal_(t, generator=g),
                 lambda t, g: nn.init.trunc_normal_(t, 0.0, 1.0, 2.0, 3.0, generator=g),
                 lambda t, g: nn.init.orthogonal_(t, generator=g),
                 lambda t, g: nn.init.sparse_(t, 0.5, generator=g)):
        mg.manual_seed(0)
        g.manual_seed(9)
        a = fill(mg.empty(6, 5), g).numpy()
        b = mg.rand(4).numpy()                      # the global stream: not consumed above
        mg.manual_seed(0)
        g.manual_seed(9)
        np.testing.assert_array_equal(fill(mg.empty(6, 5), g).numpy(), a)
        np.testing.assert_array_equal(mg.rand(4).numpy(), b)
        mg.manual_seed(0)
        np.testing.assert_array_equal(mg.rand(4).numpy(), b)
    with pytest.raises(TypeError, match="uniform_.*generator.*Generator"):
        nn.init.uniform_(mg.empty(3), generator=object())
    with pytest.raises(TypeError):
        torch.nn.init.uniform_(torch.empty(3), generator=object())


def test_fills_a_parameter_in_place_without_a_graph():
    p = nn.Parameter(mg.zeros(4, 5))
    data, version = p.data, p._version
    for fill in (lambda t: nn.init.normal_(t), lambda t: nn.init.orthogonal_(t),
                 lambda t: nn.init.dirac_(t.view(4, 5, 1)), lambda t: nn.init.eye_(t)):
        out = fill(p)
        assert p.data is data and p.grad_fn is None and p.requires_grad and p.is_leaf
        assert p._version > version
        version = p._version
        assert out is p or out.data.base is data or out.data is data


@pytest.mark.parametrize("randomness", ["same", "different", "error"])
def test_fills_inside_vmap_follow_randomness(randomness):
    def fill(lib, x):
        y = x.clone()
        lib.nn.init.normal_(y)
        return y

    results = []
    for lib, vmap in ((torch, torch.func.vmap), (mg, mg.func.vmap)):
        try:
            out = vmap(lambda x, lib=lib: fill(lib, x), randomness=randomness)(lib.zeros(5, 3))
            results.append(len({tuple(r) for r in out.tolist()}))
        except RuntimeError as e:
            results.append(str(e).split(".")[0])
    assert results[0] == results[1]
