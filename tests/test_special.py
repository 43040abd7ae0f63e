"""mg.special and the top-level special functions vs torch 2.x, the unary ones: values on random
inputs over each domain and at edge values, gradients and second derivatives (check_op, in
float64), float32 in float32 out, every input dtype (torch's result dtype or its error),
0-d, empty and non-contiguous inputs, the non-differentiable ones' outputs, and the
functions' aliases (special.gammaln is lgamma, special.erf is mg.erf, ...)."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

S, TS = mg.special, torch.special


def _normal(r, s): return r.standard_normal(s) * 2
def _pos(r, s): return r.uniform(0.1, 5.0, s)
def _unit(r, s): return r.uniform(0.02, 0.98, s)
def _wide(r, s): return r.standard_normal(s) * 6
def _gamma(r, s): return r.uniform(-4.5, 6.0, s)


# name -> (domain, differentiable, has a float16 kernel in torch); all exist as special.<name>
UNARY = {
    "digamma": (_gamma, True, True), "psi": (_gamma, True, True),
    "gammaln": (_gamma, True, True), "entr": (_pos, True, True),
    "erfcx": (_normal, True, False), "i0": (_normal, True, True), "i0e": (_normal, True, True),
    "i1": (_normal, True, True), "i1e": (_normal, True, True), "ndtr": (_normal, True, True),
    "ndtri": (_unit, True, False), "log_ndtr": (_normal, True, False),
    "sinc": (_normal, True, True), "expit": (_normal, True, True),
    "airy_ai": (_wide, False, False), "bessel_j0": (_wide, False, False),
    "bessel_j1": (_wide, False, False), "bessel_y0": (_pos, False, False),
    "bessel_y1": (_pos, False, False), "modified_bessel_i0": (_normal, False, False),
    "modified_bessel_i1": (_normal, False, False), "modified_bessel_k0": (_pos, False, False),
    "modified_bessel_k1": (_pos, False, False),
    "scaled_modified_bessel_k0": (_pos, False, False),
    "scaled_modified_bessel_k1": (_pos, False, False),
    "spherical_bessel_j0": (_wide, False, False),
}
# the top-level names (torch.X and Tensor.X / X_) and their domains
TOP = {"lgamma": _gamma, "digamma": _gamma, "i0": _normal, "sinc": _normal, "logit": _unit}
EDGES = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, -2.5,
                  1e-300, -1e-300, 1e-8, 5.0, 8.5, 30.0, -30.0, 300.0, 0.999999, 1e300])


@pytest.mark.parametrize("name", list(UNARY))
def test_values_grads_and_double_grads(rng, name):
    dom, diff, _ = UNARY[name]
    x = dom(rng, (4, 6))
    if diff:
        check_op(getattr(S, name), getattr(TS, name), [x], double=True)
        # (sinc's gradient cancels, (pi x cos(pi x) - sin(pi x)) / (pi x^2): float32 sin and
        # cos differ by an ulp between NumPy and torch, which it amplifies to ~2e-6 at x ~ 1)
        check_op(getattr(S, name), getattr(TS, name), [x.astype(np.float32)], rtol=2e-6,
                 atol=1e-5 if name == "sinc" else 1e-6)
        return
    out = getattr(S, name)(mg.tensor(x, requires_grad=True))
    ref = getattr(TS, name)(torch.tensor(x, requires_grad=True))
    assert not out.requires_grad and out.grad_fn is None and not ref.requires_grad
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12, atol=1e-14)
    o32 = getattr(S, name)(mg.tensor(x.astype(np.float32))).numpy()
    r32 = getattr(TS, name)(torch.tensor(x.astype(np.float32))).numpy()
    assert o32.dtype == np.float32
    np.testing.assert_allclose(o32, r32, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", list(UNARY))
def test_edge_values_and_their_gradients(name):
    _, diff, _ = UNARY[name]
    mx, tx = mg.tensor(EDGES, requires_grad=True), torch.tensor(EDGES, requires_grad=True)
    out, ref = getattr(S, name)(mx), getattr(TS, name)(tx)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10,
                               atol=1e-15, equal_nan=True)
    if diff:
        w = np.linspace(-1.0, 2.0, EDGES.size)
        gm, = mg.grad(out, [mx], mg.tensor(w))
        gt, = torch.autograd.grad(ref, [tx], torch.tensor(w))
        np.testing.assert_allclose(gm.numpy(), gt.numpy(), rtol=1e-10, atol=0, equal_nan=True)


@pytest.mark.parametrize("shape,layout", [((), "c"), ((0,), "c"), ((2, 0, 3), "c"),
                                          ((3, 4), "t"), ((3, 8), "s")])
@pytest.mark.parametrize("name", list(UNARY))
def test_zero_d_empty_and_non_contiguous(rng, name, shape, layout):
    dom, diff, _ = UNARY[name]
    x = np.asarray(dom(rng, shape))

    def view(t):
        return t.t() if layout == "t" else t[:, ::2] if layout == "s" else t
    check_op(lambda a: getattr(S, name)(view(a)), lambda a: getattr(TS, name)(view(a)), [x],
             requires_grad=[diff])


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def same(mg_fn, torch_fn, a, rtol=None):
    """The same dtype and values as torch (to the dtype's rounding), or the same error kind."""
    try:
        ref = torch_fn(torch.tensor(a))
    except Exception as e:  # noqa: BLE001
        kind = next(k for k in type(e).__mro__ if k.__module__ == "builtins")
        with pytest.raises(kind) as info:
            mg_fn(mg.tensor(a))
        if "not implemented for" in str(e):
            assert str(info.value).split('"')[2] == str(e).split('"')[2]     # 'Half', 'Long'
        return
    out = mg_fn(mg.tensor(a))
    assert str(out.dtype) == str(ref.dtype).replace("torch.", "")
    if rtol is None:
        rtol = {torch.float16: 2e-3, torch.float32: 5e-6}.get(ref.dtype, 1e-10)
    np.testing.assert_allclose(out.numpy().astype(np.float64), ref.numpy().astype(np.float64),
                               rtol=rtol, atol=rtol * 1e-2, equal_nan=True)


@pytest.fixture(params=["float32", "float64"])
def default(request):
    """Both libraries' default float dtype set to the parameter for the test."""
    old_t, old_m = torch.get_default_dtype(), mg.get_default_dtype()
    torch.set_default_dtype(getattr(torch, request.param))
    mg.set_default_dtype(getattr(mg, request.param))
    yield request.param
    torch.set_default_dtype(old_t)
    mg.set_default_dtype(old_m)


@pytest.mark.parametrize("name", list(UNARY) + ["round"])
def test_every_input_dtype(name, default):
    for dt in DTYPES:
        a = np.array([[0, 1, 2], [3, 1, 0]]).astype(dt)
        if dt.startswith("int"):
            a[1] = [-3, 1, 2] if name not in ("ndtri",) else [0, 1, 0]
        if dt.startswith("float"):
            a = (a * 0.3 + 0.05).astype(dt)
        same(getattr(S, name), getattr(TS, name), a)


@pytest.mark.parametrize("name", list(TOP))
def test_top_level_methods_and_in_place(rng, name, default):
    x = TOP[name](rng, (3, 4))
    check_op(getattr(mg, name), getattr(torch, name), [x], double=True)
    check_op(lambda a: getattr(a.t(), name)(), lambda a: getattr(a.t(), name)(), [x],
             double=True)

    def run(t):
        y = t * 1.0
        getattr(y[1:], name + "_")()               # in place through a view
        return y
    check_op(run, run, [x], double=True)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(mg.tensor(x, requires_grad=True), name + "_")()
    for dt in DTYPES:
        a = np.array([[0, 1, 2], [3, 1, 0]]).astype(dt)
        if dt.startswith("float"):
            a = (a * 0.3 + 0.05).astype(dt)
        same(getattr(mg, name), getattr(torch, name), a)
        same(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), a)
        same(lambda t: getattr(t.clone(), name + "_")(),
             lambda t: getattr(t.clone(), name + "_")(), a)     # ints: torch's cast error


