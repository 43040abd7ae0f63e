"""nn.Buffer (registration by assignment, persistent=, errors), the deprecated nn.Container
and nn.NLLLoss2d (FutureWarning, same results as torch) and nn.CrossMapLRN2d (values and
gradients against torch, including its legacy channel window, and its errors)."""
import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad import nn
from minigrad.testing import assert_close


class _Holder:
    """The same module built with torch.nn or minigrad.nn."""

    @staticmethod
    def make(lib):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = lib.nn.Buffer(lib.ones(3))
                self.b = lib.nn.Buffer(lib.zeros(2, 2), persistent=False)
                self.register_buffer("c", lib.ones(1))
        return M()


def test_buffer_registration_matches_torch():
    m, t = _Holder.make(mg), _Holder.make(torch)
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert list(m.state_dict()) == list(t.state_dict()) == ["a", "c"]
    assert isinstance(m.a, nn.Buffer) and isinstance(t.a, torch.nn.Buffer)
    assert not m.a.requires_grad and m.b.persistent is False and t.b.persistent is False
    m.b = nn.Buffer(mg.ones(4), persistent=True)         # re-assigning changes persistence
    t.b = torch.nn.Buffer(torch.ones(4), persistent=True)
    assert list(m.state_dict()) == list(t.state_dict()) == ["a", "b", "c"]
    m.c = mg.zeros(5)                                     # a plain tensor keeps it a buffer
    t.c = torch.zeros(5)
    assert [(n, tuple(b.shape)) for n, b in m.named_buffers()] == \
        [(n, tuple(b.shape)) for n, b in t.named_buffers()]
    m.c = None
    t.c = None
    assert list(m.state_dict()) == list(t.state_dict())
    m.double()
    assert m.a.dtype == mg.float64 and isinstance(m.a, nn.Buffer)


def test_buffer_shares_data_and_requires_grad(rng):
    x = mg.tensor(rng.standard_normal(3), requires_grad=True)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    b, tb = nn.Buffer(x), torch.nn.Buffer(tx)
    assert b.requires_grad == tb.requires_grad and b.is_leaf and tb.is_leaf
    # printed as a plain tensor in both (the default dtypes differ in this test session)
    assert repr(nn.Buffer(mg.tensor([1.0, 2.0]))).startswith("tensor([1., 2.]")
    assert repr(torch.nn.Buffer(torch.tensor([1.0, 2.0]))).startswith("tensor([1., 2.]")
    with mg.no_grad():
        b.mul_(2)
    np.testing.assert_array_equal(x.detach().numpy(), tx.detach().numpy() * 2)
    e, te = nn.Buffer(), torch.nn.Buffer()
    assert tuple(e.shape) == tuple(te.shape) == (0,) and str(e.dtype) == "float32"


def test_buffer_errors_match_torch():
    for lib in (mg, torch):
        m = lib.nn.Linear(2, 2)
        with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight'"):
            m.weight = lib.nn.Buffer(lib.ones(2))
        m.register_buffer("r", lib.ones(1))
        with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'r'"):
            m.r = 3
        m.plain = 1
        with pytest.raises(KeyError, match="attribute 'plain' already exists"):
            m.plain = lib.nn.Buffer(lib.ones(1))
        with pytest.raises((TypeError, AttributeError)):
            lib.nn.Buffer(np.ones(2))


def test_container_warns_and_registers():
    with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
        c = nn.Container(fc=nn.Linear(2, 3), act=nn.ReLU())
    with pytest.warns(FutureWarning, match="`nn.Container` is deprecated"):
        tc = torch.nn.Container(fc=torch.nn.Linear(2, 3), act=torch.nn.ReLU())
    assert repr(c) == repr(tc) and list(c.state_dict()) == list(tc.state_dict())
    with pytest.raises(TypeError):
        nn.Container(fc=3)


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum", "ignore_index": 1},
                                    {"reduction": "none"}, {"weight": True}])
