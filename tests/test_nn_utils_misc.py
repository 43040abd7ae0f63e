"""nn.utils against torch 2.13: get_total_norm / clip_grads_with_norm_ / clip_grad_norm(_) /
clip_grad_value_ (values, dtypes, warnings, errors), Conv/Linear + BatchNorm fusion (fused
modules give the eval-mode pair's output; weights, dtypes, requires_grad, transpose, errors),
parameters_to_vector / vector_to_parameters, skip_init and stateless.functional_call."""
import types

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import utils as U

torch = pytest.importorskip("torch")
TU = torch.nn.utils
RNG = np.random.default_rng()
DTYPES = [(np.float64, torch.float64, mg.float64), (np.float32, torch.float32, mg.float32)]


def _grads(shapes, dt):
    arrs = [RNG.standard_normal(s).astype(dt[0]) * 3 for s in shapes]
    tp = [torch.zeros(s, dtype=dt[1], requires_grad=True) for s in shapes]
    mp = [mg.zeros(s, dtype=dt[2], requires_grad=True) for s in shapes]
    for a, t, m in zip(arrs, tp, mp):
        t.grad = torch.tensor(a)
        m.grad = mg.tensor(a)
    return tp, mp


def _close(a, b, tol=1e-6):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


SHAPES = [[(3, 4), (5,), ()], [(0,), (2, 2)], [(7,)]]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("p", [2.0, 1, 3.5, float("inf"), 0.5])
@pytest.mark.parametrize("max_norm", [0.1, 1e3])
def test_clip_grad_norm(dt, shapes, p, max_norm):
    tp, mp = _grads(shapes, dt)
    if p == float("inf") and any(0 in sh for sh in shapes):     # no identity: both raise
        with pytest.raises(RuntimeError, match="cannot compute the"):
            TU.clip_grad_norm_(tp, max_norm, p)
        with pytest.raises(RuntimeError, match="cannot compute the inf norm"):
            U.clip_grad_norm_(mp, max_norm, p)
        return
    _close(U.get_total_norm([q.grad for q in mp], p), TU.get_total_norm([q.grad for q in tp], p))
    nt = TU.clip_grad_norm_(tp, max_norm, p)
    nm = U.clip_grad_norm_(mp, max_norm, p)
    _close(nm, nt)
    for a, b in zip(mp, tp):
        _close(a.grad, b.grad)
    tp, mp = _grads(shapes, dt)
    total = TU.get_total_norm([q.grad for q in tp], p)
    TU.clip_grads_with_norm_(tp, max_norm, total)
    U.clip_grads_with_norm_(mp, max_norm, mg.tensor(total.numpy()))
    for a, b in zip(mp, tp):
        _close(a.grad, b.grad)
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
        _close(U.clip_grad.clip_grad_norm(mp, max_norm, p), TU.clip_grad_norm(tp, max_norm, p))


@pytest.mark.parametrize("dt", DTYPES)
def test_clip_grad_value_and_edges(dt, defaults):
    tp, mp = _grads([(4, 3), ()], dt)
    TU.clip_grad_value_(tp, 0.7)
    assert U.clip_grad_value_(mp, 0.7) is None
    for a, b in zip(mp, tp):
        _close(a.grad, b.grad)
    # no gradients: tensor(0.) (float32)
    _close(U.clip_grad_norm_([mg.zeros(2, requires_grad=True)], 1.0),
           TU.clip_grad_norm_([torch.zeros(2, requires_grad=True)], 1.0))
    _close(U.get_total_norm([]), TU.get_total_norm([]))
    with pytest.warns(UserWarning, match="empty generator"):
        U.clip_grad_norm_((p for p in []), 1.0)
    tp, mp = _grads([(3,)], dt)
    mp[0].grad[0] = float("inf")
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        U.clip_grad_norm_(mp, 1.0, error_if_nonfinite=True)
    with pytest.raises(TypeError):          # total_norm must be a tensor (torch.clamp's)
        TU.clip_grads_with_norm_(tp, 1.0, 3.0)
    with pytest.raises(TypeError, match="clip_grads_with_norm_: clamp"):
        U.clip_grads_with_norm_(mp, 1.0, 3.0)
    # a single tensor, and the module path
    tp, mp = _grads([(3,)], dt)
    _close(U.clip_grad.clip_grad_norm_(mp[0], 0.5, foreach=True),
           TU.clip_grad.clip_grad_norm_(tp[0], 0.5, foreach=True))


def _bn_pair(cls_t, cls_m, c, affine=True, track=True):
    bt, bm = cls_t(c, affine=affine, track_running_stats=track).double(), \
        cls_m(c, affine=affine, track_running_stats=track).to(mg.float64)
    sd = {}
    for k, v in bt.state_dict().items():
        if v.is_floating_point():
            v = torch.tensor(RNG.uniform(0.5, 2, tuple(v.shape)))
        sd[k] = v
    bt.load_state_dict(sd)
    bm.load_state_dict({k: v.numpy() for k, v in sd.items()})
    return bt.eval(), bm.eval()


