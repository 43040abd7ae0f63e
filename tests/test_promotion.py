"""torch's type promotion, construction dtypes and dtype info, checked against torch 2.13.

Every expected value comes from torch on the same inputs: the sweep runs each binary op on
bool/uint8/int32/int64/float32/float64 tensors of shape (3,), () and (0,), Python and NumPy
scalars, in both orders, and asserts the same dtype and values, or that both raise.
"""
import operator

import numpy as np
import pytest
import torch

import minigrad as mg

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]
SHAPES = [(3,), (), (0,)]
SCALARS = [2, 2.5, True, np.float64(1.5), np.int32(3), np.float32(0.5)]


@pytest.fixture(autouse=True)
def _default_dtypes():
    """Both libraries at torch's own default (conftest sets torch's to float64), restored."""
    mg_prev, t_prev = mg.get_default_dtype(), torch.get_default_dtype()
    mg.set_default_dtype(mg.float32)
    torch.set_default_dtype(torch.float32)
    yield
    mg.set_default_dtype(mg_prev)
    torch.set_default_dtype(t_prev)


def _array(rng, dtype, shape):
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("float"):
        return rng.uniform(0.5, 3.0, shape).astype(dtype)
    return rng.integers(1, 5, shape).astype(dtype)


def _operands(rng):
    """(minigrad operand, torch operand, label) for every tensor kind and scalar."""
    out = []
    for dt in DTYPES:
        for shape in SHAPES:
            a = _array(rng, dt, shape)
            out.append((mg.tensor(a), torch.tensor(a), f"{dt}{shape}"))
    out += [(s, s, f"{type(s).__name__}({s})") for s in SCALARS]
    return out


def _run(fn, *args):
    try:
        return fn(*args), None
    except Exception as e:  # noqa: BLE001  (any failure is compared with torch's)
        return None, e


def _same(mg_fn, t_fn, margs, targs):
    """None when minigrad agrees with torch, else a description of the difference."""
    r, e = _run(mg_fn, *margs)
    tr, te = _run(t_fn, *targs)
    if te is not None or e is not None:
        if te is None or e is None:
            return f"torch {'raised ' + repr(te) if te else 'gave ' + str(tr.dtype)}; " \
                   f"minigrad {'raised ' + repr(e) if e else 'gave ' + str(r.dtype)}"
        if isinstance(e, TypeError) != isinstance(te, TypeError):
            return f"torch raised {te!r}, minigrad raised {e!r}"
        return None
    if not isinstance(tr, torch.Tensor):
        return None if r is tr or r == tr else f"torch gave {tr!r}, minigrad {r!r}"
    if str(r.dtype) != str(tr.dtype).replace("torch.", ""):
        return f"dtype: torch {tr.dtype}, minigrad {r.dtype}"
    if tuple(r.shape) != tuple(tr.shape):
        return f"shape: torch {tuple(tr.shape)}, minigrad {r.shape}"
    # atol: torch fuses a + alpha * b (one rounding), NumPy rounds twice
    if not np.allclose(r.numpy().astype(np.float64), tr.numpy().astype(np.float64),
                       rtol=2e-6, atol=1e-6 if r.dtype == mg.float32 else 0, equal_nan=True):
        return f"values: torch {tr.numpy()}, minigrad {r.numpy()}"
    return None


OPS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow,
    "eq": operator.eq, "lt": operator.lt, "ge": operator.ge, "and": operator.and_,
    "or": operator.or_, "xor": operator.xor, "lshift": operator.lshift,
    "rshift": operator.rshift,
}
FUNCS = ["maximum", "minimum", "fmod", "remainder", "floor_divide", "true_divide", "add", "mul",
         "bitwise_and"]


