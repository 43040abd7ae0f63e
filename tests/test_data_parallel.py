"""nn.DataParallel, nn.parallel.DataParallel and nn.parallel.data_parallel against torch's on
CPU (no CUDA: the wrapper calls its module and ignores device_ids, output_device and dim;
state_dict keys start with 'module.'; data_parallel raises), and the CUDA branch's argument
handling with CUDA availability faked (several devices raise NotImplementedError); one real
GPU, where there is one, runs the module there."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")


class Two:
    """A module with two outputs and a keyword argument, built in either library."""

    @staticmethod
    def make(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = lib.nn.Linear(4, 3)
                self.bn = lib.nn.BatchNorm1d(3)

            def forward(self, x, scale=1.0):
                y = self.bn(self.lin(x)) * scale
                return y, y.sum()
        return Net()


def pair(**kw):
    t = torch.nn.DataParallel(Two.make(torch), **kw).double()
    m = mg.nn.DataParallel(Two.make(mg), **kw).to(mg.float64)
    m.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    return m, t


@pytest.mark.skipif(mg.cuda.is_available(), reason="torch's CPU behaviour: no CUDA here")
@pytest.mark.parametrize("kw", [{}, {"device_ids": [0, 1], "output_device": 1, "dim": 1},
                                {"device_ids": "junk", "output_device": "junk", "dim": None}])
def test_cpu_wrapper_against_torch(kw):
    m, t = pair(**kw)
    assert m.device_ids == t.device_ids == []
    assert list(m.state_dict()) == list(t.state_dict())
    assert all(k.startswith("module.") for k in m.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert repr(m).replace("minigrad", "torch") == repr(t)
    for name in ("dim", "output_device"):             # torch sets neither without a GPU
        assert hasattr(m, name) == hasattr(t, name)
    assert isinstance(m.module, mg.nn.Module) and m.module is m._modules["module"]
    rng = np.random.default_rng()
    x = rng.standard_normal((5, 4))
    for train in (True, False):
        m.train(train)
        t.train(train)
        assert m.module.bn.training == t.module.bn.training == train
        xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        (ym, sm), (yt, st) = m(xm, scale=2.0), t(xt, scale=2.0)
        assert_close(ym, yt, 1e-12, 1e-12)
        assert_close(sm, st, 1e-12, 1e-12)
        g = rng.standard_normal((5, 3))
        gm = mg.grad(ym, [xm] + list(m.parameters()), mg.tensor(g))
        gt = torch.autograd.grad(yt, [xt] + list(t.parameters()), torch.tensor(g))
        for a, b in zip(gm, gt):
            assert_close(a, b, 1e-12, 1e-12)
    # the running statistics the training forward updated are torch's
    for (k, a), (_, b) in zip(m.state_dict().items(), t.state_dict().items()):
        assert_close(a, b, 1e-12, 1e-12, msg=k)


@pytest.mark.skipif(mg.cuda.is_available(), reason="torch's CPU behaviour: no CUDA here")
def test_names_and_cpu_data_parallel():
    assert mg.nn.DataParallel is mg.nn.parallel.DataParallel
    assert callable(mg.nn.parallel.data_parallel)       # the function shadows its module
    assert mg.nn.DataParallel[mg.nn.Linear] is not None        # Generic, as torch's
    for lib in (mg, torch):
        with pytest.raises(RuntimeError, match="device type could not be determined"):
            lib.nn.parallel.data_parallel(lib.nn.Linear(2, 2), lib.ones(3, 2))
    # any inputs pass through untouched, as torch's
    for lib in (mg, torch):
        m = lib.nn.DataParallel(lib.nn.Identity())
        assert m(5) == 5 and m("x") == "x"


@pytest.fixture
def fake_gpus(monkeypatch):
    """Pretend CUDA has n devices (only the argument handling runs: nothing moves)."""
    def setup(n):
        monkeypatch.setattr(mg.cuda, "is_available", lambda: True)
        monkeypatch.setattr(mg.cuda, "device_count", lambda: n)
    return setup


def test_several_gpus_raise(fake_gpus):
    fake_gpus(2)
    for kw in ({}, {"device_ids": [0, 1]}, {"device_ids": ["cuda:0", mg.device("cuda:1")]}):
        m = mg.nn.DataParallel(mg.nn.Linear(2, 2), **kw)
        assert m.device_ids == [0, 1] and m.output_device == 0 and m.dim == 0
        with pytest.raises(NotImplementedError, match="DataParallel: splitting the batch"):
            m(mg.ones(3, 2))
    with pytest.raises(NotImplementedError, match="data_parallel: splitting the batch"):
        mg.nn.parallel.data_parallel(mg.nn.Linear(2, 2), mg.ones(3, 2), [0, 1])
    m = mg.nn.DataParallel(mg.nn.Linear(2, 2), [1, 0], output_device="cuda:1", dim=1)
    assert (m.device_ids, m.output_device, m.dim) == ([1, 0], 1, 1)


@pytest.mark.parametrize("ids,kind,frag", [
    ([5], RuntimeError, "CUDA device 5 does not exist"),
    (["cpu"], ValueError, "Expected a cuda device, but got: cpu"),
    ([1.5], TypeError, "must be an int, a string or a device, not float"),
    (3, TypeError, "device_ids must be a sequence"),
    ([], RuntimeError, "no available devices"),
])
def test_device_id_errors(fake_gpus, ids, kind, frag):
    fake_gpus(2)
    with pytest.raises(kind, match=frag):
        mg.nn.DataParallel(mg.nn.Linear(2, 2), ids)
    with pytest.raises(kind, match=frag):
        mg.nn.parallel.data_parallel(mg.nn.Linear(2, 2), mg.ones(1, 2), ids)


def test_one_gpu_checks_where_the_module_is(fake_gpus):
    fake_gpus(1)
    lin = mg.nn.Linear(2, 2)                   # on the CPU: data_parallel does not move it
    with pytest.raises(RuntimeError, match="module must have its parameters and buffers on "
                                           "device cuda:0"):
        mg.nn.parallel.data_parallel(lin, mg.ones(1, 2))


@pytest.mark.skipif(not mg.cuda.is_available(), reason="needs a GPU")
def test_one_real_gpu():
    lin = mg.nn.Linear(3, 2)
    ref = lin(mg.ones(4, 3)).numpy()
    m = mg.nn.DataParallel(lin, device_ids=[0])
    out = m(mg.ones(4, 3))                     # the input moves to cuda:0, as torch's scatter
    assert out.device == mg.device("cuda:0")
    assert_close(out.cpu(), ref, 1e-6, 1e-6)
    out = mg.nn.parallel.data_parallel(lin, mg.ones(4, 3), [0])
    assert_close(out.cpu(), ref, 1e-6, 1e-6)
