"""Python and NumPy protocols of Tensor, and masked_fill, against torch 2.13."""
import operator

import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

SHAPES = [(), (1,), (1, 1), (0,), (0, 5), (3, 0, 2), (4, 5)]
DTYPES = ["float64", "float32", "int64", "int32", "bool"]
# torch's own __array__ takes no copy= argument: NumPy warns about it, not about ours
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _both(fn, array):
    """fn on an mg and a torch tensor of the same data: both results or both exception types."""
    out = []
    for make in (mg.tensor, torch.tensor):
        try:
            out.append(("ok", fn(make(array))))
        except Exception as e:  # noqa: BLE001  (the exception type is what we compare)
            out.append(("err", e))
    (k1, a), (k2, b) = out
    assert k1 == k2, (a, b)
    if k1 == "err":
        assert type(a) is type(b), (a, b)
    return a, b


def _data(shape, dtype, rng):
    return (rng.standard_normal(shape) * 3).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("conv", [int, float, bool, complex, operator.index, len])
def test_python_number_conversions(conv, shape, dtype, rng):
    a, b = _both(conv, _data(shape, dtype, rng))
    if not isinstance(a, Exception):
        assert type(a) is type(b) and a == b


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("spec", ["", ".2f", "g", "+.3e", ">10", "d"])
@pytest.mark.parametrize("dtype", ["float64", "int64"])
def test_format(spec, shape, dtype, rng):
    x = _data(shape, dtype, rng)
    a, b = _both(lambda t: format(t, spec), x)
    if not isinstance(a, Exception) and (x.ndim == 0 or spec):
        assert a == b
        assert f"{mg.tensor(x):{spec}}" == f"{torch.tensor(x):{spec}}"


def test_format_of_a_tensor_that_requires_grad():
    loss = mg.tensor(0.123456, requires_grad=True) * 2
    assert f"{loss:.3f}" == f"{torch.tensor(0.123456, requires_grad=True) * 2:.3f}" == "0.247"


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_iteration_len_and_contains(shape, rng):
    x = _data(shape, "float64", rng)
    a, b = _both(lambda t: [tuple(r.shape) for r in t], x)
    assert a == b or isinstance(a, TypeError)
    if x.ndim == 0:
        with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
            iter(mg.tensor(x))
        with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
            len(mg.tensor(x))
    probe = x.reshape(-1)[0] if x.size else 1.5
    for element in (probe, float(probe) + 1, 3, True, "a", None, np.float64(probe)):
        a, b = _both(lambda t, e=element: e in t, x)
        assert a == b or isinstance(a, Exception)
    for element in (mg.tensor(probe), mg.tensor([probe, probe, 7.0], dtype=mg.float64)):
        a, b = _both(lambda t, e=element: (e if isinstance(t, mg.Tensor)
                                           else torch.tensor(e.numpy())) in t, x)
        assert a == b or isinstance(a, Exception)


def test_hash_is_identity():
    t = mg.tensor([1.0, 2.0])
    u = mg.tensor([1.0, 2.0])
    assert hash(t) == id(t) and hash(t) != hash(u) and {t: 1, u: 2}[t] == 1


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_asarray_and_array(shape, dtype, rng):
    x = _data(shape, dtype, rng)
    t, ref = mg.tensor(x), torch.tensor(x)
    a = np.asarray(t)
    assert a.dtype == np.asarray(ref).dtype and a.shape == x.shape
    np.testing.assert_array_equal(a, np.asarray(ref))
    assert np.shares_memory(a, t.data) or a.size == 0       # asarray shares, as torch on CPU
    c = np.array(t)
    np.testing.assert_array_equal(c, np.array(ref))
    assert not np.shares_memory(c, t.data)                   # np.array copies
    d = np.asarray(t, dtype=np.float32)
    assert d.dtype == np.asarray(ref, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(d, np.asarray(ref, dtype=np.float32))
    assert np.array(t, copy=False).dtype == x.dtype          # no copy needed: allowed
    with pytest.raises(ValueError):
        np.array(t, dtype=np.int8 if dtype != "int8" else np.float32, copy=False)


def test_numpy_refuses_tensors_that_require_grad_as_torch():
    x = np.array([1.0, 2.0])
    for make in (mg.tensor, torch.tensor):
        t = make(x, requires_grad=True)
        for fn in (lambda t: t.numpy(), np.asarray, np.array, lambda t: (t * 2).numpy()):
            with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that "
                               "requires grad. Use tensor.detach\\(\\).numpy\\(\\) instead."):
                fn(t)
        np.testing.assert_array_equal(t.numpy(force=True), x)
        np.testing.assert_array_equal(t.detach().numpy(), x)
        assert t.tolist() == [1.0, 2.0] and t[1].item() == 2.0 and type(t[1].item()) is float
    assert repr(mg.tensor(x, requires_grad=True)).endswith("requires_grad=True)")
    assert "grad_fn=" in repr(mg.tensor(x, requires_grad=True) * 2)
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted"):
        mg.tensor(x).item()


def test_cuda_tensor_array_raises_torch_type_error(monkeypatch):
    t = mg.tensor([1.0, 2.0])
    monkeypatch.setattr(mg.Tensor, "is_cuda", property(lambda self: True))
    monkeypatch.setattr(mg.Tensor, "device", property(lambda self: mg.device("cuda", 0)))
    torch_message = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to "
                     "copy the tensor to host memory first.")
    for fn in (np.asarray, np.array, lambda t: t.__array__()):
        with pytest.raises(TypeError) as info:
            fn(t)
        assert str(info.value) == torch_message