def _sweep(mg_fn, t_fn, rng):
    ops = _operands(rng)
    bad = []
    for ma, ta, la in ops:
        for mb, tb, lb in ops:
            if not isinstance(ma, mg.Tensor) and not isinstance(mb, mg.Tensor):
                continue
            diff = _same(mg_fn, t_fn, (ma, mb), (ta, tb))
            if diff:
                bad.append(f"{la} , {lb}: {diff}")
    return bad


@pytest.mark.parametrize("name", list(OPS))
def test_operator_sweep_matches_torch(name, rng):
    bad = _sweep(OPS[name], OPS[name], rng)
    assert not bad, f"{len(bad)} mismatches, e.g.\n" + "\n".join(bad[:15])


@pytest.mark.parametrize("name", FUNCS)
def test_function_sweep_matches_torch(name, rng):
    bad = _sweep(getattr(mg, name), getattr(torch, name), rng)
    assert not bad, f"{len(bad)} mismatches, e.g.\n" + "\n".join(bad[:15])


def test_where_sweep_matches_torch(rng):
    cond = rng.random(3) < 0.5
    mc, tc = mg.tensor(cond), torch.tensor(cond)
    bad = _sweep(lambda a, b: mg.where(mc, a, b), lambda a, b: torch.where(tc, a, b), rng)
    assert not bad, f"{len(bad)} mismatches, e.g.\n" + "\n".join(bad[:15])


@pytest.mark.parametrize("name", ["neg", "invert", "exp", "sqrt", "abs"])
def test_unary_dtypes_match_torch(name, rng):
    fns = {"neg": operator.neg, "invert": operator.invert}
    bad = []
    for ma, ta, label in _operands(rng):
        if isinstance(ma, mg.Tensor):
            fn = fns.get(name, lambda x: getattr(x, name)())
            diff = _same(fn, fn, (ma,), (ta,))
            if diff:
                bad.append(f"{label}: {diff}")
    assert not bad, "\n".join(bad[:15])


@pytest.mark.parametrize("alpha", [1, 2, 2.5, True])
def test_add_sub_alpha(alpha, rng):
    bad = []
    for fn in ("add", "sub"):
        bad += _sweep(lambda a, b, fn=fn: getattr(mg, fn)(a, b, alpha=alpha),
                      lambda a, b, fn=fn: getattr(torch, fn)(a, b, alpha=alpha), rng)
    assert not bad, f"{len(bad)} mismatches, e.g.\n" + "\n".join(bad[:15])


@pytest.mark.parametrize("mode", ["trunc", "floor", None])
def test_div_rounding_modes(mode):
    a = np.array([-7, -6, 5, 7, 0], dtype=np.int64)
    for x in (a, a.astype(np.float32), a.astype(np.float64) + 0.5):
        for y in (2, -2, 2.5, np.array([2, -3, 4, -2, 3], dtype=np.int32)):
            yt = torch.tensor(y) if isinstance(y, np.ndarray) else y
            ym = mg.tensor(y) if isinstance(y, np.ndarray) else y
            diff = _same(lambda p, q: mg.div(p, q, rounding_mode=mode),
                         lambda p, q: torch.div(p, q, rounding_mode=mode),
                         (mg.tensor(x), ym), (torch.tensor(x), yt))
            assert diff is None, (x.dtype, y, diff)
    with pytest.raises(RuntimeError, match="rounding_mode"):
        mg.div(mg.tensor([1]), 2, rounding_mode="round")


def test_integer_division_by_zero_raises_like_torch():
    for fn in ("floor_divide", "remainder", "fmod"):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            getattr(torch, fn)(torch.tensor([1, 2]), 0)
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            getattr(mg, fn)(mg.tensor([1, 2]), 0)
    assert (mg.tensor([1, 2]) / 0).numpy().tolist() == (torch.tensor([1, 2]) / 0).tolist()


