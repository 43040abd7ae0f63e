"""Adam, AdamW and SGD vs torch.optim: exact single steps (float32 and float64) from torch's own
state, 100-step trajectories on random gradient sequences, state layout and dtypes, foreach,
signatures and torch's argument errors."""
import inspect

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad import nn, optim


@pytest.fixture(autouse=True)
def _torch_default_dtype(defaults):
    """Both libraries at float32 default (torch's own): 'step' is then float32 in both."""


ADAM = [
    {}, {"lr": 0.1, "weight_decay": 0.1}, {"lr": 0.02, "betas": (0.8, 0.9), "amsgrad": True},
    {"lr": 0.01, "betas": (0.6, 0.99), "amsgrad": True, "weight_decay": 0.3, "maximize": True},
    {"lr": 0.05, "eps": 1e-3, "maximize": True}, {"lr": 0.1, "betas": (0.0, 0.5)},
]
ADAM_CASES = [(c, k) for c in ("Adam", "AdamW") for k in ADAM] + [
    ("Adam", {"lr": 0.05, "weight_decay": 0.2, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.2,
              "decoupled_weight_decay": True})]
SGD_CASES = [("SGD", k) for k in (
    {"lr": 0.1}, {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.5, "nesterov": True, "maximize": True},
    {"lr": 0.05, "maximize": True, "weight_decay": 0.2})]
# a 0-d, an empty, a transposed (non-contiguous) and an ordinary parameter
SHAPES = [(), (0,), (5, 4), (3, 7)]


def _params(rng, dt):
    w = [rng.standard_normal(s).astype(dt) for s in SHAPES]
    mp = [nn.Parameter(mg.tensor(a)) for a in w]
    tp = [torch.nn.Parameter(torch.tensor(a)) for a in w]
    mp[2], tp[2] = nn.Parameter(mg.tensor(w[2]).t()), torch.nn.Parameter(torch.tensor(w[2]).t())
    return mp, tp


def _grads(rng, dt, mp):
    """Gradients spanning four decades, so every term of the update matters."""
    return [(rng.standard_normal(tuple(p.shape)) * 10 ** rng.uniform(-3, 1)).astype(dt)
            for p in mp]


def _set_grads(mp, tp, gs):
    for m, t, g in zip(mp, tp, gs):
        m.grad, t.grad = mg.tensor(g.copy()), torch.tensor(g.copy())


def _to_mg(sd):
    """torch's state_dict converted tensor by tensor (each a fresh minigrad tensor)."""
    state = {k: {n: mg.tensor(v.numpy().copy()) if torch.is_tensor(v) else v
                 for n, v in s.items()} for k, s in sd["state"].items()}
    return {"state": state, "param_groups": sd["param_groups"]}


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", ADAM_CASES + SGD_CASES)
def test_each_step_is_torchs_exactly(rng, dt, name, kwargs):
    """Each step starts from torch's parameters and state (loaded through load_state_dict)
    and must give torch's result bit for bit: the moments everywhere, the parameters except
    where torch's sqrt is not the correctly rounded one (its MKL kernel is off by one ulp on
    ~0.6% of inputs; NumPy's is exact)."""
    mp, tp = _params(rng, dt)
    om, ot = getattr(optim, name)(mp, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    for _ in range(12):
        _set_grads(mp, tp, _grads(rng, dt, mp))
        for m, t in zip(mp, tp):
            m.data[...] = t.detach().numpy()
        om.load_state_dict(_to_mg(ot.state_dict()))
        before = [t.detach().numpy().copy() for t in tp]
        om.step(), ot.step()
        for m, t, t0 in zip(mp, tp, before):
            sm, st = om.state.get(m, {}), ot.state.get(t, {})
            assert sorted(sm) == sorted(st)
            for k in st:
                np.testing.assert_array_equal(sm[k].numpy(), st[k].numpy(), err_msg=k)
                assert sm[k].dtype == getattr(mg, str(st[k].dtype)[6:]), k
            ok = np.ones(tuple(t.shape), bool)
            if "exp_avg_sq" in st:
                v = st["max_exp_avg_sq" if "max_exp_avg_sq" in st else "exp_avg_sq"]
                ok = v.sqrt().numpy() == np.sqrt(v.numpy())
            a, b = m.detach().numpy(), t.detach().numpy()
            np.testing.assert_array_equal(a[ok], b[ok])
            # elsewhere a one-ulp change of the denominator: a few ulps of the update
            assert (np.abs(a - b) <= 4 * np.finfo(dt).eps * (np.abs(b) + np.abs(t0))).all()


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", ADAM_CASES + SGD_CASES)
def test_trajectory_matches_torch(rng, dt, name, kwargs):
    """100 free-running steps; SGD is bitwise, Adam within the drift that torch's one-ulp
    sqrt differences leave (measured ~1e-13 float64, ~1e-5 float32, relative)."""
    mp, tp = _params(rng, dt)
    om, ot = getattr(optim, name)(mp, **kwargs), getattr(torch.optim, name)(tp, **kwargs)
    for _ in range(100):
        _set_grads(mp, tp, _grads(rng, dt, mp))
        om.step(), ot.step()
    for m, t in zip(mp, tp):
        a, b = m.detach().numpy(), t.detach().numpy()
        if name == "SGD":
            np.testing.assert_array_equal(a, b)
        else:
            tol = 1e-11 if dt == np.float64 else 1e-3
            scale = max(1.0, np.abs(b).max(initial=0))
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol * scale)


