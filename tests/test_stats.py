"""Statistics against torch (ops/stats.py): cov (correction, fweights, aweights), corrcoef,
quantile/nanquantile (q number or tensor, dim, keepdim, every interpolation mode), pdist and
F.pdist: values, dtypes and shapes, gradients and second derivatives in float64, 0-d/empty/
non-contiguous inputs, and torch's errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from conftest import check_op
from test_binary_math import _same_outcome, _strided

torch = pytest.importorskip("torch")


MODES = ["linear", "lower", "higher", "midpoint", "nearest"]


# ---- cov, corrcoef ---------------------------------------------------------------------------
# ((4, 1), one observation, is in test_cov_corrcoef_dtypes_and_edges: torch's gradient there
# raises, its norm_factor.zero_() meets autograd)
@pytest.mark.parametrize("shape", [(3, 5), (5,), (1, 4), (2, 3)])
@pytest.mark.parametrize("correction", [1, 0, 2])
def test_cov_matches_torch_with_double_backward(shape, correction, rng):
    x = rng.standard_normal(shape)
    n = shape[-1]
    fw, aw = rng.integers(1, 4, n), rng.uniform(0.2, 1.5, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (correction >= observations: both warn)
        for kw in [{}, {"fweights": fw}, {"aweights": aw}, {"fweights": fw, "aweights": aw}]:
            def f(L, x, kw=kw):
                return L.cov(x, correction=correction,
                             **{k: L.tensor(v) for k, v in kw.items()})
            check_op(lambda x: f(mg, x), lambda x: f(torch, x), [x], double=True)
        check_op(lambda a: a.cov(aweights=mg.tensor(aw)),
                 lambda a: a.cov(aweights=torch.tensor(aw)), [_strided(x)], double=True)


def test_cov_aweights_gradient(rng):
    x, aw = rng.standard_normal((2, 5)), rng.uniform(0.2, 1.5, 5)
    check_op(lambda x, w: mg.cov(x, aweights=w), lambda x, w: torch.cov(x, aweights=w),
             [x, aw], double=True)


@pytest.mark.parametrize("shape", [(3, 5), (5,), (1, 4), (2, 6)])
def test_corrcoef_matches_torch(shape, rng):
    x = rng.standard_normal(shape)
    check_op(mg.corrcoef, torch.corrcoef, [x], double=True)
    check_op(lambda a: a.corrcoef(), lambda a: a.corrcoef(), [_strided(x)], double=True)


def test_cov_corrcoef_dtypes_and_edges(defaults):
    for dt in ["int64", "int32", "uint8", "float32", "float16", "bool"]:
        a = (np.arange(8).reshape(2, 4) % 3).astype(dt)
        for fn in [lambda L, x: L.cov(x), lambda L, x: L.corrcoef(x), lambda L, x: x.cov()]:
            _same_outcome(lambda: fn(mg, mg.tensor(a)), lambda: fn(torch, torch.tensor(a)), dt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for a in [np.zeros(0), np.zeros((2, 0)), np.zeros((0, 3)), np.array(2.0),
                  np.ones((2, 3)), np.array([1.0]), np.zeros((2, 2, 2))]:
            for fn in [lambda L, x: L.cov(x), lambda L, x: L.corrcoef(x)]:
                _same_outcome(lambda: fn(mg, mg.tensor(a)), lambda: fn(torch, torch.tensor(a)),
                              f"{a.shape}")
    with pytest.warns(UserWarning, match="degrees of freedom"):
        mg.cov(mg.tensor([1.0]))


def test_cov_errors():
    x = np.ones((2, 3))
    bad = [{"fweights": np.ones(3)}, {"fweights": np.array([1, 2])},
           {"fweights": np.array([1, -1, 2])}, {"fweights": np.ones((3, 1), np.int64)},
           {"aweights": np.array([1, 2, 3])}, {"aweights": np.array([1.0, -1, 2])},
           {"aweights": np.zeros(3)}, {"fweights": np.zeros(3, np.int64)},
           {"correction": 1.5}, {"correction": None}, {"fweights": [1, 1, 1]}]
    for kw in bad:
        def call(L, kw=kw):
            return L.cov(L.tensor(x), **{k: L.tensor(v) if isinstance(v, np.ndarray) else v
                                         for k, v in kw.items()})
        _same_outcome(lambda: call(mg), lambda: call(torch), str(kw))
    for v in [None, [1.0], 2.0]:
        _same_outcome(lambda: mg.cov(v), lambda: torch.cov(v), repr(v))
        _same_outcome(lambda: mg.corrcoef(v), lambda: torch.corrcoef(v), repr(v))


# ---- quantile, nanquantile -------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
def test_quantile_matches_torch_with_double_backward(fn, mode, rng):
    x = rng.standard_normal((4, 7))
    for q, dim, keepdim in [(0.3, None, False), (0.75, 1, False), (0.5, 0, True),
                            ([0.0, 0.25, 1.0], 1, False), ([0.1, 0.9], -2, True),
                            ([0.4], None, True), (1.0, None, False)]:
        def f(L, a, q=q, dim=dim, keepdim=keepdim):
            qq = L.tensor(q, dtype=L.float64) if isinstance(q, list) else q
            return getattr(L, fn)(a, qq, dim, keepdim, interpolation=mode)
        check_op(lambda a: f(mg, a), lambda a: f(torch, a), [x], double=True)
        check_op(lambda a: f(mg, a), lambda a: f(torch, a), [_strided(x)], double=True)


def test_quantile_gradient_wrt_q(rng):
    x, q = rng.standard_normal((3, 6)), rng.uniform(0.05, 0.95, 4)
    check_op(lambda a, q: mg.quantile(a, q, dim=1), lambda a, q: torch.quantile(a, q, dim=1),
             [x, q], double=True)


@pytest.mark.parametrize("fn", ["quantile", "nanquantile"])
def test_quantile_nan_and_ties(fn, rng):
    nan = float("nan")
    x = np.array([[1.0, nan, 3.0, 2.0], [nan, nan, nan, nan], [2.0, 2.0, 1.0, 2.0]])
    for mode in MODES:
        for q in [0.0, 0.3, 0.5, 1.0]:
            for dim in [None, 1, 0]:
                _same_outcome(lambda: getattr(mg, fn)(mg.tensor(x), q, dim,
                                                      interpolation=mode),
                              lambda: getattr(torch, fn)(torch.tensor(x), q, dim,
                                                         interpolation=mode),
                              f"{fn}({mode}, {q}, {dim})")
    check_op(lambda a: getattr(mg, fn)(a, 0.4, 1), lambda a: getattr(torch, fn)(a, 0.4, 1),
             [x[2:]], double=True)


@pytest.mark.parametrize("shape", [(), (1,), (5,), (2, 1, 3)])
def test_quantile_shapes(shape, rng):
    x = rng.standard_normal(shape)
    for q in [0.5, [0.2, 0.8], np.array(0.5)]:
        for dim in [None, 0, -1]:
            for keepdim in [False, True]:
                def f(L, a, q=q, dim=dim, keepdim=keepdim):
                    qq = L.tensor(q, dtype=L.float64) if not isinstance(q, float) else q
                    return L.quantile(a, qq, dim, keepdim)
                _same_outcome(lambda: f(mg, mg.tensor(x)), lambda: f(torch, torch.tensor(x)),
                              f"{shape} q={q} dim={dim} keepdim={keepdim}")


def test_quantile_errors():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    calls = [lambda L, a: L.quantile(a[:0], 0.5), lambda L, a: L.quantile(a, 1.5),
             lambda L, a: L.quantile(a, -0.1),
             lambda L, a: L.quantile(a, L.tensor([[0.5]], dtype=L.float64)),
             lambda L, a: L.quantile(a, L.tensor([0.5, 1.2], dtype=L.float64)),
             lambda L, a: L.quantile(a.float(), L.tensor([0.5], dtype=L.float64)),
             lambda L, a: L.quantile(a.half(), 0.5), lambda L, a: L.quantile(a.long(), 0.5),
             lambda L, a: L.quantile(a, 0.5, interpolation="cubic"),
             lambda L, a: L.quantile(a, 0.5, dim=2), lambda L, a: L.quantile(a, 0.5, dim=0.5),
             lambda L, a: L.quantile(a, "0.5"), lambda L, a: L.quantile(a, None),
             lambda L, a: L.quantile(a, 0.5, keepdim=1),
             lambda L, a: L.nanquantile(a, 0.5, interpolation=None),
             lambda L, a: L.quantile(a, True), lambda L, a: L.quantile([1.0], 0.5)]
    for k, fn in enumerate(calls):
        _same_outcome(lambda: fn(mg, mg.tensor(x)), lambda: fn(torch, torch.tensor(x)),
                      f"case {k}")


def test_quantile_float32(rng):
    x = rng.standard_normal((5, 9)).astype("float32")
    for mode in MODES:
        _same_outcome(lambda: mg.quantile(mg.tensor(x), mg.tensor([0.3, 0.7], dtype=mg.float32),
                                          1, interpolation=mode),
                      lambda: torch.quantile(torch.tensor(x), torch.tensor([0.3, 0.7]).float(),
                                             1, interpolation=mode), mode)


# ---- pdist ---------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [2, 1, 0.5, 3.0, float("inf"), 0])
def test_pdist_matches_torch(p, rng):
    x = rng.standard_normal((5, 3))
    # (torch's pdist has no second derivative: its backward is not differentiable)
    check_op(lambda a: mg.pdist(a, p), lambda a: torch.pdist(a, p), [x])
    check_op(lambda a: F.pdist(a, p), lambda a: torch.nn.functional.pdist(a, p),
             [_strided(x)])


def test_pdist_edges_and_errors(rng):
    for shape in [(1, 3), (0, 3), (4, 0), (2, 1)]:
        x = rng.standard_normal(shape)
        # (torch 2.13's pdist backward crashes the process on a (0, n) input: values only)
        check_op(mg.pdist, torch.pdist, [x], requires_grad=[shape[0] != 0])
    x = rng.standard_normal((3, 2))
    x[1] = x[0]                             # a zero distance: gradient 0 there, as torch's
    check_op(mg.pdist, torch.pdist, [x])
    for bad in [lambda L: L.pdist(L.tensor(x[0])), lambda L: L.pdist(L.tensor(x), -1.0),
                lambda L: L.pdist(L.tensor(x).long()), lambda L: L.pdist(L.tensor(x), "a"),
                lambda L: L.pdist(x), lambda L: L.pdist(L.tensor(x).reshape(1, 3, 2)),
                lambda L: L.pdist(L.tensor(x).float())]:
        _same_outcome(lambda: bad(mg), lambda: bad(torch), "pdist")
