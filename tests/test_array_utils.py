"""Array utilities against torch (ops/array_utils.py, ops/array_build.py, ops/integrate.py):
values, dtypes and shapes over dtypes, 0-d/empty/non-contiguous inputs, gradients and second
derivatives in float64 for the differentiable ones, and torch's errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
from conftest import check_op
from test_binary_math import _same_outcome, _strided

torch = pytest.importorskip("torch")


def _both(fn, *arrays, what=""):
    """fn(L, *tensors) in both libraries: the same dtype, shape and values, or the same
    error (minigrad's from its own code)."""
    def run(lib):
        out = fn(lib, *[lib.tensor(a.copy()) for a in arrays])
        return list(out) if isinstance(out, tuple) else out
    try:
        want = run(torch)
    except Exception:  # noqa: BLE001
        _same_outcome(lambda: run(mg), lambda: run(torch), what)
        return
    got = run(mg)
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), what
        for k, (g, w) in enumerate(zip(got, want)):
            _same_outcome(lambda g=g: g, lambda w=w: w, f"{what}[{k}]")
    else:
        _same_outcome(lambda: got, lambda: want, what)


INTS = np.array([[3, 0, 2, 2], [1, 1, 0, 3], [0, 0, 0, 5]])
DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]


def _as(a, dt):
    return (a > 1) if dt == "bool" else a.astype(dt)


# ---- differentiable: values, gradients, second derivatives -------------------------------------
def _n(rng, *s): return rng.standard_normal(s)


DIFF = {
    "diff": (lambda L, x: L.diff(x), [(3, 4)]),
    "diff_n2_dim0": (lambda L, x: x.diff(n=2, dim=0), [(4, 3)]),
    "diff_prepend_append": (lambda L, x, p, a: L.diff(x, 1, 0, prepend=p, append=a),
                            [(3, 2), (1, 2), (2, 2)]),
    "diff_large_n": (lambda L, x: L.diff(x, n=5), [(2, 3)]),
    "combinations": (lambda L, x: L.combinations(x), [(4,)]),
    "combinations_r3_repl": (lambda L, x: L.combinations(x, 3, with_replacement=True), [(3,)]),
    "vander": (lambda L, x: L.vander(x), [(4,)]),
    "vander_N_increasing": (lambda L, x: L.vander(x, N=5, increasing=True), [(3,)]),
    "diagflat": (lambda L, x: L.diagflat(x, -1), [(2, 2)]),
    "diagflat_method": (lambda L, x: x.diagflat(2), [(3,)]),
    "renorm": (lambda L, x: L.renorm(x, 2, 0, 1.0), [(3, 4)]),
    "renorm_p1_dim1": (lambda L, x: x.renorm(1, 1, 0.5), [(3, 4)]),
    "renorm_inf": (lambda L, x: L.renorm(x, float("inf"), -1, 0.3), [(2, 3, 2)]),
    "trapezoid": (lambda L, y: L.trapezoid(y), [(3, 4)]),
    "trapezoid_dx": (lambda L, y: L.trapezoid(y, dx=0.5, dim=0), [(3, 4)]),
    "trapezoid_x": (lambda L, y, x: L.trapezoid(y, x), [(3, 4), (4,)]),
    "trapezoid_x2d": (lambda L, y, x: L.trapezoid(y, x, dim=0), [(3, 4), (3, 4)]),
    "trapz": (lambda L, y, x: L.trapz(y, x), [(2, 5), (5,)]),
    "cumulative_trapezoid": (lambda L, y: L.cumulative_trapezoid(y, dx=2.0), [(3, 4)]),
    "cumulative_trapezoid_x": (lambda L, y, x: L.cumulative_trapezoid(y, x, dim=0),
                               [(4, 3), (4,)]),
}


@pytest.mark.parametrize("name", sorted(DIFF))
def test_matches_torch_with_double_backward(name, rng):
    fn, shapes = DIFF[name]
    arrays = [_n(rng, *s) for s in shapes]
    t_fn = (lambda *xs: fn(_TorchVander, *xs)) if name.startswith("vander") else \
        (lambda *xs: fn(torch, *xs))
    check_op(lambda *xs: fn(mg, *xs), t_fn, arrays, double=True)
    strided = [_strided(a) for a in arrays]         # non-contiguous inputs
    check_op(lambda *xs: fn(mg, *xs), t_fn, strided, double=True)