def test_aliases_are_the_same_functions():
    # each namespace wraps the one function with its own out= (its errors say special.erf)
    pairs = [(S.erf, mg.erf), (S.erfc, mg.erfc), (S.erfinv, mg.erfinv), (S.expm1, mg.expm1),
             (S.log1p, mg.log1p), (S.exp2, mg.exp2), (S.xlogy, mg.xlogy),
             (S.logsumexp, mg.logsumexp), (S.i0, mg.i0), (S.gammaln, mg.lgamma),
             (S.psi, mg.digamma), (S.digamma, mg.digamma), (S.polygamma, mg.polygamma),
             (S.multigammaln, mg.mvlgamma), (S.gammainc, mg.igamma),
             (S.gammaincc, mg.igammac), (S.logit, mg.logit), (S.sinc, mg.sinc)]
    for s, m in pairs:
        assert s is not m and s.__wrapped__ is m.__wrapped__, (s, m)
    names = {n for n in dir(TS) if not n.startswith("_") and callable(getattr(TS, n))}
    names -= {"Tensor"}
    assert names <= set(dir(S)), sorted(names - set(dir(S)))


def test_softmax_log_softmax_logsumexp_round(rng):
    x = rng.standard_normal((3, 5))
    check_op(lambda a: S.softmax(a, 1), lambda a: TS.softmax(a, 1), [x], double=True)
    check_op(lambda a: S.log_softmax(a, 0), lambda a: TS.log_softmax(a, 0), [x], double=True)
    check_op(lambda a: S.logsumexp(a, 1, keepdim=True),
             lambda a: TS.logsumexp(a, 1, keepdim=True), [x], double=True)
    check_op(lambda a: S.round(a * 3, decimals=1), lambda a: TS.round(a * 3, decimals=1), [x])
    m = mg.tensor(x.astype(np.float32))
    t = torch.tensor(x.astype(np.float32))
    for mo, to in [(S.softmax(m, 1, mg.float64), TS.softmax(t, 1, torch.float64)),
                   (S.log_softmax(m, 1, dtype=mg.float64),
                    TS.log_softmax(t, 1, dtype=torch.float64))]:
        assert str(mo.dtype) == "float64"
        np.testing.assert_allclose(mo.numpy(), to.numpy(), rtol=1e-6)
    with pytest.raises(TypeError):
        S.log_softmax(m, 1, mg.float64)        # dtype keyword-only in torch's log_softmax
    with pytest.raises(TypeError):
        S.round(m, 1)                          # decimals keyword-only
    with pytest.raises(TypeError):
        S.logsumexp(m)                         # dim required
    for fn in (S.softmax, S.log_softmax):
        with pytest.raises(NotImplementedError):
            fn(mg.tensor([1, 2]), 0)           # torch: no integer softmax kernel
    with pytest.raises(NotImplementedError, match="Long"):
        S.round(mg.tensor([1, 2]))