def test_promotion_examples_from_the_issue():
    x = mg.tensor([1, 2])
    assert (x * 0.5).dtype == mg.float32 == mg.result_type(x, 0.5)
    assert (mg.ones(3) + mg.tensor(1.0, dtype=mg.float64)).dtype == mg.float32
    assert (mg.ones(3) + np.float64(1.0)).dtype == mg.float32
    assert (x * mg.tensor(0.5, dtype=mg.float64)).dtype == mg.float64     # torch: 0-d wins
    assert (mg.tensor([1], dtype=mg.int32) + 5).dtype == mg.int32
    lin = mg.nn.Linear(2, 1)
    assert lin(mg.tensor([[1, 2]]) * 0.5).dtype == mg.float32


def _torch_dtype(d):
    return getattr(torch, str(d))


def test_promote_types_result_type_can_cast_match_torch():
    dts = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
    for a in dts:
        for b in dts:
            want = torch.promote_types(getattr(torch, a), getattr(torch, b))
            assert str(mg.promote_types(getattr(mg, a if a != "bool" else "bool"),
                                        np.dtype(b))) == str(want).replace("torch.", ""), (a, b)
            assert mg.can_cast(np.dtype(a), np.dtype(b)) == torch.can_cast(
                getattr(torch, a), getattr(torch, b)), (a, b)
    t32, t64 = torch.ones(2, dtype=torch.int32), torch.tensor(1.0, dtype=torch.float64)
    m32, m64 = mg.ones(2, dtype=mg.int32), mg.tensor(1.0, dtype=mg.float64)
    for margs, targs in [((m32, m64), (t32, t64)), ((m32, 2.5), (t32, 2.5)), ((1, 2.0), (1, 2.0)),
                         ((True, 2), (True, 2)), ((m64, m32), (t64, t32))]:
        assert str(mg.result_type(*margs)) == str(torch.result_type(*targs))[6:]


def test_default_dtype_round_trip():
    assert mg.get_default_dtype() == mg.float32
    for d in ("float64", "float16"):
        mg.set_default_dtype(getattr(mg, d))
        torch.set_default_dtype(getattr(torch, d))
        assert mg.get_default_dtype() == getattr(mg, d)
        for mk, tk in [(lambda m: m.zeros(2), None), (lambda m: m.tensor([1.0]), None),
                       (lambda m: m.tensor([1, 2]) / 2, None),
                       (lambda m: m.arange(0, 1, 0.5), None),
                       (lambda m: m.full((2,), 1.5), None), (lambda m: m.linspace(0, 1, 3), None),
                       (lambda m: m.tensor([1, 2]) * 0.5, None), (lambda m: m.Tensor([1]), None),
                       (lambda m: m.eye(2), None), (lambda m: m.ones(2) + 1, None),
                       (lambda m: m.tensor(3) * np.float32(0.5), None)]:
            assert str(mk(mg).dtype) == str(mk(torch).dtype)[6:]
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError):
        mg.set_default_dtype(mg.int64)
    mg.set_default_dtype(mg.float32)
    assert mg.zeros(1).dtype == mg.float32


def test_finfo_iinfo_match_torch():
    for d in ("float16", "float32", "float64"):
        a, b = mg.finfo(getattr(mg, d)), torch.finfo(getattr(torch, d))
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                     "dtype"):
            assert getattr(a, attr) == getattr(b, attr), (d, attr)
    assert mg.finfo().dtype == torch.finfo().dtype
    for d in ("uint8", "int8", "int16", "int32", "int64"):
        a, b = mg.iinfo(getattr(mg, d)), torch.iinfo(getattr(torch, d))
        assert (a.bits, a.max, a.min, a.dtype) == (b.bits, b.max, b.min, b.dtype)
    for bad_m, bad_t in [(lambda: mg.finfo(mg.int32), lambda: torch.finfo(torch.int32)),
                         (lambda: mg.iinfo(mg.float32), lambda: torch.iinfo(torch.float32)),
                         (lambda: mg.iinfo(mg.bool), lambda: torch.iinfo(torch.bool))]:
        pytest.raises(TypeError, bad_t)
        pytest.raises(TypeError, bad_m)
