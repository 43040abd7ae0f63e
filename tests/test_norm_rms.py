"""rms_norm / RMSNorm, local_response_norm / LocalResponseNorm, normalize, and LayerNorm's
bias=False / elementwise_affine=False, against torch."""
import numpy as np
import pytest
import torch
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

tF = torch.nn.functional


# ---- rms_norm -------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,normalized", [((3, 5), (5,)), ((2, 3, 4), (3, 4)),
                                              ((4,), [4]), ((2, 1, 3), (1, 3))])
def test_rms_norm_matches_torch(rng, shape, normalized):
    x, w = rng.standard_normal(shape) * 2, rng.standard_normal(tuple(normalized))
    check_op(lambda x, w: F.rms_norm(x, normalized, w), lambda x, w: tF.rms_norm(
        x, normalized, w), [x, w], double=True)
    check_op(lambda x: F.rms_norm(x, normalized, eps=0.1), lambda x: tF.rms_norm(
        x, normalized, eps=0.1), [x], double=True)
    check_op(lambda x: F.rms_norm(x, normalized), lambda x: tF.rms_norm(x, normalized), [x])


@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-6), (np.float16, 2e-3)])
def test_rms_norm_default_eps_per_dtype(rng, dtype, tol):
    # eps=None: the machine epsilon of the type torch computes in (float32 for float16 input)
    x = (rng.standard_normal((3, 4)) * 1e-4).astype(dtype)
    w = rng.standard_normal(4).astype(dtype)
    out = F.rms_norm(mg.tensor(x), (4,), mg.tensor(w))
    ref = tF.rms_norm(torch.tensor(x), (4,), torch.tensor(w))
    assert out.dtype == dtype and str(ref.dtype) == f"torch.{np.dtype(dtype)}"
    np.testing.assert_allclose(out.numpy().astype(np.float64), ref.numpy().astype(np.float64),
                               rtol=tol, atol=tol)
    x64 = rng.standard_normal((3, 4)) * 1e-9
    np.testing.assert_allclose(F.rms_norm(mg.tensor(x64), (4,)).numpy(),
                               tF.rms_norm(torch.tensor(x64), (4,)).numpy(), rtol=1e-10)


def test_rms_norm_empty(rng):
    for shape, ns in [((0, 4), (4,)), ((3, 0), (0,)), ((2, 0, 3), (3,))]:
        check_op(lambda x, ns=ns: F.rms_norm(x, ns), lambda x, ns=ns: tF.rms_norm(x, ns),
                 [rng.standard_normal(shape)])


def test_rms_norm_errors_as_torch():
    cases = [((3, 4), (), None, RuntimeError), ((), (1,), None, ValueError),
             ((3, 4), (3,), None, RuntimeError), ((3, 4), (4,), (3,), RuntimeError),
             ((3,), (4,), None, RuntimeError)]
    for shape, ns, wshape, exc in cases:
        with pytest.raises(exc):
            tF.rms_norm(torch.zeros(shape), ns, None if wshape is None else torch.ones(wshape))
        with pytest.raises(exc, match="rms_norm"):
            F.rms_norm(mg.zeros(shape), ns, None if wshape is None else mg.ones(wshape))
    with pytest.raises(TypeError, match="normalized_shape"):
        F.rms_norm(mg.zeros(3, 4), 4)             # torch's functional wants a sequence
    with pytest.raises(NotImplementedError):
        F.rms_norm(mg.ones(3, 4, dtype=mg.int64), (4,))


def test_rmsnorm_module(rng):
    m, t = nn.RMSNorm(4), torch.nn.RMSNorm(4)
    assert repr(m) == repr(t) == "RMSNorm((4,), eps=None, elementwise_affine=True)"
    assert m.eps is None and m.normalized_shape == (4,)
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones(4))
    with torch.no_grad():
        t.weight.uniform_(0.5, 1.5)
    check_module(m, t, [rng.standard_normal((3, 2, 4))])
    for args, kw in [(([2, 4],), {"eps": 1e-3}), ((4,), {"elementwise_affine": False})]:
        m, t = nn.RMSNorm(*args, **kw), torch.nn.RMSNorm(*args, **kw)
        assert repr(m) == repr(t)
        assert list(m.state_dict()) == list(t.state_dict())
        check_module(m, t, [rng.standard_normal((3, 2, 4))])


# ---- local_response_norm ----------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 4, 3, 2), (1, 6, 2, 2, 2), (2, 3, 2, 1, 2, 1)])
@pytest.mark.parametrize("size,alpha,beta,k", [(3, 1e-4, 0.75, 1.0), (2, 0.5, 0.6, 2.0),
                                               (1, 1.0, 1.0, 0.5), (9, 0.3, 0.75, 1.0)])