@pytest.mark.parametrize("kind", ["conv1", "conv2", "conv3", "convT2"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_fuse_conv_bn_eval(kind, bias, affine):
    nd = int(kind[-1])
    tcls = getattr(torch.nn, f"Conv{'Transpose' if 'T' in kind else ''}{nd}d")
    mcls = getattr(mg.nn, f"Conv{'Transpose' if 'T' in kind else ''}{nd}d")
    ct, cm = tcls(3, 4, 2, bias=bias).double().eval(), mcls(3, 4, 2, bias=bias).to(
        mg.float64).eval()
    cm.load_state_dict({k: v.numpy() for k, v in ct.state_dict().items()})
    bt, bm = _bn_pair(getattr(torch.nn, f"BatchNorm{nd}d"), getattr(mg.nn, f"BatchNorm{nd}d"),
                      4, affine)
    ft = TU.fuse_conv_bn_eval(ct, bt, transpose="T" in kind)
    fm = U.fuse_conv_bn_eval(cm, bm, transpose="T" in kind)
    assert fm is not cm and type(fm) is type(cm)
    _close(fm.weight, ft.weight, 1e-12)
    _close(fm.bias, ft.bias, 1e-12)
    assert isinstance(fm.bias, mg.nn.Parameter) and fm.bias.requires_grad == ft.bias.requires_grad
    x = RNG.standard_normal((2, 3) + (5,) * nd)
    _close(fm(mg.tensor(x)), ft(torch.tensor(x)), 1e-10)
    _close(fm(mg.tensor(x)), bm(cm(mg.tensor(x))), 1e-10)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("nf", [4, 1])
def test_fuse_linear_bn_eval(bias, nf):
    lt, lm = torch.nn.Linear(3, 4, bias=bias).double().eval(), \
        mg.nn.Linear(3, 4, bias=bias).to(mg.float64).eval()
    lm.load_state_dict({k: v.numpy() for k, v in lt.state_dict().items()})
    bt, bm = _bn_pair(torch.nn.BatchNorm1d, mg.nn.BatchNorm1d, nf)
    ft, fm = TU.fuse_linear_bn_eval(lt, bt), U.fuse_linear_bn_eval(lm, bm)
    _close(fm.weight, ft.weight, 1e-12)
    _close(fm.bias, ft.bias, 1e-12)
    # the weights function on float32 conv weights with float64 statistics keeps float32
    w, rm, rv = RNG.standard_normal((4, 3)).astype(np.float32), RNG.random(4), RNG.random(4) + 1
    a = TU.fuse_linear_bn_weights(torch.tensor(w), None, torch.tensor(rm), torch.tensor(rv),
                                  1e-5, torch.ones(4, dtype=torch.float64),
                                  torch.zeros(4, dtype=torch.float64))
    b = U.fuse_linear_bn_weights(mg.tensor(w), None, mg.tensor(rm), mg.tensor(rv), 1e-5,
                                 mg.ones(4, dtype=mg.float64), mg.zeros(4, dtype=mg.float64))
    for x, y in zip(b, a):
        _close(x, y)
        assert isinstance(x, mg.nn.Parameter) and x.requires_grad == y.requires_grad


def test_fuse_errors():
    c, b = mg.nn.Conv2d(3, 4, 2), mg.nn.BatchNorm2d(4)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        U.fuse_conv_bn_eval(c, b)
    l_, b1 = mg.nn.Linear(3, 4).eval(), mg.nn.BatchNorm1d(5).eval()
    with pytest.raises(AssertionError, match="linear.out_features == bn.num_features"):
        U.fuse_linear_bn_eval(l_, b1)
    b2 = mg.nn.BatchNorm2d(4, track_running_stats=False).eval()
    with pytest.raises(AssertionError, match="must not be None"):
        U.fuse_conv_bn_eval(c.eval(), b2)
    assert U.fusion.fuse_conv_bn_weights is U.fuse_conv_bn_weights


def test_parameters_vector_round_trip():
    shapes = [(3, 2), (4,), ()]
    arrs = [RNG.standard_normal(s) for s in shapes]
    mp = [mg.nn.Parameter(mg.tensor(a)) for a in arrs]
    tp = [torch.nn.Parameter(torch.tensor(a)) for a in arrs]
    vm, vt = U.parameters_to_vector(mp), TU.parameters_to_vector(tp)
    _close(vm, vt, 0)
    assert vm.grad_fn is not None
    new = RNG.standard_normal(vt.numel())
    U.vector_to_parameters(mg.tensor(new), mp)
    TU.vector_to_parameters(torch.tensor(new), tp)
    for a, b in zip(mp, tp):
        _close(a, b, 0)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        U.vector_to_parameters([1.0], mp)
    with pytest.raises(RuntimeError):
        U.vector_to_parameters(mg.zeros(3), mp)
    assert U.convert_parameters.parameters_to_vector is U.parameters_to_vector


def test_skip_init_and_stateless(defaults):
    state = mg.get_rng_state()
    m = U.skip_init(mg.nn.Linear, 5, out_features=3, dtype=mg.float64)
    assert tuple(m.weight.shape) == (3, 5) and m.weight.dtype == mg.float64
    assert mg.get_rng_state().numpy().tolist() == state.numpy().tolist()   # no draws
    with pytest.raises(RuntimeError, match="Expected a Module"):
        U.skip_init(int)
    with pytest.raises(RuntimeError, match="must support a 'device' arg"):
        U.skip_init(mg.nn.ReLU)
    lin = mg.nn.Linear(2, 2)
    w = mg.tensor(RNG.standard_normal((2, 2)).astype(np.float32))
    x = mg.tensor(RNG.standard_normal((3, 2)).astype(np.float32))
    with pytest.warns(FutureWarning, match="stateless.functional_call` is deprecated"):
        out = U.stateless.functional_call(lin, {"weight": w}, (x,))
    _close(out, x @ w.T + lin.bias)
    assert isinstance(U.stateless, types.ModuleType)
