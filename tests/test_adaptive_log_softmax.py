"""nn.AdaptiveLogSoftmaxWithLoss against torch: layout (repr, state_dict keys and shapes, so
torch's state_dict loads), forward's (output, loss) named tuple, log_prob and predict, the
values and the gradients of the input and of every parameter (None for unused clusters, as
torch), second derivatives by gradcheck, and torch's argument errors."""
import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad import nn
from minigrad.testing import assert_close

pytestmark = pytest.mark.filterwarnings("ignore:Initializing zero-element")

CONFIGS = [
    (8, 10, [2, 6], {}),
    (8, 10, [2, 6], {"head_bias": True}),
    (16, 30, [5, 12, 20], {"div_value": 2.0}),
    (6, 4, [1], {"div_value": 1.5, "head_bias": True}),
    (5, 7, (3, 4, 6), {"div_value": 8.0}),
]
IDS = [f"{a}-{b}-{c}-{d}" for a, b, c, d in CONFIGS]


def _pair(in_features, n_classes, cutoffs, kwargs):
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, **kwargs).double()
    m = nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, **kwargs).double()
    assert repr(m) == repr(t)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    m.load_state_dict(t.state_dict())           # torch tensors load directly
    for a in ("cutoffs", "shortlist_size", "n_clusters", "head_size", "div_value",
              "head_bias", "in_features", "n_classes"):
        assert getattr(m, a) == getattr(t, a), a
    return m, t


def _targets(rng, n, n_classes, cutoffs):
    """Targets that hit the shortlist and some clusters (all of them when n is large)."""
    return rng.integers(0, n_classes, n)


@pytest.mark.parametrize("in_features,n_classes,cutoffs,kwargs", CONFIGS, ids=IDS)
@pytest.mark.parametrize("n", [1, 3, 40])
def test_forward_values_and_gradients(rng, in_features, n_classes, cutoffs, kwargs, n):
    m, t = _pair(in_features, n_classes, cutoffs, kwargs)
    x = rng.standard_normal((n, in_features))
    y = _targets(rng, n, n_classes, cutoffs)
    xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = m(xm, mg.tensor(y)), t(xt, torch.tensor(y))
    assert type(out).__name__ == "_ASMoutput" and out._fields == ("output", "loss")
    assert_close(out.output, tout.output)
    assert_close(out.loss, tout.loss)
    assert_close(out[0], tout[0])
    g = rng.standard_normal(n)
    mg.autograd.run_backward([out.output, out.loss], [mg.tensor(g), mg.tensor(1.5)],
                             False, False)
    torch.autograd.backward([tout.output, tout.loss], [torch.tensor(g), torch.tensor(1.5)])
    assert_close(xm.grad, xt.grad)
    tparams = dict(t.named_parameters())
    for name, p in m.named_parameters():
        if tparams[name].grad is None:          # a cluster no target fell in
            assert p.grad is None, name
        else:
            assert_close(p.grad, tparams[name].grad, msg=f"{name}: ")


@pytest.mark.parametrize("target_dtype", ["int64", "int32"])
def test_unbatched_empty_and_non_contiguous(rng, target_dtype):
    m, t = _pair(8, 10, [2, 6], {})
    x = rng.standard_normal(8)
    out, tout = m(mg.tensor(x), mg.tensor(np.array(7, target_dtype))), \
        t(torch.tensor(x), torch.tensor(np.array(7, target_dtype)))
    assert tuple(out.output.shape) == tuple(tout.output.shape) == ()
    assert_close(out.output, tout.output)
    assert_close(out.loss, tout.loss)
    out, tout = m(mg.zeros(0, 8, dtype=mg.float64), mg.zeros(0, dtype=mg.int64)), \
        t(torch.zeros(0, 8), torch.zeros(0, dtype=torch.long))
    assert tuple(out.output.shape) == (0,) and np.isnan(out.loss.item()) and \
        np.isnan(tout.loss.item())
    x = rng.standard_normal((8, 6)).T               # non-contiguous (6, 8)
    y = np.array([9, 0, 3, 7, 2, 1], target_dtype)
    assert_close(m(mg.tensor(x), mg.tensor(y)).output, t(torch.tensor(x), torch.tensor(y))[0])


