"""Activations of issue 15 vs torch (float64): elu selu celu leaky_relu rrelu relu6 hardtanh
hardswish hardsigmoid mish softsign softmin tanhshrink threshold hardshrink softshrink glu
prelu, and silu/logsigmoid/softplus's options: values, gradients, second derivatives (also at
the kinks), 0-d/empty/non-contiguous inputs, dtypes and torch's errors. Modules, in-place
forms and rrelu's random slopes are in tests/test_act_modules.py."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F

# name, minigrad, torch, kink points (inputs where the derivative jumps), double backward
POINTWISE = [
    ("elu", F.elu, TF.elu, [0.0], True),
    ("elu_alpha", lambda x: F.elu(x, 2.5), lambda x: TF.elu(x, 2.5), [0.0], True),
    ("elu_neg_alpha", lambda x: F.elu(x, alpha=-0.7), lambda x: TF.elu(x, alpha=-0.7), [0.0],
     True),
    ("selu", F.selu, TF.selu, [0.0], True),
    ("celu", F.celu, TF.celu, [0.0], True),
    ("celu_alpha", lambda x: F.celu(x, 0.4), lambda x: TF.celu(x, 0.4), [0.0], True),
    ("celu_neg_alpha", lambda x: F.celu(x, -1.5), lambda x: TF.celu(x, -1.5), [0.0], True),
    ("leaky_relu", F.leaky_relu, TF.leaky_relu, [0.0], True),
    ("leaky_relu_slope", lambda x: F.leaky_relu(x, 0.3), lambda x: TF.leaky_relu(x, 0.3),
     [0.0], True),
    ("leaky_relu_neg", lambda x: F.leaky_relu(x, negative_slope=-2.0),
     lambda x: TF.leaky_relu(x, negative_slope=-2.0), [0.0], True),
    ("rrelu_eval", F.rrelu, TF.rrelu, [0.0], True),
    ("rrelu_eval_bounds", lambda x: F.rrelu(x, 0.2, 0.6, False),
     lambda x: TF.rrelu(x, 0.2, 0.6, False), [0.0], True),
    ("relu6", F.relu6, TF.relu6, [0.0, 6.0], True),
    ("hardtanh", F.hardtanh, TF.hardtanh, [-1.0, 1.0], True),
    ("hardtanh_bounds", lambda x: F.hardtanh(x, -0.5, 2.0),
     lambda x: TF.hardtanh(x, -0.5, 2.0), [-0.5, 2.0], True),
    ("hardtanh_equal", lambda x: F.hardtanh(x, 0.5, 0.5), lambda x: TF.hardtanh(x, 0.5, 0.5),
     [0.5], True),
    ("hardswish", F.hardswish, TF.hardswish, [-3.0, 3.0], True),
    ("hardsigmoid", F.hardsigmoid, TF.hardsigmoid, [-3.0, 3.0], False),
    ("mish", F.mish, TF.mish, [], True),
    ("softsign", F.softsign, TF.softsign, [0.0], True),
    ("tanhshrink", F.tanhshrink, TF.tanhshrink, [], True),
    ("threshold", lambda x: F.threshold(x, 0.5, -3.0), lambda x: TF.threshold(x, 0.5, -3.0),
     [0.5], True),
    ("hardshrink", F.hardshrink, TF.hardshrink, [-0.5, 0.5], True),
    ("hardshrink_lambd", lambda x: F.hardshrink(x, 1.5), lambda x: TF.hardshrink(x, 1.5),
     [-1.5, 1.5], True),
    ("hardshrink_neg_lambd", lambda x: F.hardshrink(x, -0.5),
     lambda x: TF.hardshrink(x, -0.5), [-0.5, 0.5], True),
    ("softshrink", F.softshrink, TF.softshrink, [-0.5, 0.5], True),
    ("softshrink_lambd", lambda x: F.softshrink(x, lambd=1.2),
     lambda x: TF.softshrink(x, lambd=1.2), [-1.2, 1.2], True),
    ("softshrink_zero", lambda x: F.softshrink(x, 0.0), lambda x: TF.softshrink(x, 0.0), [0.0],
     True),
    ("silu", F.silu, TF.silu, [], True),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid, [], True),
    ("softplus", F.softplus, TF.softplus, [], True),
    ("softplus_options", lambda x: F.softplus(x, beta=2.0, threshold=1.0),
     lambda x: TF.softplus(x, beta=2.0, threshold=1.0), [0.5], True),
    ("softplus_neg_beta", lambda x: F.softplus(x, -1.5, 2.0),
     lambda x: TF.softplus(x, -1.5, 2.0), [-4 / 3], True),
    ("mg.selu", mg.selu, torch.selu, [0.0], True),
    ("mg.celu", lambda x: mg.celu(x, 0.8), lambda x: torch.celu(x, 0.8), [0.0], True),
    ("mg.threshold", lambda x: mg.threshold(x, -0.2, 4.0),
     lambda x: torch.threshold(x, -0.2, 4.0), [-0.2], True),
    ("mg.hardshrink", mg.hardshrink, torch.hardshrink, [-0.5, 0.5], True),
    ("Tensor.hardshrink", lambda x: x.hardshrink(0.3), lambda x: x.hardshrink(0.3),
     [-0.3, 0.3], True),
    ("mg.rrelu_eval", mg.rrelu, torch.rrelu, [0.0], True),
]
IDS = [c[0] for c in POINTWISE]


@pytest.mark.parametrize("name,mg_fn,torch_fn,kinks,double", POINTWISE, ids=IDS)
def test_values_and_derivatives(rng, name, mg_fn, torch_fn, kinks, double):
    x = np.concatenate([rng.standard_normal(20) * 3, kinks, [k + 1e-3 for k in kinks],
                        [k - 1e-3 for k in kinks], [-700.0, -100.0, -40.0, -30.0, 30.0, 40.0]])
    check_op(mg_fn, torch_fn, [x], double=double)


@pytest.mark.parametrize("name,mg_fn,torch_fn,kinks,double", POINTWISE, ids=IDS)
def test_zero_d_empty_and_strided(rng, name, mg_fn, torch_fn, kinks, double):
    for x in [np.array(1.3), np.array(-0.7), np.zeros((0, 3)), np.zeros((2, 0, 4))]:
        check_op(mg_fn, torch_fn, [x], double=double)
    a = rng.standard_normal((4, 6))             # views taken inside, on both sides alike
    for view in [lambda t: t.t(), lambda t: t[:, ::2], lambda t: t[1:, 2:5].transpose(0, 1)]:
        check_op(lambda t: mg_fn(view(t)), lambda t: torch_fn(view(t)), [a], double=double)


def test_second_derivative_at_kinks_is_torch_s():
    # elu's second derivative is 0 at 0 (torch's x < 0 test) but not just below it;
    # softplus's is 0 where beta x == threshold (the linear region starts there)
    x = np.array([0.0, -1e-300, -0.5, 1.0, 800.0, -800.0])
    check_op(lambda t: F.elu(t, 2.0), lambda t: TF.elu(t, 2.0), [x], double=True)
    check_op(lambda t: F.softplus(t, 2.0, 1.0), lambda t: TF.softplus(t, 2.0, 1.0),
             [np.array([0.5, 0.4, 0.6])], double=True)


def test_nonfinite_inputs_match_torch():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -3.0, 3.0])
    for name, mg_fn, torch_fn, _, _ in POINTWISE:
        with np.errstate(all="ignore"):
            out = mg_fn(mg.tensor(x)).numpy()
        np.testing.assert_allclose(out, torch_fn(torch.tensor(x)).numpy(), rtol=1e-15,
                                   atol=0, err_msg=name)


@pytest.mark.parametrize("name,mg_fn,torch_fn,kinks,double", POINTWISE, ids=IDS)
def test_float32_and_float16_keep_dtype(rng, name, mg_fn, torch_fn, kinks, double):
    x = (rng.standard_normal((3, 5)) * 3).astype(np.float32)
    out, ref = mg_fn(mg.tensor(x)), torch_fn(torch.tensor(x))
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=2e-6, atol=2e-7)
    h = x.astype(np.float16)
    out, ref = mg_fn(mg.tensor(h)), torch_fn(torch.tensor(h))
    assert out.dtype == mg.float16
    np.testing.assert_allclose(out.numpy().astype(np.float32), ref.float().numpy(), rtol=2e-3,
                               atol=2e-3)


@pytest.mark.parametrize("name,mg_fn,torch_fn,kinks,double", POINTWISE, ids=IDS)
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_integer_and_bool_inputs_as_torch(name, mg_fn, torch_fn, kinks, double, dtype):
    x = np.array([[-3, 0, 1], [2, 7, -1]]).astype(dtype)
    try:
        torch.set_default_dtype(torch.float32)  # minigrad's default: int -> float32
        ref = torch_fn(torch.tensor(x))
    except Exception as e:              # noqa: BLE001 (torch's class is what we compare)
        kind = next(k for k in type(e).__mro__ if k.__module__ == "builtins")
        with pytest.raises(kind):
            mg_fn(mg.tensor(x))
        return
    finally:
        torch.set_default_dtype(torch.float64)
    out = mg_fn(mg.tensor(x))
    assert str(out.dtype) == str(ref.dtype).replace("torch.", "")
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)


def test_integer_bounds_truncate_as_torch():
    xi = np.array([-3, -2, 0, 1, 3, 7])
    for call in [lambda L, t: L.hardtanh(t, -2.5, 0.7), lambda L, t: L.threshold(t, -0.5, 9.9),
                 lambda L, t: L.relu6(t)]:
        out, ref = call(F, mg.tensor(xi)), call(TF, torch.tensor(xi))
        assert out.dtype == mg.int64
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
    for call in [lambda L, t: L.hardtanh(t, -np.inf, 1.0), lambda L, t: L.threshold(t, np.nan, 1),
                 lambda L, t: L.threshold(t, 1, 1e30)]:
        with pytest.raises(RuntimeError):
            call(TF, torch.tensor(xi))
        with pytest.raises(RuntimeError, match="overflow"):
            call(F, mg.tensor(xi))


# ---- softmin, glu, prelu ----------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim", [((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -1), ((), 0),
                                       ((0, 4), 1), ((4, 0), 1)])
def test_softmin(rng, shape, dim):
    check_op(lambda x: F.softmin(x, dim), lambda x: TF.softmin(x, dim),
             [rng.standard_normal(shape)], double=True)


def test_softmin_dtype_and_implicit_dim(rng):
    x = rng.standard_normal((3, 4))
    check_op(lambda t: F.softmin(t, 1, dtype=mg.float32),
             lambda t: TF.softmin(t, 1, dtype=torch.float32), [x], rtol=1e-6, atol=1e-7)
    for shape in [(3, 4), (5,), (2, 3, 4), ()]:
        a = rng.standard_normal(shape)
        with pytest.warns(UserWarning, match="softmin"):
            out = F.softmin(mg.tensor(a))
        with pytest.warns(UserWarning):
            ref = TF.softmin(torch.tensor(a))
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12)
    out = F.softmin(mg.tensor([1, 2, 3]), 0, dtype=mg.float64)
    np.testing.assert_allclose(out.numpy(), TF.softmin(torch.tensor([1, 2, 3]), 0,
                                                       dtype=torch.float64).numpy())
    with pytest.raises(NotImplementedError):
        F.softmin(mg.tensor([1, 2, 3]), 0)
    with pytest.raises(RuntimeError):
        F.softmin(mg.tensor([True, False]), 0)


@pytest.mark.parametrize("shape,dim", [((3, 4), -1), ((4, 3), 0), ((2, 6, 3), 1), ((2,), 0),
                                       ((0, 4), 1), ((0, 4), 0)])
def test_glu(rng, shape, dim):
    check_op(lambda x: F.glu(x, dim), lambda x: TF.glu(x, dim), [rng.standard_normal(shape)],
             double=True)


def test_glu_default_dim_and_strided(rng):
    a = rng.standard_normal((6, 4))
    check_op(F.glu, TF.glu, [a], double=True)
    for view in [lambda t: t.t(), lambda t: t[:, ::2]]:
        check_op(lambda t: F.glu(view(t)), lambda t: TF.glu(view(t)), [a], double=True)


def test_glu_half_is_computed_in_float_as_torch(rng):
    h = (rng.standard_normal((5, 8)) * 3).astype(np.float16)
    out, ref = F.glu(mg.tensor(h)), TF.glu(torch.tensor(h))
    assert out.dtype == mg.float16
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_glu_errors():
    with pytest.raises(RuntimeError, match="even"):
        F.glu(mg.randn(2, 3))
    with pytest.raises(RuntimeError, match="scalars"):
        F.glu(mg.tensor(1.0))
    with pytest.raises(IndexError):
        F.glu(mg.randn(2, 4), 2)
    with pytest.raises(NotImplementedError):
        F.glu(mg.tensor([[1, 2]]))
    with pytest.raises(TypeError, match="dim"):
        F.glu(mg.randn(2, 4), 1.0)


@pytest.mark.parametrize("xs,ws", [((3, 4), (4,)), ((3, 4), (1,)), ((2, 3, 5), (3,)),
                                   ((2, 3, 2, 2), (3,)), ((5,), (1,)), ((), (1,)), ((3, 4), ()),
                                   ((0, 3), (3,)), ((3, 0), (1,))])
def test_prelu(rng, xs, ws):
    x = rng.standard_normal(xs)
    w = rng.uniform(-0.5, 0.5, ws)
    check_op(F.prelu, TF.prelu, [x, w], double=True)
    check_op(mg.prelu, torch.prelu, [x, w])
    check_op(lambda a, b: a.prelu(b), lambda a, b: a.prelu(b), [x, w])


def test_prelu_kink_and_strided(rng):
    x = np.array([[0.0, -1.0, 2.0], [0.0, 3.0, -0.5]])
    check_op(F.prelu, TF.prelu, [x, np.array([0.25, -0.5, 2.0])], double=True)
    a = rng.standard_normal((3, 4))
    check_op(lambda t, w: F.prelu(t.t(), w), lambda t, w: TF.prelu(t.t(), w),
             [a, rng.standard_normal(3)], double=True)


def test_prelu_errors():
    x = mg.randn(2, 3, dtype=mg.float64)
    for w in [mg.ones(2, dtype=mg.float64), mg.ones(0, dtype=mg.float64)]:
        with pytest.raises(RuntimeError, match="channel size = 3"):
            F.prelu(x, w)
    with pytest.raises(RuntimeError, match="scalar or 1D"):
        F.prelu(x, mg.ones(1, 3, dtype=mg.float64))
    with pytest.raises(RuntimeError, match="Type promoting"):
        F.prelu(x, mg.ones(3, dtype=mg.float32))
    with pytest.raises(RuntimeError, match="channel size = 1"):
        F.prelu(mg.randn(3, dtype=mg.float64), mg.ones(3, dtype=mg.float64))
    with pytest.raises(NotImplementedError):
        F.prelu(mg.tensor([1, -2]), mg.tensor([1]))
    with pytest.raises(TypeError, match="weight"):
        F.prelu(x, [0.25])


# ---- argument errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("call,kind", [
    (lambda L, x: L.hardtanh(x, 2.0, 1.0), ValueError),
    (lambda L, x: L.rrelu(x, 0.5, 0.1), RuntimeError),
    (lambda L, x: L.rrelu(x, 0.5, 0.1, True), RuntimeError),
    (lambda L, x: L.celu(x, 0.0), RuntimeError),
    (lambda L, x: L.softshrink(x, -1.0), RuntimeError),
    (lambda L, x: L.elu(x, "a"), TypeError),
    (lambda L, x: L.leaky_relu(x, None), TypeError),
    (lambda L, x: L.threshold(x, None, 1.0), TypeError),
    (lambda L, x: L.hardshrink(x, "0.5"), TypeError),
    (lambda L, x: L.elu([1.0]), TypeError),
    (lambda L, x: L.glu(x, 0), RuntimeError),
    (lambda L, x: L.softmin(x, 1), IndexError),
], ids=["hardtanh_min_max", "rrelu_bounds", "rrelu_bounds_train", "celu_0", "softshrink_neg",
        "elu_str", "leaky_none", "threshold_none", "hardshrink_str", "elu_list", "glu_odd",
        "softmin_dim"])
def test_argument_errors_as_torch(call, kind):
    with pytest.raises(kind):
        call(TF, torch.randn(3, dtype=torch.float64))
    with pytest.raises(kind):
        call(F, mg.randn(3, dtype=mg.float64))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_sigmoid_and_silu_far_below_zero_as_torch(dtype):
    # sigmoid(x) = 1 / (1 + exp(-x)) keeps its relative precision for x << 0 (no 1 + tanh
    # cancellation): torch's sigmoid(-40) is 4.2e-18, not 0
    x = np.array([-745.0, -700.0, -100.0, -40.0, -30.0, -20.0, -11.0, -5.0, 0.0, 5.0, 40.0])
    x = x.astype(dtype)
    for mg_fn, torch_fn in [(lambda t: t.sigmoid(), torch.sigmoid), (F.silu, TF.silu),
                            (F.logsigmoid, TF.logsigmoid)]:
        out = mg_fn(mg.tensor(x)).numpy().astype(np.float64)
        ref = torch_fn(torch.tensor(x)).numpy().astype(np.float64)
        np.testing.assert_allclose(out, ref, rtol={"float64": 1e-14, "float32": 1e-6,
                                                   "float16": 1e-3}[dtype], atol=0)
    check_op(lambda t: t.sigmoid(), torch.sigmoid, [x.astype(np.float64)], double=True)