@pytest.mark.parametrize("scalar", [np.float64(2.5), np.float32(2.5), np.int64(3), np.bool_(True)])
@pytest.mark.parametrize("op", [operator.mul, operator.add, operator.sub, operator.truediv])
def test_numpy_scalar_on_the_left_defers_to_tensor(scalar, op, rng):
    x = rng.standard_normal((2, 3))
    ours, ref = op(scalar, mg.tensor(x)), op(scalar, torch.tensor(x))
    assert isinstance(ours, mg.Tensor) and isinstance(ref, torch.Tensor)
    assert mg.Tensor.__array_priority__ == torch.Tensor.__array_priority__
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-7)


# ---- masked_fill ------------------------------------------------------------------------
@pytest.mark.parametrize("mask_shape", [(3, 4), (4,), (1, 4), (3, 1), ()])
def test_masked_fill_value_tensor_gets_the_masked_gradient(mask_shape, rng):
    x = rng.standard_normal((3, 4))
    mask = rng.random(mask_shape) < 0.5
    check_op(lambda t, v: t.masked_fill(mg.tensor(mask), v),
             lambda t, v: t.masked_fill(torch.tensor(mask), v), [x, np.array(1.5)], double=True)
    check_op(lambda t, v: mg.masked_fill(t, mg.tensor(mask), v * v),
             lambda t, v: torch.masked_fill(t, torch.tensor(mask), v * v),
             [x, np.array(-0.5)], double=True)
    # only the value requires grad
    check_op(lambda t, v: t.masked_fill(mg.tensor(mask), v),
             lambda t, v: t.masked_fill(torch.tensor(mask), v), [x, np.array(2.0)],
             requires_grad=[False, True])


def test_masked_fill_broadcasts_the_input_and_sums_its_gradient(rng):
    x = rng.standard_normal((4,))
    mask = rng.random((3, 4)) < 0.5
    check_op(lambda t: t.masked_fill(mg.tensor(mask), 0.25),
             lambda t: t.masked_fill(torch.tensor(mask), 0.25), [x], double=True)


def test_masked_fill_float32_input_float64_value_grad_dtype(rng):
    x = rng.standard_normal((2, 3)).astype(np.float32)
    mask = np.array([True, False, True])
    grads = []
    for L in (mg, torch):
        v = L.tensor(1.5, dtype=L.float64, requires_grad=True)
        out = L.tensor(x, requires_grad=True).masked_fill(L.tensor(mask), v)
        assert str(out.dtype).replace("torch.", "") == "float32"
        out.sum().backward()
        grads.append(v.grad)
    assert str(grads[0].dtype) == str(grads[1].dtype).replace("torch.", "") == "float64"
    assert grads[0].item() == grads[1].item() == 4.0


@pytest.mark.parametrize("case", [
    ("float64", (3, 4), (4,), 1.5), ("float64", (), (), 2.0), ("float64", (), (1,), 2.0),
    ("float64", (0, 5), (5,), 2.0), ("float64", (5,), (0, 5), 2.0), ("float64", (2, 3), (4,), 1.0),
    ("float64", (3, 4), (3, 4, 2), 1.0), ("int64", (3,), (3,), 2.7), ("int64", (3,), (3,), "t2.7"),
    ("int64", (3,), (3,), float("nan")), ("int64", (3,), (3,), float("inf")),
    ("uint8", (3,), (3,), -1), ("int8", (3,), (3,), 300), ("int8", (3,), (3,), "t300"),
    ("bool", (3,), (3,), 2), ("int32", (3,), (3,), True), ("float32", (3,), (3,), 1e300),
    ("float32", (3,), (3,), float("-inf")), ("float32", (3,), (3,), np.float64(3.0)),
    ("float64", (3,), (3,), "a"), ("float64", (3,), (3,), None), ("float64", (3,), (3,), "t[1]"),
    ("float64", (3,), (3,), "intmask"), ("float64", (3,), (3,), "npmask"),
    ("float64", (3,), (3,), "t1.5f32"), ("float64", (3,), (3,), 1 + 2j),
])
def test_masked_fill_values_dtypes_shapes_and_errors(case, rng):
    dtype, shape, mask_shape, value = case
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    mask = rng.random(mask_shape) < 0.5
    if mask.size:
        mask.reshape(-1)[0] = True

    def fill(t):
        L = mg if isinstance(t, mg.Tensor) else torch
        m = L.tensor(mask)
        v = value
        if value == "intmask":
            m, v = m.long(), 1.0
        elif value == "npmask":
            m, v = mask, 1.0
        elif value == "t1.5f32":
            v = L.tensor(1.5, dtype=L.float32)
        elif value == "t[1]":
            v = L.tensor([1.0])
        elif isinstance(value, str) and value.startswith("t"):
            v = L.tensor(float(value[1:]))
        return t.masked_fill(m, v)

    a, b = _both(fill, x)
    if not isinstance(a, Exception):
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype) == str(b.dtype).replace("torch.", "")
        np.testing.assert_array_equal(a.numpy(), b.numpy())