@pytest.mark.parametrize("in_features,n_classes,cutoffs,kwargs", CONFIGS, ids=IDS)
def test_log_prob_and_predict(rng, in_features, n_classes, cutoffs, kwargs):
    m, t = _pair(in_features, n_classes, cutoffs, kwargs)
    for scale in (0.1, 1.0, 5.0):
        x = rng.standard_normal((50, in_features)) * scale
        xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        lp, tlp = m.log_prob(xm), t.log_prob(xt)
        assert_close(lp, tlp)
        np.testing.assert_allclose(np.exp(lp.detach().numpy()).sum(1), 1.0, rtol=1e-12)
        g = rng.standard_normal(tuple(tlp.shape))
        lp.backward(mg.tensor(g))
        tlp.backward(torch.tensor(g))
        assert_close(xm.grad, xt.grad)
        pred, tpred = m.predict(mg.tensor(x)), t.predict(torch.tensor(x))
        assert str(pred.dtype) == "int64"
        np.testing.assert_array_equal(pred.numpy(), tpred.numpy())
    # every head argmax in the shortlist / every one a cluster: torch's two shortcuts
    with mg.no_grad(), torch.no_grad():
        for shortlist in (True, False):
            hb = np.full(m.head_size, -50.0)
            hb[0 if shortlist else m.shortlist_size] = 50.0
            tm = nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs,
                                               head_bias=True).double()
            tt = torch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs,
                                                     head_bias=True).double()
            tt.head.bias.copy_(torch.tensor(hb))
            tm.load_state_dict(tt.state_dict())
            x = rng.standard_normal((6, in_features))
            np.testing.assert_array_equal(tm.predict(mg.tensor(x)).numpy(),
                                          tt.predict(torch.tensor(x)).numpy())


def test_second_derivatives():
    m = nn.AdaptiveLogSoftmaxWithLoss(4, 6, [2, 4], head_bias=True).double()
    y = mg.tensor([0, 3, 5, 1])
    x = mg.randn(4, 4, dtype=mg.float64, requires_grad=True)
    assert mg.testing.gradgradcheck(lambda a: m(a, y).loss, (x,))
    assert mg.testing.gradgradcheck(lambda a: m.log_prob(a), (x,))


@pytest.mark.parametrize("args,exc,match", [
    ((8, 10, []), ValueError, "cutoffs should be a sequence of length larger than 0"),
    ((8, 10, [6, 2]), ValueError, "cutoffs should be a sequence of unique, positive"),
    ((8, 10, [0, 2]), ValueError, "cutoffs should be a sequence of unique, positive"),
    ((8, 10, [2, 10]), ValueError, "each value is between 1 and n_classes-1"),
    ((8, 10, [2, 2]), ValueError, "cutoffs should be a sequence of unique"),
    ((8, 10, [2.5]), ValueError, "cutoffs should be a sequence of unique"),
    ((8, 10, 3), TypeError, ""),
    ((8, 10, [2.0]), TypeError, ""),
])
def test_constructor_errors_match_torch(args, exc, match):
    for lib in (mg, torch):
        with pytest.raises(exc, match=match):
            lib.nn.AdaptiveLogSoftmaxWithLoss(*args)


def test_forward_errors_match_torch():
    for lib in (mg, torch):
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [2, 6])
        x2, x1 = lib.zeros(2, 8), lib.zeros(8)
        cases = [
            (x2, lib.tensor([0, 10]), "Target values should be in \\[0, 9\\], but values in "
                                      "range \\[0, 10\\] were found"),
            (x2, lib.tensor([-1, 3]), "values in range \\[-1, 3\\] were found"),
            (x2, lib.tensor([1, 2, 3]), "Input and target should have the same size in the "
                                        "batch dimension"),
            (x1, lib.tensor([7]), "Input and target should have the same size"),
            (lib.zeros(2, 2, 8), lib.tensor([1, 2]), "1D target tensor expects 2D input "
                                                     "tensors"),
            (x2, lib.tensor(7), "0D target tensor expects 1D input tensors"),
            (x2, lib.tensor([[7]]), "0D or 1D target tensor expected, multi-target not "
                                    "supported"),
            (x2, lib.tensor([0.0, 1.0]), ""),
            (lib.zeros(2, 5), lib.tensor([0, 1]), ""),
        ]
        for x, y, match in cases:
            with pytest.raises(RuntimeError, match=match):
                m(x, y)
        for fn in (m.log_prob, m.predict):
            with pytest.raises(IndexError):
                fn(x1)