def test_nll_loss_2d_matches_torch(rng, kwargs):
    w = rng.random(4) + 0.5
    if kwargs.get("weight"):
        kwargs = {"weight": w}
    mk = {k: mg.tensor(v) if k == "weight" else v for k, v in kwargs.items()}
    tk = {k: torch.tensor(v) if k == "weight" else v for k, v in kwargs.items()}
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        m = nn.NLLLoss2d(**mk)
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        t = torch.nn.NLLLoss2d(**tk)
    assert isinstance(m, nn.NLLLoss) and repr(m) == repr(t)
    x = rng.standard_normal((2, 4, 3, 5))
    y = rng.integers(0, 4, (2, 3, 5))
    xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(xm, mg.tensor(y)), t(xt, torch.tensor(y))
    assert_close(out, tout)
    g = rng.standard_normal(tuple(tout.shape))
    out.backward(mg.tensor(g))
    tout.backward(torch.tensor(g))
    assert_close(xm.grad, xt.grad)


LRN = [(5, 7, {}), (3, 4, {"alpha": 0.3, "beta": 0.5, "k": 2.0}), (2, 5, {"alpha": 1.0}),
       (4, 3, {"beta": 1.25}), (6, 2, {}), (5, 1, {"alpha": 0.5}), (7, 9, {"alpha": 0.9})]


@pytest.mark.parametrize("size,channels,kwargs", LRN)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cross_map_lrn2d_matches_torch(rng, size, channels, kwargs, dtype):
    m, t = nn.CrossMapLRN2d(size, **kwargs), torch.nn.CrossMapLRN2d(size, **kwargs)
    assert repr(m) == repr(t)
    for shape in ((2, channels, 3, 4), (1, channels, 1, 1), (0, channels, 2, 2)):
        x = (rng.standard_normal(shape) * 2).astype(dtype)
        xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, tout = m(xm), t(xt)
        assert str(out.dtype) == dtype
        tol = 1e-12 if dtype == "float64" else 1e-5
        assert_close(out, tout, tol, tol)
        g = rng.standard_normal(shape).astype(dtype)
        out.backward(mg.tensor(g))
        tout.backward(torch.tensor(g))
        assert_close(xm.grad, xt.grad, tol, tol)


def test_cross_map_lrn2d_non_contiguous_and_double_backward(rng):
    x = rng.standard_normal((2, 3, 5, 6)).transpose(0, 1, 3, 2)
    m, t = nn.CrossMapLRN2d(3, alpha=0.5), torch.nn.CrossMapLRN2d(3, alpha=0.5)
    xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    assert_close(m(xm), t(xt))
    # torch has no double backward here; ours is the derivative of torch's backward formula
    from minigrad.nn.cross_map_lrn import cross_map_lrn2d
    g = mg.tensor(rng.standard_normal(x.shape))
    assert mg.testing.gradcheck(lambda a, gg: mg.autograd.grad(
        cross_map_lrn2d(a, 3, 0.5), a, gg, create_graph=True)[0],
        (mg.tensor(x[:1, :, :2, :2].copy(), requires_grad=True),
         mg.tensor(g.numpy()[:1, :, :2, :2].copy(), requires_grad=True)))


def test_cross_map_lrn2d_errors_match_torch():
    for lib in (mg, torch):
        with pytest.raises(ValueError, match="CrossMapLRN2d: Expected input to be 4D, got 3D"):
            lib.nn.CrossMapLRN2d(3)(lib.ones(2, 3, 4))
        x = lib.ones(1, 3, 2, 2, requires_grad=True)
        y = lib.nn.CrossMapLRN2d(1)(x)                 # size 1: torch's backward fails
        with pytest.raises(RuntimeError, match=r"start \(1\) \+ length \(3\) exceeds"):
            y.sum().backward()
        with pytest.raises((RuntimeError, IndexError)):
            lib.nn.CrossMapLRN2d(3)(lib.ones(1, 0, 2, 2))
        with pytest.raises(RuntimeError):
            lib.nn.CrossMapLRN2d(3)(lib.ones(1, 2, 2, 2, dtype=lib.int64))
