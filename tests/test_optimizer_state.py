"""Optimizer base vs torch.optim.Optimizer: state_dict format and references, torch's
state_dict loading into minigrad (and back) mid-trajectory, load casts, the six hook
registries, add_param_group and zero_grad."""
import copy
import warnings

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad import nn, optim
from minigrad.optim import optimizer as mopt
from torch.optim import optimizer as topt

LIBS = {"mg": (mg, optim, nn.Parameter), "torch": (torch, torch.optim, torch.nn.Parameter)}


@pytest.fixture(autouse=True)
def _torch_default_dtype(defaults):
    """Both libraries at float32 default: 'step' is float32 in both."""


def _pair(rng, name, kwargs, dt=np.float64, groups=False):
    w = [rng.standard_normal(s).astype(dt) for s in ((4, 3), (3,), (2,))]
    out = []
    for T, Opt, P in LIBS.values():
        ps = [P(T.tensor(a)) for a in w]
        arg = [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.02}] if groups else ps
        out.append((ps, getattr(Opt, name)(arg, **kwargs)))
    return out


def _step(rng, pairs, n=1):
    for _ in range(n):
        gs = [rng.standard_normal(tuple(p.shape)) for p in pairs[0][0]]
        for (ps, o), T in zip(pairs, (mg, torch)):
            for p, g in zip(ps, gs):
                p.grad = T.tensor(g)
            o.step()


def _to(lib, sd):
    """A state_dict with every tensor converted to `lib`'s (a fresh copy)."""
    def conv(v):
        if torch.is_tensor(v) or isinstance(v, mg.Tensor):
            return lib.tensor(v.numpy().copy(), dtype=getattr(lib, str(v.dtype).split(".")[-1]))
        return v
    return {"state": {k: {n: conv(v) for n, v in s.items()} for k, s in sd["state"].items()},
            "param_groups": copy.deepcopy(sd["param_groups"])}


def _same_params(pairs, rtol=1e-13):
    for a, b in zip(pairs[0][0], pairs[1][0]):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=1e-15)


CASES = [("Adam", {"lr": 0.05, "amsgrad": True}), ("AdamW", {"lr": 0.05}),
         ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}), ("RMSprop", {"lr": 0.01}),
         ("NAdam", {"lr": 0.02})]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_state_dict_format_is_torchs(rng, name, kwargs):
    pairs = _pair(rng, name, kwargs, groups=True)
    _step(rng, pairs, 3)
    sm, st = pairs[0][1].state_dict(), pairs[1][1].state_dict()
    assert list(sm) == list(st) == ["state", "param_groups"]
    assert list(sm["state"]) == list(st["state"])
    for k in st["state"]:
        assert list(sm["state"][k]) == list(st["state"][k])
        for n, v in st["state"][k].items():
            assert isinstance(sm["state"][k][n], mg.Tensor)
            assert str(sm["state"][k][n].dtype) == str(v.dtype)[6:], n
            np.testing.assert_allclose(sm["state"][k][n].numpy(), v.numpy(), rtol=1e-12)
    assert sm["param_groups"] == st["param_groups"]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_torch_state_dict_resumes_here_and_back(rng, name, kwargs):
    """torch's state_dict, converted tensor by tensor, continues torch's trajectory here; and
    ours converted to torch tensors continues it in torch."""
    pairs = _pair(rng, name, kwargs, groups=True)
    _step(rng, pairs, 4)
    fresh = _pair(rng, name, {**kwargs, "lr": 0.9}, groups=True)
    for (ps, _), (qs, _) in zip(pairs, fresh):
        for p, q in zip(ps, qs):
            q.data = p.data.clone() if torch.is_tensor(q) else p.data.copy()
    fresh[0][1].load_state_dict(_to(mg, pairs[1][1].state_dict()))
    fresh[1][1].load_state_dict(_to(torch, pairs[0][1].state_dict()))
    assert fresh[0][1].param_groups[1]["lr"] == 0.02
    _step(rng, fresh, 6)
    _same_params(fresh, rtol=1e-11)


def test_state_dict_holds_references_and_load_casts():
    """As torch: state_dict() shares the live state; load_state_dict casts float state to
    the parameter's dtype but leaves 'step' alone, keeps entries of unknown index."""
    out = []
    for T, Opt, P in LIBS.values():
        p = P(T.ones(3, dtype=T.float32))
        o = Opt.Adam([p])
        p.grad = T.ones(3, dtype=T.float32)
        o.step()
        sd = o.state_dict()
        ref = sd["state"][0]["exp_avg"] is o.state[p]["exp_avg"]
        sd2 = {"state": {0: {"step": T.tensor(3.0, dtype=T.float64),
                             "exp_avg": T.ones(3, dtype=T.float64),
                             "exp_avg_sq": T.ones(3, dtype=T.float64)}, 7: {"x": 1}},
               "param_groups": sd["param_groups"]}
        o.load_state_dict(sd2)
        s = o.state[p]
        out.append((ref, str(s["step"].dtype)[-7:], str(s["exp_avg"].dtype)[-7:],
                    o.state.get(7), o.param_groups[0]["params"][0] is p))
    assert out[0] == out[1] == (True, "float64", "float32", {"x": 1}, True)