@pytest.mark.parametrize("name,kwargs", [("Adam", {"amsgrad": True, "weight_decay": 0.1}),
                                         ("AdamW", {}), ("SGD", {"momentum": 0.9})])
def test_foreach_choices_give_torchs_numbers(rng, name, kwargs):
    """foreach None/False/True are one computation here; torch's multi-tensor path agrees."""
    mp0, tp = _params(rng, np.float64)
    ot = getattr(torch.optim, name)(tp, lr=0.05, foreach=True, **kwargs)
    runs = [[nn.Parameter(p.detach().clone()) for p in mp0] for _ in range(3)]
    opts = [getattr(optim, name)(ps, lr=0.05, foreach=f, **kwargs)
            for ps, f in zip(runs, (None, False, True))]
    for _ in range(20):
        gs = _grads(rng, np.float64, mp0)
        for ps in runs:
            _set_grads(ps, tp, gs)
        for o in opts:
            o.step()
        ot.step()
    for i, t in enumerate(tp):
        for ps in runs[1:]:
            np.testing.assert_array_equal(ps[i].detach().numpy(), runs[0][i].detach().numpy())
        np.testing.assert_allclose(runs[0][i].detach().numpy(), t.detach().numpy(),
                                   rtol=1e-12, atol=1e-12)
    for o in opts:
        assert o.param_groups[0]["foreach"] == o.defaults["foreach"]


def test_state_layout_and_step_dtype(rng):
    """'step' is a 0-d float32 tensor (float64 under a float64 default, torch's
    _get_scalar_dtype); moments take the parameter's dtype; groups carry torch's keys."""
    mp, tp = _params(rng, np.float32)
    om, ot = optim.Adam(mp, amsgrad=True), torch.optim.Adam(tp, amsgrad=True)
    _set_grads(mp, tp, _grads(rng, np.float32, mp))
    om.step(), ot.step()
    sm, st = om.state_dict(), ot.state_dict()
    assert sorted(sm["state"]) == sorted(st["state"])
    assert sorted(sm["param_groups"][0]) == sorted(st["param_groups"][0])
    for k, v in st["param_groups"][0].items():
        assert sm["param_groups"][0][k] == (list(v) if k == "params" else v), k
    s = sm["state"][3]
    assert s["step"].shape == () and s["step"].dtype == mg.float32 and s["step"].item() == 1
    assert s["exp_avg"].dtype == mg.float32 and s["max_exp_avg_sq"].shape == (3, 7)
    torch.set_default_dtype(torch.float64)
    mg.set_default_dtype(mg.float64)
    om, ot = optim.AdamW(mp), torch.optim.AdamW(tp)
    om.step(), ot.step()
    assert om.state[mp[0]]["step"].dtype == mg.float64 == getattr(
        mg, str(ot.state[tp[0]]["step"].dtype)[6:])


