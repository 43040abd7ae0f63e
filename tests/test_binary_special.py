"""Elementwise binary special math and aliases against torch (ops/binary_special.py,
ops/elementwise_aliases.py): values, dtypes, gradients and second derivatives in float64,
forward mode, type promotion over dtype pairs and Python scalars, 0-d/empty/non-contiguous
inputs, in-place and top-level in-place forms, and torch's errors."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from conftest import check_op
from test_binary_math import DTYPES, VALUES, _same_outcome, _strided

torch = pytest.importorskip("torch")
import jvp_check  # noqa: E402  (needs torch)


def _pos(rng, *s): return rng.uniform(0.2, 2.0, s)
def _nrm(rng, *s): return rng.standard_normal(s)
def _small(rng, *s): return rng.uniform(-3.0, 3.0, s).round()


# name -> (mg fn, torch fn, input makers)
DIFF = {
    "copysign": (mg.copysign, torch.copysign, [_nrm, _nrm]),
    "copysign_scalar": (lambda a: mg.copysign(a, -1.5), lambda a: torch.copysign(a, -1.5),
                        [_nrm]),
    "copysign_method": (lambda a, b: a.copysign(b), lambda a, b: a.copysign(b), [_nrm, _nrm]),
    "fmax": (mg.fmax, torch.fmax, [_nrm, _nrm]),
    "fmin": (lambda a, b: a.fmin(b), lambda a, b: a.fmin(b), [_nrm, _nrm]),
    "fmax_ties": (lambda a, b: mg.fmax(a.round(), b.round()),
                  lambda a, b: torch.fmax(a.round(), b.round()), [_small, _small]),
    "nextafter": (mg.nextafter, torch.nextafter, [_nrm, _nrm]),
    "float_power": (mg.float_power, torch.float_power, [_pos, _nrm]),
    "float_power_scalar": (lambda a: a.float_power(2.5), lambda a: a.float_power(2.5), [_pos]),
    "float_power_int": (lambda a: mg.float_power(a, 3), lambda a: torch.float_power(a, 3),
                        [_nrm]),
    "float_power_base": (lambda b: mg.float_power(1.7, b), lambda b: torch.float_power(1.7, b),
                         [_nrm]),
    "ldexp": (mg.ldexp, torch.ldexp, [_nrm, _nrm]),
    "frexp": (lambda a: mg.frexp(a).mantissa, lambda a: torch.frexp(a).mantissa, [_nrm]),
    "deg2rad": (mg.deg2rad, torch.deg2rad, [_nrm]),
    "rad2deg": (lambda a: a.rad2deg(), lambda a: a.rad2deg(), [_nrm]),
    "positive": (lambda a: mg.positive(a) * 2, lambda a: torch.positive(a) * 2, [_nrm]),
    "fix": (mg.fix, torch.fix, [_nrm]),
    "arccos": (mg.arccos, torch.arccos, [lambda r, *s: r.uniform(-0.9, 0.9, s)]),
    "arcsinh": (lambda a: a.arcsinh(), lambda a: a.arcsinh(), [_nrm]),
    "arctanh": (mg.arctanh, torch.arctanh, [lambda r, *s: r.uniform(-0.9, 0.9, s)]),
    "arccosh": (mg.arccosh, torch.arccosh, [lambda r, *s: r.uniform(1.1, 3, s)]),
}
LAYOUTS = [[(3, 4), (4,)], [(), ()], [(0, 3), (3,)], [(2, 3), ()]]


@pytest.mark.parametrize("layout", range(len(LAYOUTS)))
@pytest.mark.parametrize("name", sorted(DIFF))
def test_matches_torch_with_double_backward(name, layout, rng):
    mg_fn, t_fn, makers = DIFF[name]
    arrays = [m(rng, *s) for m, s in zip(makers, LAYOUTS[layout])]
    check_op(mg_fn, t_fn, arrays, double=True)


@pytest.mark.parametrize("name", ["copysign", "fmax", "fmin", "nextafter", "float_power",
                                  "ldexp", "frexp", "deg2rad"])
def test_non_contiguous_inputs(name, rng):
    mg_fn, t_fn, makers = DIFF[name]
    arrays = [_strided(m(rng, 3, 4)) for m in makers]
    arrays[0] = np.ascontiguousarray(arrays[0].T).T
    check_op(mg_fn, t_fn, arrays, double=True)


@pytest.mark.parametrize("name", ["copysign", "copysign_scalar", "fmax", "fmin", "fmax_ties",
                                  "nextafter", "float_power", "float_power_base", "ldexp",
                                  "frexp", "deg2rad", "rad2deg", "arccos"])
def test_forward_mode(name, rng):
    mg_fn, t_fn, makers = DIFF[name]
    xs = [m(rng, 3, 4) for m in makers]
    jvp_check.check(lambda L, *a: (mg_fn if L is mg else t_fn)(*a), *xs)


def test_special_points_match_torch():
    """Zeros, ties, infinities and NaNs: values and first derivatives."""
    inf, nan = float("inf"), float("nan")
    x = np.array([0.0, -0.0, 0.0, 1.0, -inf, inf, 2.0, nan, nan, 1e300, 1.0])
    y = np.array([0.0, 2.0, nan, 0.0, -inf, inf, -3.0, 1.0, nan, 1e300, 1.0])
    for name in ["copysign", "fmax", "fmin", "nextafter", "float_power", "ldexp"]:
        fm, ft = getattr(mg, name), getattr(torch, name)
        xm, ym = mg.tensor(x, requires_grad=True), mg.tensor(y, requires_grad=True)
        xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
        om, ot = fm(xm, ym), ft(xt, yt)
        np.testing.assert_array_equal(om.detach().numpy(), ot.detach().numpy(), err_msg=name)
        gm = mg.grad(om.sum(), [xm, ym], allow_unused=True)
        gt = torch.autograd.grad(ot.sum(), [xt, yt], allow_unused=True)
        for a, b in zip(gm, gt):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, equal_nan=True,
                                       err_msg=name)
    for name in ["frexp", "signbit", "deg2rad", "fix"]:
        om, ot = getattr(mg, name)(mg.tensor(x)), getattr(torch, name)(torch.tensor(x))
        for a, b in zip(om if name == "frexp" else [om], ot if name == "frexp" else [ot]):
            assert str(a.dtype) == str(b.dtype).replace("torch.", "")
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    h = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    np.testing.assert_array_equal(mg.heaviside(mg.tensor(x), mg.tensor(h)).numpy(),
                                  torch.heaviside(torch.tensor(x), torch.tensor(h)).numpy())


def test_frexp_named_tuple_and_float16():
    for dt in ["float16", "float32", "float64"]:
        a = np.array([6e-8, 1e-5, 3.0, -65504.0, 0.0]).astype(dt)
        m, e = mg.frexp(mg.tensor(a))
        tm, te = torch.frexp(torch.tensor(a))
        assert m.dtype == mg.tensor(a).dtype and str(e.dtype) == "int32"
        np.testing.assert_array_equal(m.numpy(), tm.numpy())
        np.testing.assert_array_equal(e.numpy(), te.numpy())
    for dt in ["int64", "bool", "uint8"]:
        a = VALUES.astype(dt)
        _same_outcome(lambda: mg.frexp(mg.tensor(a)), lambda: torch.frexp(torch.tensor(a)),
                      f"frexp({dt})")
    r = mg.frexp(mg.tensor([8.0]))
    assert r._fields == ("mantissa", "exponent") and r.exponent.item() == 4


# ---- type promotion: dtype pairs, 0-d tensors and Python scalars ----------------------------
BINARY = ["copysign", "fmax", "fmin", "nextafter", "heaviside", "gcd", "lcm", "ldexp",
          "float_power", "greater", "greater_equal", "less", "less_equal", "not_equal"]


@pytest.mark.parametrize("name", BINARY)
def test_dtype_pairs(name, defaults):
    for da in DTYPES + ["int32"]:
        for db in DTYPES + ["int32"]:
            for zero_d in (False, True):
                a, b = VALUES.astype(da), (VALUES[::-1] - 1).astype(db)
                b = b[1] if zero_d else b
                _same_outcome(lambda: getattr(mg, name)(mg.tensor(a), mg.tensor(b)),
                              lambda: getattr(torch, name)(torch.tensor(a), torch.tensor(b)),
                              f"{name}({da}, {db}{' 0-d' if zero_d else ''})")


@pytest.mark.parametrize("name", ["copysign", "float_power", "fmax", "gcd", "ldexp",
                                  "nextafter", "heaviside", "greater", "not_equal"])
def test_python_scalars(name, defaults):
    for da in DTYPES:
        a = (VALUES - 1).astype(da) if da != "uint8" else VALUES.astype(da)
        for s in [2, 2.5, True, -1]:
            _same_outcome(lambda: getattr(mg, name)(mg.tensor(a), s),
                          lambda: getattr(torch, name)(torch.tensor(a), s),
                          f"{name}({da}, {s!r})")
            _same_outcome(lambda: getattr(mg, name)(s, mg.tensor(a)),
                          lambda: getattr(torch, name)(s, torch.tensor(a)),
                          f"{name}({s!r}, {da})")


@pytest.mark.parametrize("name", ["deg2rad", "rad2deg", "signbit", "positive", "fix",
                                  "arccos", "arcsinh", "arctan"])
def test_unary_dtypes(name, defaults):
    for da in DTYPES + ["int32", "int8"]:
        a = (VALUES - 1).astype(da) if da not in ("uint8", "bool") else VALUES.astype(da)
        _same_outcome(lambda: getattr(mg, name)(mg.tensor(a)),
                      lambda: getattr(torch, name)(torch.tensor(a)), f"{name}({da})")
        _same_outcome(lambda: getattr(mg.tensor(a), name)(),
                      lambda: getattr(torch.tensor(a), name)(), f"Tensor.{name}({da})")


def test_gcd_lcm_values():
    a = np.array([-4, 0, 6, 12, 0, 7, -9])
    b = np.array([6, 5, -4, 18, 0, 1, -6])
    for name in ["gcd", "lcm"]:
        for da in ["int64", "int32", "int16", "uint8"]:
            x = np.abs(a).astype(da) if da == "uint8" else a.astype(da)
            _same_outcome(lambda: getattr(mg, name)(mg.tensor(x), mg.tensor(b)),
                          lambda: getattr(torch, name)(torch.tensor(x), torch.tensor(b)),
                          f"{name}({da})")


# ---- gradients: where torch has none -----------------------------------------------------------
def test_heaviside_has_no_derivative():
    x = mg.tensor([1.0, 0.0, -2.0], requires_grad=True)
    out = mg.heaviside(x, mg.tensor([0.5]))
    assert out.requires_grad                # as torch's: the error comes at backward
    with pytest.raises(RuntimeError, match="heaviside is not implemented"):
        out.sum().backward()


def test_positive_is_the_input_and_refuses_bool():
    x = mg.tensor([1.0, 2.0])
    assert mg.positive(x) is x and x.positive() is x
    with pytest.raises(RuntimeError, match="bool tensor is not supported"):
        mg.positive(mg.tensor([True]))


# ---- in-place forms ----------------------------------------------------------------------------
INPLACE = [("copysign_", (-1.5,)), ("copysign_", ("T",)), ("heaviside_", ("T",)),
           ("nextafter_", ("T",)), ("ldexp_", ("T",)), ("float_power_", (2,)),
           ("float_power_", ("T",)), ("deg2rad_", ()), ("rad2deg_", ()), ("fix_", ()),
           ("negative_", ()), ("arccos_", ()), ("arcsin_", ()), ("arctan_", ()),
           ("arcsinh_", ()), ("arctanh_", ()), ("arccosh_", ())]


@pytest.mark.parametrize("name,args", INPLACE)
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_inplace_methods(name, args, dtype, rng):
    a = rng.uniform(-0.9, 0.9, (3, 4))
    if name == "arccosh_":
        a = a + 2
    a = a.astype(dtype) if dtype != "int64" else (a * 5).astype(dtype)
    b = rng.standard_normal((3, 4))

    def call(lib):
        x = lib.tensor(a.copy())
        out = getattr(x, name)(*[lib.tensor(b) if v == "T" else v for v in args])
        assert out is x                     # the tensor itself, written in place
        return out
    _same_outcome(lambda: call(mg), lambda: call(torch), f"{name} on {dtype}")


@pytest.mark.parametrize("name,args", [("gcd_", ("I",)), ("lcm_", ("I",))])
def test_inplace_integer_methods(name, args):
    a, b = np.array([4, 6, -9]), np.array([6, -4, 6])
    _same_outcome(lambda: getattr(mg.tensor(a), name)(mg.tensor(b)),
                  lambda: getattr(torch.tensor(a), name)(torch.tensor(b)), name)
    _same_outcome(lambda: getattr(mg.tensor(a.astype("int32")), name)(mg.tensor(b)),
                  lambda: getattr(torch.tensor(a.astype("int32")), name)(torch.tensor(b)),
                  name)


TOP_INPLACE = ["abs_", "acos_", "acosh_", "asin_", "asinh_", "atan_", "atanh_", "arccos_",
               "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_", "ceil_", "cos_",
               "cosh_", "deg2rad_", "erf_", "erfc_", "exp_", "exp2_", "expm1_", "fix_",
               "floor_", "frac_", "log_", "log10_", "log1p_", "log2_", "neg_", "negative_",
               "reciprocal_", "rsqrt_", "sigmoid_", "sin_", "sinh_", "sqrt_", "square_", "tan_",
               "tanh_", "trunc_", "zero_"]


@pytest.mark.parametrize("name", TOP_INPLACE)
def test_top_level_inplace(name, rng):
    a = rng.uniform(0.1, 0.9, (3, 4)) + (2 if "cosh" in name else 0)
    xm, xt = mg.tensor(a), torch.tensor(a)
    om, ot = getattr(mg, name)(xm), getattr(torch, name)(xt)
    assert om is xm and ot is xt
    np.testing.assert_allclose(xm.numpy(), xt.numpy(), rtol=1e-12)
    for bad in (1.0, None, [1.0]):
        _same_outcome(lambda: getattr(mg, name)(bad), lambda: getattr(torch, name)(bad), name)


def test_top_level_inplace_with_arguments(rng):
    a = rng.standard_normal((3, 4))
    calls = [("fill_", (2.5,), {}), ("xlogy_", (3.0,), {}), ("clamp_", (-0.5, 0.5), {}),
             ("clip_", (), {"min": 0.0}), ("clamp_min_", (0.1,), {}), ("clamp_max_", (0.1,), {}),
             ("round_", (), {"decimals": 1}), ("nan_to_num_", (), {"nan": 1.0}),
             ("ldexp_", ("T",), {}), ("addmv_", ("M", "V"), {"beta": 0.5, "alpha": 2})]
    extra = {"T": rng.standard_normal((3, 4)), "M": rng.standard_normal((3, 2)),
             "V": rng.standard_normal(2)}
    for name, args, kw in calls:
        x0 = a[:, 0].copy() if name == "addmv_" else a.copy()
        xm, xt = mg.tensor(x0), torch.tensor(x0)
        am = [mg.tensor(extra[v]) if isinstance(v, str) else v for v in args]
        at = [torch.tensor(extra[v]) if isinstance(v, str) else v for v in args]
        assert getattr(mg, name)(xm, *am, **kw) is xm
        getattr(torch, name)(xt, *at, **kw)
        np.testing.assert_allclose(xm.numpy(), xt.numpy(), rtol=1e-12, err_msg=name)
    for lib in (mg, torch):                 # gcd_/lcm_ on integer tensors
        x = lib.tensor([4, 6])
        assert lib.gcd_(x, lib.tensor([6, 4])) is x and x.tolist() == [2, 2]


# ---- errors ------------------------------------------------------------------------------------
BAD = [("heaviside", (1.0, "X")), ("heaviside", ("X", 0.5)), ("fmax", ("X", 1.0)),
       ("fmin", (None, "X")), ("gcd", ("I", 2)), ("lcm", ([1], "I")), ("ldexp", ("X", 2)),
       ("nextafter", ("X", 1.0)), ("copysign", (2.0, "X")), ("copysign", ("X", "a")),
       ("float_power", (2, 3)), ("float_power", ("X", None)), ("frexp", ("I",)),
       ("frexp", (1.0,)), ("signbit", (1.0,)), ("deg2rad", (None,)), ("positive", ([1.0],)),
       ("gcd", ("X", "X")), ("heaviside", ("X", "I")), ("nextafter", ("I", "I"))]


@pytest.mark.parametrize("name,args", BAD)
def test_errors_match_torch(name, args):
    def build(lib):
        vals = {"X": np.array([1.5, -2.0]), "I": np.array([3, 4])}
        return [lib.tensor(vals[a]) if isinstance(a, str) and a in vals else a for a in args]
    _same_outcome(lambda: getattr(mg, name)(*build(mg)), lambda: getattr(torch, name)(
        *build(torch)), name)
    with pytest.raises(Exception, match=name.removesuffix("_") + "|Tensor|dtype|implemented"):
        getattr(mg, name)(*build(mg))


# ---- vmap: the elementwise batching rule -------------------------------------------------------
@pytest.mark.parametrize("name", ["copysign", "fmax", "fmin", "nextafter", "float_power",
                                  "ldexp", "frexp", "deg2rad"])
def test_vmap_matches_torch(name, rng):
    from vmap_check import check_vmap
    mg_fn, t_fn, makers = DIFF[name]
    arrays = [m(rng, 3, 4) for m in makers]
    in_dims = (0, None)[:len(arrays)] if len(arrays) > 1 else 0
    check_vmap(lambda L, *a: (mg_fn if L is mg else t_fn)(*a), arrays, in_dims=in_dims)
    arrays = [m(rng, 2, 3) for m in makers]
    check_vmap(lambda L, *a: (mg_fn if L is mg else t_fn)(*a), arrays, in_dims=1)


def test_vmap_integer_ops():
    from vmap_check import check_vmap
    a, b = np.array([[4, 6, 9], [2, 3, 8]]), np.array([6, 4, 6])
    for name in ["gcd", "lcm", "heaviside"]:
        check_vmap(lambda L, x, y, n=name: getattr(L, n)(x, y), [a, b], in_dims=(0, None),
                   grad=False)
    check_vmap(lambda L, x: L.signbit(x), [np.array([[-1.0, 0.0], [-0.0, 2.0]])], grad=False)
