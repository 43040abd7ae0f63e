"""minigrad.func.functional_call against torch.func.functional_call: substituted parameters and
buffers, restoring them (also when the call raises), tie_weights, strict, a list of dicts,
and per-parameter gradients of an MLP through grad/jacrev."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.func as tf

import minigrad as mg
import minigrad.func as mf
from func_check import assert_tree_close, pair, to_torch


def mlp(L, seed=0):
    nn = L.nn
    L.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()


def params_pair():
    """The same random MLP parameters as minigrad and torch dicts."""
    rng = np.random.default_rng()
    shapes = {"0.weight": (8, 4), "0.bias": (8,), "2.weight": (3, 8), "2.bias": (3,)}
    arrays = {k: rng.standard_normal(s) for k, s in shapes.items()}
    return ({k: mg.tensor(a) for k, a in arrays.items()},
            {k: torch.tensor(a) for k, a in arrays.items()})


def test_mlp_values_and_parameters_restored():
    model, tmodel = mlp(mg), mlp(torch)
    params, tparams = params_pair()
    x, tx = pair(5, 4)
    before = {k: v for k, v in model.named_parameters()}
    got = mf.functional_call(model, params, (x,))
    assert_tree_close(got, tf.functional_call(tmodel, tparams, (tx,)))
    assert {k: v for k, v in model.named_parameters()} == before
    assert all(isinstance(p, mg.nn.Parameter) for p in model.parameters())
    # args may be a single tensor; kwargs are passed on
    assert_tree_close(mf.functional_call(model, params, x, {}),
                      tf.functional_call(tmodel, tparams, tx, {}))


def test_mlp_grad_and_jacrev_wrt_parameters():
    model, tmodel = mlp(mg), mlp(torch)
    params, tparams = params_pair()
    x, tx = pair(5, 4)
    target = np.random.default_rng().integers(0, 3, 5)

    def loss(func, m, F, t):
        def f(p, x):
            return F.cross_entropy(func.functional_call(m, p, (x,)), t)
        return f
    got = mf.grad(loss(mf, model, mg.nn.functional, mg.tensor(target)))(params, x)
    want = tf.grad(loss(tf, tmodel, torch.nn.functional, torch.tensor(target)))(tparams, tx)
    assert_tree_close(got, want)
    jac = mf.jacrev(lambda p: mf.functional_call(model, p, (x,)))(params)
    assert_tree_close(jac, tf.jacrev(lambda p: tf.functional_call(tmodel, p, (tx,)))(tparams))


def test_partial_dict_list_of_dicts_and_buffers():
    model, tmodel = mg.nn.BatchNorm1d(3).double(), torch.nn.BatchNorm1d(3).double()
    model.eval(), tmodel.eval()
    w, tw = pair(3)
    rm, trm = pair(3)
    x, tx = pair(4, 3)
    got = mf.functional_call(model, [{"weight": w}, {"running_mean": rm}], (x,))
    want = tf.functional_call(tmodel, [{"weight": tw}, {"running_mean": trm}], (tx,))
    assert_tree_close(got, want)
    assert float(model.running_mean.sum()) == 0.0 and float(model.weight.sum()) == 3.0


def test_restored_when_the_call_raises():
    model = mlp(mg)
    params, _ = params_pair()
    before = dict(model.named_parameters())
    with pytest.raises(RuntimeError):
        mf.functional_call(model, params, (mg.zeros(2, 7, dtype=mg.float64),))
    assert dict(model.named_parameters()) == before
    bad = dict(params, **{"nothere.weight": params["0.bias"]})
    with pytest.raises(AttributeError):     # as torch: no such submodule
        mf.functional_call(model, bad, (mg.zeros(2, 4, dtype=mg.float64),))
    assert dict(model.named_parameters()) == before


def tied(L):
    class Tied(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = L.nn.Linear(3, 3, bias=False)
            self.b = L.nn.Linear(3, 3, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))
    return Tied().double()


def test_tie_weights():
    model, tmodel = tied(mg), tied(torch)
    model.load_state_dict(tmodel.state_dict())
    assert model.b.weight is model.a.weight
    w, tw = pair(3, 3)
    x, tx = pair(2, 3)
    for tie in (True, False):
        got = mf.functional_call(model, {"a.weight": w}, (x,), tie_weights=tie)
        want = tf.functional_call(tmodel, {"a.weight": tw}, (tx,), tie_weights=tie)
        assert_tree_close(got, want)
    w2, tw2 = pair(3, 3)
    with pytest.raises(ValueError):
        tf.functional_call(tmodel, {"a.weight": tw, "b.weight": tw2}, (tx,))
    with pytest.raises(ValueError, match="tied"):
        mf.functional_call(model, {"a.weight": w, "b.weight": w2}, (x,))
    got = mf.functional_call(model, {"a.weight": w, "b.weight": w2}, (x,), tie_weights=False)
    want = tf.functional_call(tmodel, {"a.weight": tw, "b.weight": tw2}, (tx,),
                              tie_weights=False)
    assert_tree_close(got, want)


def test_strict_and_bad_dicts():
    model, tmodel = mlp(mg), mlp(torch)
    params, tparams = params_pair()
    x, tx = pair(2, 4)
    assert_tree_close(mf.functional_call(model, params, (x,), strict=True),
                      tf.functional_call(tmodel, tparams, (tx,), strict=True))
    some = {"0.weight": params["0.weight"]}
    extra = dict(params, extra=params["0.bias"])
    for d in (some, extra):
        with pytest.raises(RuntimeError):
            tf.functional_call(tmodel, to_torch(d), (tx,), strict=True)
        with pytest.raises(RuntimeError, match="reparametrizing"):
            mf.functional_call(model, d, (x,), strict=True)
    for bad in ([{"0.weight": params["0.weight"]}, {"0.weight": params["0.bias"]}],
                [params, 3], 5):
        with pytest.raises(ValueError):
            tf.functional_call(tmodel, to_torch(bad), (tx,))
        with pytest.raises(ValueError):
            mf.functional_call(model, bad, (x,))
    # a new name without a dot is set as an attribute for the call and removed afterwards
    mf.functional_call(model, dict(params, extra=params["0.bias"]), (x,))
    assert not hasattr(model, "extra")


def shared(L):
    class Shared(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = L.nn.Linear(3, 3)
            self.b = self.a                 # one submodule under two names

        def forward(self, x):
            return self.b(self.a(x))
    return Shared().double()


def test_tied_submodule():
    model, tmodel = shared(mg), shared(torch)
    model.load_state_dict(tmodel.state_dict())       # (a.* and b.*: one module, two names)
    (w, tw), (b, tb), (x, tx) = pair(3, 3), pair(3), pair(2, 3)
    for d, td in (({"a.weight": w}, {"a.weight": tw}), ({"b.bias": b}, {"b.bias": tb})):
        assert_tree_close(mf.functional_call(model, d, (x,)),
                          tf.functional_call(tmodel, td, (tx,)))
    # strict checks the names after untying: a.* stands for b.* too, a.weight alone does not
    assert_tree_close(
        mf.functional_call(model, {"a.weight": w, "a.bias": b}, (x,), strict=True),
        tf.functional_call(tmodel, {"a.weight": tw, "a.bias": tb}, (tx,), strict=True))
    with pytest.raises(RuntimeError):
        tf.functional_call(tmodel, {"a.weight": tw}, (tx,), strict=True)
    with pytest.raises(RuntimeError, match="b.bias"):
        mf.functional_call(model, {"a.weight": w}, (x,), strict=True)
