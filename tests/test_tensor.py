"""Tensor creation, dtype rules, attributes, conversions, devices and seeds."""
import numpy as np
import pytest
import torch

import minigrad as mg


@pytest.mark.parametrize("data,expected", [(1.5, "float32"), ([1.0, 2.0], "float32"),
                                           ([[1, 2], [3, 4]], "int64"), (3, "int64"),
                                           (True, "bool"), ([True, False], "bool"),
                                           ([1, 2.5], "float32")])
def test_dtype_inference_matches_torch_defaults(data, expected):
    """torch's rules under its default dtype float32 (conftest switches torch to float64)."""
    assert str(mg.tensor(data).dtype) == expected


@pytest.mark.parametrize("dt", [np.float16, np.float32, np.float64, np.int32, np.int64, np.bool_])
def test_numpy_arrays_keep_dtype(dt):
    x = mg.tensor(np.zeros(3, dtype=dt))
    assert x.dtype == np.dtype(dt)
    assert mg.tensor(np.zeros(2, np.float64)).dtype == mg.float64 == mg.double


def test_dtype_objects_compare_equal():
    assert mg.ones(2).dtype == mg.float32 == mg.float
    assert mg.arange(3).dtype == mg.int64 == mg.long
    assert mg.tensor([True]).dtype == mg.bool
    assert mg.zeros(2, dtype=mg.int32).dtype == mg.int32
    assert mg.ones(2, dtype="float16").dtype == mg.float16


def test_attributes_and_conversions():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert x.shape == (2, 2) and x.ndim == 2 and str(x.device) == "cpu" and x.device == "cpu"
    assert x.is_leaf and x.grad is None and x.grad_fn is None and isinstance(x.data, np.ndarray)
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]] and x[1, 0].item() == 3.0
    assert x.double().dtype == mg.float64 and x.long().dtype == mg.int64
    assert x.to(mg.float64).dtype == mg.float64 and x.float() is x and x.cpu() is x
    d = x.detach()
    assert not d.requires_grad and np.shares_memory(d.data, x.data)
    assert isinstance(x.detach().numpy(), np.ndarray)
    y = mg.tensor([1.0]).requires_grad_()
    assert y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError, match="a Tensor with 4 elements cannot be converted"):
        x.item()


def test_creation_functions_match_torch_shapes_and_dtypes():
    f32 = torch.float32
    pairs = [(mg.zeros(2, 3), torch.zeros(2, 3, dtype=f32)),
             (mg.ones((2, 3)), torch.ones((2, 3), dtype=f32)),
             (mg.full((2,), 7), torch.full((2,), 7)),
             (mg.full((2,), 7.0), torch.full((2,), 7.0, dtype=f32)),
             (mg.arange(5), torch.arange(5)),
             (mg.arange(0, 1, 0.25), torch.arange(0, 1, 0.25, dtype=f32)),
             (mg.eye(3), torch.eye(3, dtype=f32)),
             (mg.zeros_like(mg.ones(2, dtype=mg.float64)), torch.zeros(2, dtype=torch.float64))]
    for a, b in pairs:
        assert a.shape == tuple(b.shape) and str(a.dtype) == str(b.dtype).replace("torch.", "")
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert mg.empty(3, 2).shape == (3, 2) and mg.ones_like(mg.zeros(4)).tolist() == [1.0] * 4


def test_random_creation_and_manual_seed():
    mg.manual_seed(123)
    a, b, c = mg.randn(1000), mg.rand(1000), mg.randint(0, 5, (1000,))
    mg.manual_seed(123)
    assert np.array_equal(a.numpy(), mg.randn(1000).numpy())
    assert np.array_equal(b.numpy(), mg.rand(1000).numpy())
    assert np.array_equal(c.numpy(), mg.randint(0, 5, (1000,)).numpy())
    assert a.dtype == mg.float32 and c.dtype == mg.int64
    assert abs(a.numpy().mean()) < 0.15 and 0.85 < a.numpy().std() < 1.15
    assert 0 <= b.numpy().min() and b.numpy().max() < 1 and set(c.tolist()) == set(range(5))
    assert mg.randn(2, 3, dtype=mg.float64).dtype == mg.float64
    for lib in (mg, torch):             # torch's error: no integer normal kernel
        with pytest.raises(NotImplementedError, match="\"normal_kernel_cpu\" not "
                                                      "implemented for 'Long'"):
            lib.randn(2, dtype=lib.int64)


def test_cuda_unavailable_is_false_not_an_error():
    if mg.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert mg.cuda.is_available() is False and mg.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        mg.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        mg.zeros(2, device="cuda")


def test_device_objects():
    assert mg.device("cuda:0") == "cuda:0" and str(mg.device("cuda", 1)) == "cuda:1"
    assert mg.device("cpu") == mg.ones(1).device
    with pytest.raises(ValueError, match="device: expected 'cpu' or 'cuda"):
        mg.device("tpu")


@pytest.mark.cuda
def test_cuda_moves_and_mixed_device_error():
    if not mg.cuda.is_available():
        pytest.skip("no CUDA GPU")
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.cuda()
    assert str(y.device).startswith("cuda") and y.is_cuda
    (y * y).sum().backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [2.0, 4.0]
    with pytest.raises(RuntimeError, match="same device.*cpu.*cuda|same device.*cuda.*cpu"):
        x + y


@pytest.mark.cuda
@pytest.mark.skipif(not mg.cuda.is_available(), reason="no CUDA GPU")
def test_cupy_array_before_anything_loaded_cupy():
    """A CuPy array can be minigrad's first contact with CuPy (fresh process)."""
    import subprocess
    import sys
    code = ("import cupy, minigrad as mg\n"
            "t = mg.tensor(cupy.arange(3.0), requires_grad=True)\n"
            "assert t.device.type == 'cuda', t.device\n"
            "u = mg.Tensor._make(cupy.ones(2))\n"
            "assert u.device.type == 'cuda', u.device\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_mixed_device_error_message():
    """Without a GPU, fake a second array type to exercise the device check."""
    class FakeArray(np.ndarray):
        pass
    a = mg.ones(2)
    b = mg.Tensor._make(np.ones(2).view(FakeArray))
    with pytest.raises(RuntimeError, match="Add: expected all tensors on the same device"):
        a + b


def test_repr_and_bool():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert "requires_grad=True" in repr(x) and "grad_fn=<MulBackward>" in repr(x * 2)
    assert bool(mg.tensor([1.0])) and not bool(mg.tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(x)


def test_in_place_helpers_refuse_grad_leaves():
    w = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        w.zero_()
    with mg.no_grad():
        w.mul_(2).add_(1)
    assert w.tolist() == [3.0, 3.0, 3.0]