class _TorchVander:
    """torch.vander's own backward raises in torch 2.13 (its cumprod runs in place on a view
    autograd saved: "modified by an inplace operation"), so gradients are compared with
    torch's formula written out (cumprod of [1, x, x, ...], flipped); the values are checked
    against torch.vander itself below."""

    @staticmethod
    def vander(x, N=None, increasing=False):
        n = x.shape[0]
        N = n if N is None else N
        cols = torch.cat([torch.ones_like(x)[:, None], x[:, None].expand(n, max(N - 1, 0))],
                         1)[:, :N].cumprod(1)
        out = cols if increasing else cols.flip(1)
        with torch.no_grad():
            torch.testing.assert_close(out, torch.vander(x.detach(), N, increasing))
        return out


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0), (1,)])
def test_differentiable_on_empty_and_single(shape, rng):
    a = _n(rng, *shape)
    for fn in [lambda L, x: L.diff(x), lambda L, x: L.trapezoid(x),
               lambda L, x: L.cumulative_trapezoid(x), lambda L, x: L.diagflat(x),
               lambda L, x: L.diff(x, dim=0), lambda L, x: L.trapezoid(x, dim=0)]:
        check_op(lambda x: fn(mg, x), lambda x: fn(torch, x), [a], double=True)
    if len(shape) == 1:
        for fn in [lambda L, x: L.vander(x), lambda L, x: L.combinations(x),
                   lambda L, x: L.vander(x, N=0), lambda L, x: L.combinations(x, 0)]:
            check_op(lambda x: fn(mg, x), lambda x: fn(
                _TorchVander if "vander" in fn.__code__.co_names else torch, x), [a])


def test_renorm_gradient_at_and_below_the_threshold(rng):
    a = np.array([[3.0, 4.0], [0.3, 0.4], [0.6, 0.8]])      # norms 5, 0.5, 1
    check_op(lambda x: mg.renorm(x, 2, 0, 1.0), lambda x: torch.renorm(x, 2, 0, 1.0), [a],
             double=True)
    x, t = mg.tensor(a.copy()), torch.tensor(a.copy())
    assert x.renorm_(2, 0, 1.0) is x
    t.renorm_(2, 0, 1.0)
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12)


# ---- dtypes and special values ------------------------------------------------------------------
@pytest.mark.parametrize("dt", DTYPES)
def test_dtypes(dt, defaults):
    a = _as(INTS, dt)
    v = a[0]
    calls = {
        "diff": lambda L, x: L.diff(x), "diff_dim0": lambda L, x: L.diff(x, n=2, dim=0),
        "argwhere": lambda L, x: L.argwhere(x), "argwhere_m": lambda L, x: x.argwhere(),
        "isin": lambda L, x: L.isin(x, x[1]), "isin_scalar": lambda L, x: L.isin(x, 2),
        "isin_scalar_elem": lambda L, x: L.isin(3, x), "isin_inv": lambda L, x: L.isin(
            x, x[0], invert=True, assume_unique=False),
        "histc": lambda L, x: L.histc(x, 5), "histc_range": lambda L, x: x.histc(4, 0.5, 2.5),
        "unique_consecutive": lambda L, x: L.unique_consecutive(x, True, True),
        "unique_consecutive_dim": lambda L, x: x.unique_consecutive(True, True, dim=1),
        "unravel_index": lambda L, x: L.unravel_index(x, (2, 3)),
        "vander": lambda L, x: L.vander(x[0]), "diagflat": lambda L, x: L.diagflat(x),
        "combinations": lambda L, x: L.combinations(x[0], 2),
        "renorm": lambda L, x: L.renorm(x, 2, 0, 2.0),
        "trapezoid": lambda L, x: L.trapezoid(x), "trapezoid_x": lambda L, x: L.trapezoid(
            x, x[0]), "cumulative_trapezoid": lambda L, x: L.cumulative_trapezoid(x),
        "is_floating_point": lambda L, x: L.is_floating_point(x),
        "is_signed": lambda L, x: x.is_signed(), "is_complex": lambda L, x: L.is_complex(x),
        "is_nonzero": lambda L, x: L.is_nonzero(x[1:2, 1]),
        "is_same_size": lambda L, x: x.is_same_size(x[0]),
    }
    for name, fn in calls.items():
        _both(fn, a, what=f"{name}({dt})")
    for w in [None, "float32", "float64", "float16", "int64", "bool"]:
        _both(lambda L, x: L.bincount(x[0], None if w is None else x[1].to(
            getattr(L, w)), minlength=6), a, what=f"bincount({dt}, {w})")
    _both(lambda L, x: x.bincount(), v, what=f"bincount 1-D {dt}")


