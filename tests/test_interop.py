"""interop: torch/NumPy/DLPack round trips keep values and, where possible, memory."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import interop
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")


def _ptr(a):
    return a.__array_interface__["data"][0]


def test_from_numpy_shares_memory(rng):
    a = rng.standard_normal((3, 4))
    x = interop.from_numpy(a)
    assert x.data is a
    a[0, 0] = 42.0
    assert x[0, 0].item() == 42.0


def test_from_numpy_rejects_non_arrays():
    with pytest.raises(TypeError, match="from_numpy: expected np.ndarray"):
        interop.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="from_numpy: can't convert np.ndarray of type object_"):
        interop.from_numpy(np.array([None, 1]))
    with pytest.raises(ValueError, match="negative"):
        interop.from_numpy(np.arange(3.0)[::-1])        # torch refuses negative strides too


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.bool])
def test_from_torch_shares_memory(dtype):
    t = (torch.randn(3, 5) * 10).to(dtype)
    x = interop.from_torch(t)
    assert x.dtype == np.dtype(str(dtype).replace("torch.", ""))
    assert_close(x, t.numpy(), 0, 0)
    assert _ptr(x.data) == t.data_ptr()


def test_from_torch_keeps_strides_and_requires_grad():
    t = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    x = interop.from_torch(t.t())
    assert x.shape == (3, 4) and x.requires_grad and x.is_leaf
    assert np.shares_memory(x.data, interop.from_torch(t, requires_grad=False).data)
    assert not interop.from_torch(t, requires_grad=False).requires_grad
    assert_close(x, t.detach().t(), 0, 0)


def test_from_torch_bad_input():
    with pytest.raises(TypeError, match="torch.Tensor"):
        interop.from_torch(np.zeros(3))
    with pytest.raises(TypeError, match="bfloat16"):
        interop.from_torch(torch.zeros(3, dtype=torch.bfloat16))


def test_to_torch_shares_memory_and_round_trips(rng):
    x = mg.tensor(rng.standard_normal((3, 4)))
    t = interop.to_torch(x)
    assert t.data_ptr() == _ptr(x.data) and t.dtype == torch.float64
    t[1, 2] = -7.0                                     # shared: a write shows through
    assert x[1, 2].item() == -7.0
    back = interop.from_torch(t)
    assert np.shares_memory(back.data, x.data)


def test_to_torch_copies_when_strides_forbid_sharing(rng):
    a = rng.standard_normal((3, 4))
    rev = a[:, ::-1]                                   # negative strides: torch cannot view
    t = interop.to_torch(mg.Tensor._make(rev))
    assert_close(t, rev, 0, 0)
    ro = np.broadcast_to(a[0], (2, 4))                 # read-only view: copied, never aliased
    t2 = interop.to_torch(mg.Tensor._make(ro))
    t2[0, 0] = 1e9
    assert a[0, 0] != 1e9
    with pytest.raises(TypeError, match="to_torch"):
        interop.to_torch([1, 2])


def test_to_torch_requires_grad_flag(rng):
    x = mg.tensor(rng.standard_normal(3), requires_grad=True)
    t = interop.to_torch(x)
    assert t.requires_grad and t.is_leaf
    assert not interop.to_torch(x, requires_grad=False).requires_grad


def test_dlpack_protocol_with_torch_and_numpy(rng):
    x = mg.tensor(rng.standard_normal((2, 3)).astype(np.float32))
    t = torch.from_dlpack(x)
    assert t.data_ptr() == _ptr(x.data)
    assert x.__dlpack_device__() == (1, 0)
    n = np.from_dlpack(x)
    assert np.shares_memory(n, x.data)
    y = interop.from_dlpack(t)
    assert np.shares_memory(y.data, x.data) and y.dtype == np.float32
    assert_close(y, x, 0, 0)


def test_dlpack_negative_strides_are_copied_not_crashed(rng):
    a = rng.standard_normal((3, 4))
    x = mg.Tensor._make(a[::-1])
    t = torch.from_dlpack(x)
    assert_close(t, a[::-1], 0, 0)


def test_dlpack_refuses_tensors_that_require_grad():
    x = mg.randn(3, requires_grad=True)
    with pytest.raises(BufferError, match="detach"):
        torch.from_dlpack(x)
    torch.from_dlpack(x.detach())


def test_from_dlpack_bad_input():
    with pytest.raises(TypeError, match="__dlpack__"):
        interop.from_dlpack([1, 2, 3])


def test_from_torch_values_flow_through_autograd(rng):
    """A torch tensor used in minigrad gives the gradient torch computes."""
    t = torch.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    x = interop.from_torch(t)
    mg.softmax(x, -1)[:, 1].sum().backward()
    torch.softmax(t, -1)[:, 1].sum().backward()
    assert_close(x.grad, t.grad)


def test_load_torch_state_dict_linear(rng):
    tl = torch.nn.Linear(4, 3).double()
    m = mg.nn.Linear(4, 3)
    interop.load_torch_state_dict(m, tl.state_dict())
    a = rng.standard_normal((5, 4))
    out = m(mg.tensor(a, dtype=m.weight.dtype))       # float32 weights: float32 tolerance
    assert_close(out, tl(torch.tensor(a)), 1e-5, 1e-5)
    assert not np.shares_memory(m.weight.data, tl.weight.detach().numpy())


def test_load_torch_state_dict_reports_bad_keys_and_shapes():
    m = mg.nn.Linear(4, 3)
    with pytest.raises((RuntimeError, KeyError), match="bias|missing|unexpected"):
        interop.load_torch_state_dict(m, {"weight": torch.zeros(3, 4)})
    with pytest.raises(RuntimeError, match="weight"):
        interop.load_torch_state_dict(m, {"weight": torch.zeros(2, 4), "bias": torch.zeros(3)})
    missing, unexpected = interop.load_torch_state_dict(
        m, {"weight": torch.ones(3, 4), "extra": torch.zeros(1)}, strict=False)[:2]
    assert list(missing) == ["bias"] and list(unexpected) == ["extra"]
    assert_close(m.weight, np.ones((3, 4)), 0, 0)


@pytest.mark.cuda
def test_cuda_round_trip_stays_on_gpu():
    if not mg.cuda.is_available() or not torch.cuda.is_available():
        pytest.skip("needs a GPU with both CuPy and CUDA torch")
    t = torch.randn(3, 4, device="cuda")
    x = interop.from_torch(t)
    assert x.is_cuda and x.data.data.ptr == t.data_ptr()
    back = interop.to_torch(x)
    assert back.is_cuda and back.data_ptr() == t.data_ptr()


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Flatten(), nn.Linear(4 * 5 * 5, 3))


def test_load_torch_state_dict_model_gives_torch_outputs_and_grads(rng):
    """A torch model's state_dict (with BatchNorm's int64 num_batches_tracked) loads directly."""
    tm = _cnn(torch).double()
    tm.train()
    tm(torch.randn(6, 2, 5, 5, dtype=torch.float64))       # move the running stats off 0/1
    tm.eval()
    m = _cnn(mg).double().eval()
    missing, unexpected = interop.load_torch_state_dict(m, tm.state_dict())
    assert list(missing) == [] and list(unexpected) == []
    a = rng.standard_normal((3, 2, 5, 5))
    x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = m(x), tm(t)
    assert_close(out, tout, 1e-10, 1e-12)
    out.sum().backward()
    tout.sum().backward()
    assert_close(x.grad, t.grad, 1e-10, 1e-12)
    assert_close(m[0].weight.grad, tm[0].weight.grad, 1e-10, 1e-12)


def test_load_torch_state_dict_rejects_non_modules():
    with pytest.raises(TypeError, match="Module"):
        interop.load_torch_state_dict(object(), {})