def test_tensor_lr_and_schedulers(rng):
    """A float64 Tensor lr stays the group's Tensor and steps like the float."""
    mp, tp = _params(rng, np.float64)
    om = optim.Adam(mp, lr=mg.tensor(0.05, dtype=mg.float64), weight_decay=0.1,
                    decoupled_weight_decay=True)
    ot = torch.optim.Adam(tp, lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)
    assert isinstance(om.param_groups[0]["lr"], mg.Tensor)
    for _ in range(5):
        _set_grads(mp, tp, _grads(rng, np.float64, mp))
        om.step(), ot.step()
    for m, t in zip(mp, tp):
        np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-13)
    with pytest.raises(TypeError, match="float64 Tensor"):
        optim.Adam(mp, lr=mg.tensor(0.05))


@pytest.mark.parametrize("name", ["Adam", "AdamW", "SGD"])
def test_signature_is_torchs(name):
    sm = inspect.signature(getattr(optim, name))
    st = inspect.signature(getattr(torch.optim, name))
    assert [(p.name, p.kind, p.default) for p in sm.parameters.values()] == \
        [(p.name, p.kind, p.default) for p in st.parameters.values()]


BAD = [
    ("Adam", {"lr": -1.0}), ("Adam", {"eps": -1e-3}), ("Adam", {"betas": (1.0, 0.9)}),
    ("Adam", {"betas": (0.9, -0.1)}), ("Adam", {"weight_decay": -1.0}),
    ("Adam", {"betas": (0, 0.9)}), ("AdamW", {"betas": (0.9, 1)}),
    ("Adam", {"lr": "T", "foreach": True}), ("Adam", {"lr": "T2"}),
    ("Adam", {"betas": ("T", "T"), "foreach": True}), ("Adam", {"betas": ("T2", "T")}),
    ("Adam", {"fused": True, "differentiable": True}),
    ("AdamW", {"fused": True, "foreach": True}), ("SGD", {"lr": -0.1}),
    ("SGD", {"momentum": -0.5}), ("SGD", {"weight_decay": -1.0}),
    ("SGD", {"nesterov": True}), ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("SGD", {"lr": "T2"}), ("SGD", {"fused": True, "foreach": True}),
    ("SGD", {"fused": True, "differentiable": True}),
]


def _arg(lib, v):
    if v == "T":
        return lib.tensor(0.9, dtype=lib.float64)
    if v == "T2":
        return lib.tensor([0.1, 0.2], dtype=lib.float64)
    if isinstance(v, tuple):
        return tuple(_arg(lib, x) for x in v)
    return v


@pytest.mark.parametrize("name,kwargs", BAD)
def test_errors_are_torchs(name, kwargs):
    with pytest.raises(Exception) as et:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))],
                                   **{k: _arg(torch, v) for k, v in kwargs.items()})
    with pytest.raises(type(et.value)) as em:
        getattr(optim, name)([nn.Parameter(mg.ones(2))],
                             **{k: _arg(mg, v) for k, v in kwargs.items()})
    assert str(et.value) in str(em.value)


@pytest.mark.parametrize("name,kwargs", [
    ("Adam", {"fused": True}), ("AdamW", {"capturable": True}),
    ("Adam", {"differentiable": True}), ("SGD", {"fused": True}),
    ("SGD", {"differentiable": True})])
def test_unsupported_modes_raise(name, kwargs):
    with pytest.raises(RuntimeError, match=f"{name}: {next(iter(kwargs))}=True is not "):
        getattr(optim, name)([nn.Parameter(mg.ones(2))], **kwargs)
    p = nn.Parameter(mg.ones(2))
    o = getattr(optim, name)([p], lr=0.1)
    o.param_groups[0].update(kwargs)                    # a group may switch it on later
    p.grad = mg.ones(2)
    with pytest.raises(RuntimeError, match="is not supported by minigrad"):
        o.step()


def test_tensor_betas_are_refused_clearly():
    p = nn.Parameter(mg.ones(2))
    with pytest.raises(TypeError, match="Adam: minigrad takes betas as Python floats"):
        optim.Adam([p], betas=(mg.tensor(0.9), mg.tensor(0.99)))