def test_special_values():
    nan, inf = float("nan"), float("inf")
    a = np.array([1.0, nan, nan, 2.0, 2.0, -0.0, 0.0, inf])
    _both(lambda L, x: L.unique_consecutive(x, return_counts=True), a, what="uniq nan")
    _both(lambda L, x: L.isin(x, L.tensor([nan, 2.0, 0.0])), a, what="isin nan")
    _both(lambda L, x: L.histc(x, 3), a, what="histc nan")            # range not finite
    _both(lambda L, x: L.histc(x[3:7], 3), a, what="histc")
    _both(lambda L, x: L.histc(x[3:7], 4, 0.0, 0.0), a, what="histc min=max")
    _both(lambda L, x: L.histc(x[:0], 4), a, what="histc empty")
    _both(lambda L, x: L.histc(x[4:5], 4), a, what="histc one value")
    _both(lambda L, x: L.is_nonzero(x[1]), a, what="is_nonzero nan")
    _both(lambda L, x: L.diff(x[:4] > 1), a, what="diff bool")
    _both(lambda L, x: L.diff(x[:4] > 1, prepend=x[:1]), a, what="diff bool + float")


def test_histc_matches_torch_on_random_data(rng):
    for dt in ["float32", "float64"]:
        for _ in range(20):
            a = rng.standard_normal(200).astype(dt)
            bins = int(rng.integers(1, 50))
            lo, hi = sorted(rng.uniform(-2, 2, 2))
            _both(lambda L, x: L.histc(x, bins, lo, hi), a, what=f"histc {dt}")
            _both(lambda L, x: L.histc(x, bins), a, what=f"histc {dt}")


@pytest.mark.parametrize("shape", [(), (0,), (3, 0), (0, 3), (2, 3)])
def test_zero_d_and_empty(shape, rng):
    a = rng.integers(0, 3, shape)
    f = rng.standard_normal(shape)
    for name, fn in [("argwhere", lambda L, x: L.argwhere(x)),
                     ("isin", lambda L, x: L.isin(x, L.tensor([1, 2]))),
                     ("uniq", lambda L, x: L.unique_consecutive(x, True, True)),
                     ("uniq0", lambda L, x: L.unique_consecutive(x, True, True, dim=0)),
                     ("uniq-1", lambda L, x: L.unique_consecutive(x, True, True, dim=-1)),
                     ("unravel", lambda L, x: L.unravel_index(x, (3, 4))),
                     ("unravel_empty_shape", lambda L, x: L.unravel_index(x, ())),
                     ("diagflat", lambda L, x: L.diagflat(x, 1)),
                     ("diff", lambda L, x: L.diff(x)),
                     ("bincount", lambda L, x: L.bincount(x)),
                     ("renorm", lambda L, x: L.renorm(x.double(), 2, 0, 1.0))]:
        _both(fn, a, what=f"{name}{shape}")
    for name, fn in [("trapezoid", lambda L, y: L.trapezoid(y)),
                     ("cumtrapz", lambda L, y: L.cumulative_trapezoid(y)),
                     ("histc", lambda L, y: L.histc(y, 3)),
                     ("combinations", lambda L, y: L.combinations(y)),
                     ("vander", lambda L, y: L.vander(y))]:
        _both(fn, f, what=f"{name}{shape}")


# ---- creation: indices, scalar_tensor, range, broadcast_shapes ----------------------------------
def test_tril_triu_indices():
    for r, c, k in [(3, 4, 0), (3, 4, 1), (4, 3, -2), (0, 3, 0), (3, 0, 0), (3, 3, -5),
                    (3, 3, 7), (1, 1, 0)]:
        for name in ["tril_indices", "triu_indices"]:
            for dt in [None, "int32", "int64", "float32", "int16"]:
                kw = {} if dt is None else {"dtype": dt}
                _same_outcome(
                    lambda: getattr(mg, name)(r, c, k, **{a: getattr(mg, b) if hasattr(
                        mg, b) else b for a, b in kw.items()}),
                    lambda: getattr(torch, name)(r, c, k, **{a: getattr(torch, b)
                                                            for a, b in kw.items()}),
                    f"{name}({r}, {c}, {k}, {dt})")
    for bad in [(-1, 3), (3, -1), (3.0, 3), (3, None)]:
        _same_outcome(lambda: mg.tril_indices(*bad), lambda: torch.tril_indices(*bad),
                      f"tril_indices{bad}")


def test_scalar_tensor_and_range(defaults):
    for s in [1, 2.5, True, -3]:
        _same_outcome(lambda: mg.scalar_tensor(s), lambda: torch.scalar_tensor(s), repr(s))
        for dt in ["int32", "float64", "bool", "float16"]:
            _same_outcome(lambda: mg.scalar_tensor(s, dtype=getattr(mg, dt)),
                          lambda: torch.scalar_tensor(s, dtype=getattr(torch, dt)), dt)
    t = mg.scalar_tensor(1.5, requires_grad=True)
    assert t.requires_grad and t.ndim == 0
    for bad in [None, "a", [1]]:
        _same_outcome(lambda: mg.scalar_tensor(bad), lambda: torch.scalar_tensor(bad), "bad")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for args, kw in [((0, 3), {}), ((0, 3, 0.5), {}), ((1, 4), {"dtype": "int64"}),
                         ((3, 0, -1), {}), ((0, 3, -1), {}), ((0, 3, 0), {}),
                         ((0.5, 3), {}), ((0, 1, 0.3), {}), ((0, float("inf")), {}),
                         ((-2, 2, 0.7), {"dtype": "float32"}), ((2, 2), {})]:
            _same_outcome(lambda: mg.range(*args, **{k: getattr(mg, v) for k, v in kw.items()}),
                          lambda: torch.range(*args, **{k: getattr(torch, v)
                                                        for k, v in kw.items()}),
                          f"range{args}")
    with pytest.warns(UserWarning, match="deprecated"):
        mg.range(0, 1)