def test_load_errors_are_torchs():
    for T, Opt, P in LIBS.values():
        o = Opt.SGD([P(T.ones(2)), P(T.ones(2))], lr=0.1)
        with pytest.raises(ValueError, match="different number of parameter groups"):
            o.load_state_dict({"state": {}, "param_groups": []})
        with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
            o.load_state_dict({"state": {}, "param_groups": [{"params": [0], "lr": 0.1}]})


def _record(lib):
    """Every hook kind on one optimizer; returns the event log and the results."""
    T, Opt, P = LIBS[lib]
    log = []
    p = P(T.ones(2))
    o = Opt.SGD([p], lr=0.1)
    def note(tag):
        return lambda opt, a, k: log.append((tag, a[0] is opt, a[1:], sorted(k)))
    hs = [o.register_step_pre_hook(note("pre")), o.register_step_post_hook(note("post")),
          o.register_state_dict_pre_hook(lambda opt: log.append("sd_pre")),
          o.register_state_dict_pre_hook(lambda opt: log.append("sd_pre0"), prepend=True),
          o.register_state_dict_post_hook(lambda opt, sd: {**sd, "extra": 1}),
          o.register_load_state_dict_pre_hook(
              lambda opt, sd: log.append("ld_pre") or {**sd, "state": {}}),
          o.register_load_state_dict_post_hook(lambda opt: log.append("ld_post"))]
    p.grad = T.ones(2)
    o.step()

    def swap(opt, args, kwargs):
        log.append("swap")
        return args[:1], {"closure": lambda: 5.0}
    h = o.register_step_pre_hook(swap)
    loss = o.step()
    h.remove()
    o.step(None)
    sd = o.state_dict()
    o.load_state_dict(sd)
    for h in hs[:2]:
        h.remove()
    o.step()
    bad = o.register_step_pre_hook(lambda opt, a, k: 3)
    with pytest.raises(RuntimeError, match="must return None or a tuple of"):
        o.step()
    bad.remove()
    return log, loss, sorted(sd), p.tolist()


def test_hooks_behave_as_torchs():
    assert _record("mg") == _record("torch")


def test_global_step_hooks():
    seen = []
    for lib, reg in (("mg", mopt), ("torch", topt)):
        T, Opt, P = LIBS[lib]
        h1 = reg.register_optimizer_step_pre_hook(lambda o, a, k: seen.append((lib, "pre")))
        h2 = reg.register_optimizer_step_post_hook(lambda o, a, k: seen.append((lib, "post")))
        p = P(T.ones(2))
        o = Opt.Adam([p])
        p.grad = T.ones(2)
        o.step()
        h1.remove(), h2.remove()
        o.step()
    assert seen == [("mg", "pre"), ("mg", "post"), ("torch", "pre"), ("torch", "post")]


def test_add_param_group_is_torchs():
    for T, Opt, P in LIBS.values():
        a, b, c = P(T.ones(2)), P(T.ones(3)), P(T.ones(1))
        o = Opt.SGD([a], lr=0.1, momentum=0.5)
        g = {"params": b, "lr": 0.5}
        o.add_param_group(g)
        assert o.param_groups[1] is g and g["params"] == [b] and g["momentum"] == 0.5
        with pytest.raises(TypeError, match="param_group must be a dict, but got <class 'list'>"):
            o.add_param_group([c])
        with pytest.raises(TypeError, match="ordered collections"):
            o.add_param_group({"params": {c}})
        with pytest.raises(ValueError, match="more than one parameter group"):
            o.add_param_group({"params": [c, a]})
        with pytest.raises(ValueError, match="cannot add param group with names"):
            o.add_param_group({"params": [("c", c)]})
        with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of "
                                            "the params is int"):
            o.add_param_group({"params": [3]})
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            Opt.SGD([c, c], lr=0.1)
        assert any("duplicate parameters" in str(x.message) for x in w)
        o = Opt.SGD([("a", a), ("b", b)], lr=0.1)
        assert o.state_dict()["param_groups"][0]["param_names"] == ["a", "b"]
        with pytest.raises(ValueError, match="Some param names are missing"):
            Opt.SGD([("a", a), b], lr=0.1)
        with pytest.raises(ValueError, match="required optimization parameter lr"):
            torch_like = Opt.Optimizer([a], {"lr": mopt.required if T is mg else
                                           topt.required})
            torch_like.add_param_group({"params": [b]})


def test_zero_grad_as_torch():
    for T, Opt, P in LIBS.values():
        p = P(T.ones(2))
        o = Opt.SGD([p], lr=0.1)
        (p * p).sum().backward(create_graph=True)
        g = p.grad
        o.zero_grad(set_to_none=False)
        assert p.grad.tolist() == [0.0, 0.0] and p.grad.grad_fn is None
        assert not p.grad.requires_grad
        o.zero_grad()
        assert p.grad is None and g is not None


def test_subclass_step_calling_super_runs_hooks_as_torch():
    # torch wraps every class's own step, so a subclass calling super().step() runs the
    # hooks twice per step: so does minigrad
    counts = []
    for lib in (mg, torch):
        class Mine(lib.optim.SGD):
            def step(self, closure=None):
                return super().step(closure)
        p = lib.zeros(2, requires_grad=True)
        p.grad = lib.ones(2)
        opt = Mine([p], lr=0.5)
        calls = []
        opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
        opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
        opt.step()
        opt.step()
        counts.append((calls, p.detach().numpy().tolist()))
    assert counts[0] == counts[1] and counts[0][0] == ["pre", "pre", "post", "post"] * 2