def test_local_response_norm_matches_torch(rng, shape, size, alpha, beta, k):
    check_op(lambda x: F.local_response_norm(x, size, alpha, beta, k),
             lambda x: tF.local_response_norm(x, size, alpha, beta, k),
             [rng.standard_normal(shape) * 2], double=True)


def test_local_response_norm_dtypes_and_errors(rng):
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    out = F.local_response_norm(mg.tensor(x), 3, 0.5)
    ref = tF.local_response_norm(torch.tensor(x), 3, 0.5)
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6, atol=1e-6)
    xi = rng.integers(-4, 5, (2, 5, 3))        # torch's int64 pooling truncates
    prev = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        ref = tF.local_response_norm(torch.tensor(xi), 3, 0.5, 0.75, 1.0)
    finally:
        torch.set_default_dtype(prev)
    out = F.local_response_norm(mg.tensor(xi), 3, 0.5, 0.75, 1.0)
    assert out.dtype == mg.float32 and ref.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    for dt in [mg.int32, mg.bool]:
        with pytest.raises(NotImplementedError):
            F.local_response_norm(mg.ones(2, 3, 4, dtype=dt), 2)
    empty = mg.zeros(0, 3, 4)
    assert F.local_response_norm(empty, 3) is empty          # as torch: the input itself
    for shape, size, exc in [((3, 4), 2, ValueError), ((), 2, ValueError),
                             ((2, 3, 4), 0, RuntimeError), ((2, 3, 4), -1, RuntimeError)]:
        with pytest.raises(exc):
            tF.local_response_norm(torch.zeros(shape), size)
        with pytest.raises(exc, match="local_response_norm"):
            F.local_response_norm(mg.zeros(shape), size)


def test_localresponsenorm_module(rng):
    m, t = nn.LocalResponseNorm(3), torch.nn.LocalResponseNorm(3)
    assert repr(m) == repr(t) == "LocalResponseNorm(3, alpha=0.0001, beta=0.75, k=1.0)"
    assert list(m.state_dict()) == []
    m, t = nn.LocalResponseNorm(4, 0.5, 0.5, 2), torch.nn.LocalResponseNorm(4, 0.5, 0.5, 2)
    assert repr(m) == repr(t)
    check_module(m, t, [rng.standard_normal((2, 6, 3, 2))])


# ---- normalize --------------------------------------------------------------------------------
@pytest.mark.parametrize("p,dim", [(2.0, 1), (1, 0), (3.5, -1), (float("inf"), 1), (0.5, (0, 1)),
                                   (-1.0, 1), (None, None), (2, (0, 2))])
def test_normalize_matches_torch(rng, p, dim):
    x = rng.standard_normal((3, 4, 2))
    check_op(lambda x: F.normalize(x, p, dim), lambda x: tF.normalize(x, p, dim), [x],
             double=p not in (float("inf"),))
    check_op(lambda x: F.normalize(x, p, dim, eps=2.0), lambda x: tF.normalize(
        x, p, dim, eps=2.0), [x], double=True)


def test_normalize_edges(rng):
    z = np.zeros((2, 3))            # below eps: the gradient is 1 / eps, as torch
    z[1] = rng.standard_normal(3)
    check_op(F.normalize, tF.normalize, [z])
    check_op(lambda x: F.normalize(x, dim=0), lambda x: tF.normalize(x, dim=0),
             [np.array(-2.5)])
    for shape in [(0, 3), (3, 0), (2, 0, 3)]:
        check_op(F.normalize, tF.normalize, [rng.standard_normal(shape)])
    x = rng.standard_normal((3, 4)).astype(np.float32)
    out = F.normalize(mg.tensor(x))
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), tF.normalize(torch.tensor(x)).numpy(), rtol=1e-6)
    for make, exc in [(lambda L: L.ones(3, dtype=L.int64), RuntimeError),
                      (lambda L: L.tensor(2.0), IndexError), (lambda L: L.ones(3), IndexError)]:
        with pytest.raises(exc):
            tF.normalize(make(torch))
        with pytest.raises(exc):
            F.normalize(make(mg))
    with pytest.raises(RuntimeError, match="out="):
        F.normalize(mg.ones(2, 3), out=mg.empty(2, 3))


# ---- LayerNorm's bias / elementwise_affine ---------------------------------------------------
@pytest.mark.parametrize("kw", [{"bias": False}, {"elementwise_affine": False},
                                {"elementwise_affine": False, "bias": False}])
def test_layernorm_bias_options(rng, kw):
    m, t = nn.LayerNorm((3, 4), **kw), torch.nn.LayerNorm((3, 4), **kw)
    assert repr(m) == repr(t)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    if t.weight is not None:
        with torch.no_grad():
            t.weight.uniform_(0.5, 1.5)
    check_module(m, t, [rng.standard_normal((2, 3, 4)) * 2 + 1])