def test_broadcast_shapes():
    for shapes in [((2, 1), (3,)), (), ((2,),), (2, (1,)), ([2, 1], [0]), ((1, 3), (4, 1, 1)),
                   ((2,), (3,)), ((-1,), (3,)), ((2.0,),), (None,), ((5, 1, 4), 4)]:
        try:
            want = torch.broadcast_shapes(*shapes)
        except Exception as e:  # noqa: BLE001
            kind = next(k for k in type(e).__mro__ if k.__module__ == "builtins")
            with pytest.raises(kind):
                mg.broadcast_shapes(*shapes)
            continue
        assert mg.broadcast_shapes(*shapes) == tuple(want)


# ---- errors ------------------------------------------------------------------------------------
BAD = [
    lambda L, x, i: L.diff(x[0, 0]), lambda L, x, i: L.diff(x, n=-1),
    lambda L, x, i: L.diff(x, prepend=x[0]), lambda L, x, i: L.diff(x, dim=3),
    lambda L, x, i: L.diff(x, prepend=1.0), lambda L, x, i: L.isin(2, 3),
    lambda L, x, i: L.isin(x > 0, x), lambda L, x, i: L.isin(x, None),
    lambda L, x, i: L.bincount(x[0]), lambda L, x, i: L.bincount(i),
    lambda L, x, i: L.bincount(i[0] - 5), lambda L, x, i: L.bincount(i[0], minlength=-1),
    lambda L, x, i: L.bincount(i[0], x[0, :2]), lambda L, x, i: L.bincount(i[0] > 0),
    lambda L, x, i: L.histc(i), lambda L, x, i: L.histc(x, 0),
    lambda L, x, i: L.histc(x, 3, 2, 1), lambda L, x, i: L.histc(x, 2.5),
    lambda L, x, i: L.unique_consecutive(x[0, 0], dim=0),
    lambda L, x, i: L.unique_consecutive(x, dim=2),
    lambda L, x, i: L.unravel_index(x, (2, 3)), lambda L, x, i: L.unravel_index(i, (-1, 3)),
    lambda L, x, i: L.unravel_index(i > 0, (4,)),
    lambda L, x, i: L.combinations(x), lambda L, x, i: L.combinations(x[0], -1),
    lambda L, x, i: L.vander(x), lambda L, x, i: L.vander(x[0], N=-1),
    lambda L, x, i: L.vander(x[0], N=2.0), lambda L, x, i: L.diagflat(x, 1.5),
    lambda L, x, i: L.renorm(x[0], 2, 0, 1.0), lambda L, x, i: L.renorm(x, -1, 0, 1.0),
    lambda L, x, i: L.renorm(x, 0, 0, 1.0), lambda L, x, i: L.renorm(x, 2, 0, -1.0),
    lambda L, x, i: L.renorm(x, 2, 2, 1.0), lambda L, x, i: L.renorm(x, 2, 0.5, 1.0),
    lambda L, x, i: L.trapezoid(x[0, 0]), lambda L, x, i: L.trapezoid(x > 0),
    lambda L, x, i: L.trapezoid(x, x[0, :2]), lambda L, x, i: L.trapezoid(x, dx=x),
    lambda L, x, i: L.trapezoid(x, dx=True), lambda L, x, i: L.trapezoid(x, 1.0),
    lambda L, x, i: L.cumulative_trapezoid(x[0, 0]),
    lambda L, x, i: L.cumulative_trapezoid(x > 0),
    lambda L, x, i: L.is_nonzero(x), lambda L, x, i: L.is_nonzero(x[:0]),
    lambda L, x, i: L.is_floating_point(1.0), lambda L, x, i: L.is_same_size(x, 1),
    lambda L, x, i: L.is_signed(None),
]


@pytest.mark.parametrize("k", range(len(BAD)))
def test_errors_match_torch(k, rng):
    x, i = rng.standard_normal((3, 4)), rng.integers(0, 5, (3, 4))
    _same_outcome(lambda: BAD[k](mg, mg.tensor(x), mg.tensor(i)),
                  lambda: BAD[k](torch, torch.tensor(x), torch.tensor(i)), f"case {k}")
