"""The schedulers beyond StepLR & co. stepped side by side with torch 2.13's: learning rates,
cycled momentum / betas, state_dict round trips, compositions, errors and warnings."""
import copy
import math
import warnings

import pytest
import torch

import minigrad as mg
from minigrad import nn, optim

ML, TL = optim.lr_scheduler, torch.optim.lr_scheduler
KEYS = ("lr", "initial_lr", "momentum", "betas", "max_lr", "min_lr", "max_momentum",
        "base_momentum")


def _opts(kind="sgd", lrs=(0.1, 0.03), **kw):
    """A minigrad and a torch optimizer with one param group per entry of lrs."""
    mps = [nn.Parameter(mg.zeros(2)) for _ in lrs]
    tps = [torch.nn.Parameter(torch.zeros(2)) for _ in lrs]
    if kind == "sgd":
        kw.setdefault("momentum", 0.9)
    mcls, tcls = {"sgd": (optim.SGD, torch.optim.SGD),
                  "adam": (optim.Adam, torch.optim.Adam)}[kind]
    om = mcls([{"params": [p], "lr": lr} for p, lr in zip(mps, lrs)], lr=lrs[0], **kw)
    ot = tcls([{"params": [p], "lr": lr} for p, lr in zip(tps, lrs)], lr=lrs[0], **kw)
    return om, ot


def _same(om, ot, sm, st):
    assert sm.get_last_lr() == st.get_last_lr()
    for gm, gt in zip(om.param_groups, ot.param_groups, strict=True):
        for k in KEYS:
            assert (k in gm) == (k in gt), k
            if k in gt:
                assert gm[k] == gt[k], k


def _step(om, ot, sm, st, n, metrics=None):
    for i in range(n):
        om.step(), ot.step()
        if metrics is None:
            sm.step(), st.step()
        else:
            sm.step(metrics[i]), st.step(metrics[i])
        _same(om, ot, sm, st)


def _plain(v):
    """State-dict values comparable across the libraries (drop callables)."""
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items() if not callable(x)}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _same_state(sm, st):
    a, b = sm.state_dict(), st.state_dict()
    assert sorted(a) == sorted(b)
    assert _plain(a) == _plain(b)


# (name, builder(L, opt), optimizer kind, steps)
CASES = [
    ("constant", lambda L, o: L.ConstantLR(o), "sgd", 30),
    ("constant_f", lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=7), "sgd", 30),
    ("constant_0", lambda L, o: L.ConstantLR(o, factor=0.25, total_iters=0), "sgd", 10),
    ("linear", lambda L, o: L.LinearLR(o), "sgd", 30),
    ("linear_down", lambda L, o: L.LinearLR(o, 1.0, 0.1, total_iters=13), "adam", 40),
    ("linear_up", lambda L, o: L.LinearLR(o, start_factor=0.2, end_factor=0.9,
                                          total_iters=20), "sgd", 40),
    ("mult", lambda L, o: L.MultiplicativeLR(o, lambda e: 0.95), "sgd", 40),
    ("mult_list", lambda L, o: L.MultiplicativeLR(
        o, [lambda e: 0.9 + 0.001 * e, lambda e: 1.01]), "sgd", 40),
    ("poly", lambda L, o: L.PolynomialLR(o), "sgd", 30),
    ("poly_p", lambda L, o: L.PolynomialLR(o, total_iters=25, power=2.5), "adam", 40),
    ("poly_half", lambda L, o: L.PolynomialLR(o, total_iters=17, power=0.5), "sgd", 30),
    ("sgdr", lambda L, o: L.CosineAnnealingWarmRestarts(o, 7), "sgd", 60),
    ("sgdr_mult", lambda L, o: L.CosineAnnealingWarmRestarts(o, 3, T_mult=2, eta_min=0.001),
     "sgd", 100),
    ("cyclic", lambda L, o: L.CyclicLR(o, 0.001, 0.1, step_size_up=5), "sgd", 60),
    ("cyclic_down", lambda L, o: L.CyclicLR(o, [0.001, 0.002], [0.1, 0.05], step_size_up=4,
                                            step_size_down=9, base_momentum=0.7,
                                            max_momentum=[0.95, 0.9]), "sgd", 60),
    ("cyclic_tri2", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 3, mode="triangular2"), "sgd", 60),
    ("cyclic_exp", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 4, mode="exp_range", gamma=0.97),
     "sgd", 60),
    ("cyclic_fn", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 4, scale_fn=lambda x: 0.5 ** x),
     "sgd", 60),
    ("cyclic_fn_it", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 4, scale_fn=lambda x: 1 / (1 + x),
                                             scale_mode="iterations"), "sgd", 60),
    ("cyclic_adam", lambda L, o: L.CyclicLR(o, 0.001, 0.01, 5, step_size_down=3), "adam", 60),
    ("cyclic_nomom", lambda L, o: L.CyclicLR(o, 0.001, 0.01, 5, cycle_momentum=False),
     "adam", 30),
    ("onecycle", lambda L, o: L.OneCycleLR(o, 0.1, total_steps=60), "sgd", 60),
    ("onecycle_lin", lambda L, o: L.OneCycleLR(o, [0.1, 0.2], epochs=5, steps_per_epoch=10,
                                               anneal_strategy="linear", pct_start=0.4),
     "sgd", 50),
    ("onecycle_3", lambda L, o: L.OneCycleLR(o, 0.05, total_steps=80, three_phase=True,
                                             div_factor=10.0, final_div_factor=100.0),
     "adam", 80),
    ("onecycle_mom", lambda L, o: L.OneCycleLR(o, 0.05, total_steps=45, base_momentum=0.8,
                                               max_momentum=[0.99, 0.9]), "adam", 45),
    ("onecycle_nomom", lambda L, o: L.OneCycleLR(o, 0.05, total_steps=30,
                                                 cycle_momentum=False), "sgd", 30),
    ("seq", lambda L, o: L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=5),
                                            L.CosineAnnealingLR(o, T_max=20)], [5]), "sgd", 40),
    ("seq3", lambda L, o: L.SequentialLR(o, [L.ConstantLR(o, 0.5, 4), L.ExponentialLR(o, 0.9),
                                             L.StepLR(o, 3, 0.5)], [6, 15]), "adam", 40),
    ("seq_poly", lambda L, o: L.SequentialLR(o, [L.ExponentialLR(o, 0.8),
                                                 L.PolynomialLR(o, 10, 2.0)], [3]), "sgd", 30),
    ("chain", lambda L, o: L.ChainedScheduler([L.ConstantLR(o, 0.1, 4),
                                               L.ExponentialLR(o, 0.9)]), "sgd", 30),
    ("chain_opt", lambda L, o: L.ChainedScheduler(
        [L.LinearLR(o, 0.5, total_iters=6), L.MultiStepLR(o, [3, 8], 0.5),
         L.CosineAnnealingLR(o, 9)], optimizer=o), "sgd", 30),
]


@pytest.mark.parametrize("name,build,kind,steps", CASES, ids=[c[0] for c in CASES])
def test_schedule_matches_torch(name, build, kind, steps):
    om, ot = _opts(kind)
    sm, st = build(ML, om), build(TL, ot)
    _same(om, ot, sm, st)
    _step(om, ot, sm, st, steps)
    _same_state(sm, st)


@pytest.mark.parametrize("name,build,kind,steps", CASES, ids=[c[0] for c in CASES])
def test_state_dict_round_trip_continues(name, build, kind, steps):
    om, ot = _opts(kind)
    sm, st = build(ML, om), build(TL, ot)
    half = steps // 2
    _step(om, ot, sm, st, half)
    osd, ssd = copy.deepcopy(om.state_dict()), copy.deepcopy(sm.state_dict())
    om2, _ = _opts(kind)
    sm2 = build(ML, om2)           # construct first, then load (torch's documented order)
    om2.load_state_dict(osd)
    sm2.load_state_dict(ssd)
    _same(om2, ot, sm2, st)
    _step(om2, ot, sm2, st, steps - half)


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_fractional_epochs(T_mult):
    om, ot = _opts()
    sm = ML.CosineAnnealingWarmRestarts(om, 4, T_mult=T_mult, eta_min=0.002)
    st = TL.CosineAnnealingWarmRestarts(ot, 4, T_mult=T_mult, eta_min=0.002)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [0.0, 0.25, 0.5, 1.7, 3.99, 4.0, 4.3, 9.1, 13.5, 27.25, 2.0, 40.6, 100.0]:
            sm.step(epoch), st.step(epoch)
            _same(om, ot, sm, st)
            assert sm.last_epoch == st.last_epoch and sm.T_i == st.T_i
            assert sm.T_cur == pytest.approx(st.T_cur, rel=1e-12)
    with pytest.raises(ValueError, match="Expected non-negative epoch"):
        sm.step(-1)


@pytest.mark.parametrize("build", [
    lambda L, o: L.ConstantLR(o, 0.5, 6), lambda L, o: L.LinearLR(o, 0.2, total_iters=8),
    lambda L, o: L.PolynomialLR(o, 9, 1.5), lambda L, o: L.StepLR(o, 3, 0.5),
    lambda L, o: L.MultiStepLR(o, [2, 5, 5], 0.5), lambda L, o: L.ExponentialLR(o, 0.9),
    lambda L, o: L.CosineAnnealingLR(o, 6, 0.001), lambda L, o: L.MultiplicativeLR(
        o, lambda e: 0.9)])
def test_step_with_epoch_uses_closed_form(build):
    om, ot = _opts()
    sm, st = build(ML, om), build(TL, ot)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [3, 1, 7, 12, 0, 5, 5, 20]:
            sm.step(epoch), st.step(epoch)
            _same(om, ot, sm, st)


PLATEAU = [
    {}, {"mode": "max"}, {"patience": 2, "factor": 0.5},
    {"patience": 1, "cooldown": 3, "threshold_mode": "abs", "threshold": 0.05},
    {"mode": "max", "threshold_mode": "abs", "patience": 0, "factor": 0.3},
    {"patience": 1, "min_lr": [0.01, 0.001], "factor": 0.2},
    {"patience": 0, "min_lr": 0.02, "eps": 1e-3, "factor": 0.9},
]


@pytest.mark.parametrize("kwargs", PLATEAU)
def test_reduce_on_plateau_matches_torch(rng, kwargs):
    walk = rng.standard_normal(80).cumsum() * 0.1
    metrics = list(1.0 + 0.5 * math.sin(0.2) + walk)
    metrics[10:25] = [metrics[10]] * 15               # a flat plateau
    om, ot = _opts()
    sm, st = ML.ReduceLROnPlateau(om, **kwargs), TL.ReduceLROnPlateau(ot, **kwargs)
    _step(om, ot, sm, st, 40, metrics)
    _same_state(sm, st)
    om2, _ = _opts()
    sm2 = ML.ReduceLROnPlateau(om2, **kwargs)
    om2.load_state_dict(copy.deepcopy(om.state_dict()))
    sm2.load_state_dict(copy.deepcopy(sm.state_dict()))
    _step(om2, ot, sm2, st, 40, metrics[40:])
    assert sm2.best == st.best and sm2.num_bad_epochs == st.num_bad_epochs


def test_reduce_on_plateau_tensor_metric_and_new_group():
    om, ot = _opts()
    sm, st = ML.ReduceLROnPlateau(om, patience=0), TL.ReduceLROnPlateau(ot, patience=0)
    for v in [1.0, 2.0, 3.0]:
        sm.step(mg.tensor(v)), st.step(torch.tensor(v))
        _same(om, ot, sm, st)
    om2, ot2 = _opts()
    sm2 = ML.ReduceLROnPlateau(om2, min_lr=[0, 0], patience=0)
    st2 = TL.ReduceLROnPlateau(ot2, min_lr=[0, 0], patience=0)
    om2.add_param_group({"params": [nn.Parameter(mg.zeros(1))]})
    ot2.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))]})
    for s in (sm2, st2):
        s.step(1.0)
        with pytest.raises(RuntimeError, match="differs from when `ReduceLROnPlateau`"):
            s.step(2.0)


def _errors(L, om, kind):
    """(callable, exception type) pairs torch rejects."""
    sgd_nomom = (optim.SGD if L is ML else torch.optim.SGD)(om.param_groups[0]["params"], 0.1)
    adam = om if kind == "adam" else None
    pairs = [
        (lambda: L.ConstantLR(om, factor=1.5), ValueError),
        (lambda: L.ConstantLR(om, factor=-0.1), ValueError),
        (lambda: L.LinearLR(om, start_factor=0), ValueError),
        (lambda: L.LinearLR(om, end_factor=1.2), ValueError),
        (lambda: L.MultiplicativeLR(om, 0.9), TypeError),
        (lambda: L.MultiplicativeLR(om, [lambda e: 1.0]), ValueError),
        (lambda: L.CosineAnnealingWarmRestarts(om, 0), ValueError),
        (lambda: L.CosineAnnealingWarmRestarts(om, 2.5), ValueError),
        (lambda: L.CosineAnnealingWarmRestarts(om, 2, T_mult=0), ValueError),
        (lambda: L.CosineAnnealingWarmRestarts(om, 2, T_mult=1.5), ValueError),
        (lambda: L.CosineAnnealingWarmRestarts(om, 2, eta_min="0"), ValueError),
        (lambda: L.CyclicLR(om, 0.1, 1.0, mode="foo"), ValueError),
        (lambda: L.CyclicLR(om, [0.1], 1.0), ValueError),
        (lambda: L.CyclicLR(om, 0.1, [1.0, 2.0, 3.0]), ValueError),
        (lambda: L.CyclicLR(sgd_nomom, 0.1, 1.0, base_momentum=[0.1, 0.2]), ValueError),
        (lambda: L.CyclicLR(object(), 0.1, 1.0), TypeError),
        (lambda: L.OneCycleLR(om, 0.1), ValueError),
        (lambda: L.OneCycleLR(om, 0.1, total_steps=0), ValueError),
        (lambda: L.OneCycleLR(om, 0.1, total_steps=5.0), ValueError),
        (lambda: L.OneCycleLR(om, 0.1, epochs=0, steps_per_epoch=3), ValueError),
        (lambda: L.OneCycleLR(om, 0.1, epochs=2, steps_per_epoch=-3), ValueError),
        (lambda: L.OneCycleLR(om, 0.1, total_steps=10, pct_start=1.5), ValueError),
        (lambda: L.OneCycleLR(om, 0.1, total_steps=10, pct_start=1), ValueError),
        (lambda: L.OneCycleLR(om, 0.1, total_steps=10, anneal_strategy="exp"), ValueError),
        (lambda: L.OneCycleLR(om, [0.1], total_steps=10), ValueError),
        (lambda: L.OneCycleLR(object(), 0.1, total_steps=10), TypeError),
        (lambda: L.ReduceLROnPlateau(om, factor=1.0), ValueError),
        (lambda: L.ReduceLROnPlateau(om, mode="avg"), ValueError),
        (lambda: L.ReduceLROnPlateau(om, threshold_mode="pct"), ValueError),
        (lambda: L.ReduceLROnPlateau(om, min_lr=[0.1]), ValueError),
        (lambda: L.ReduceLROnPlateau(object()), TypeError),
        (lambda: L.SequentialLR(om, [], []), ValueError),
        (lambda: L.SequentialLR(om, [L.StepLR(om, 2), L.StepLR(om, 3)], [1, 2]), ValueError),
        (lambda: L.SequentialLR(om, [L.ReduceLROnPlateau(om)], []), ValueError),
        (lambda: L.SequentialLR(om, [object()], []), TypeError),
        (lambda: L.ChainedScheduler([]), ValueError),
        (lambda: L.ChainedScheduler([L.StepLR(om, 2), L.ReduceLROnPlateau(om)]), ValueError),
        (lambda: L.ChainedScheduler([L.StepLR(om, 2), L.StepLR(sgd_nomom, 2)]), ValueError),
        (lambda: L.StepLR(_opts(kind)[L is TL], 2, last_epoch=3), KeyError),
    ]
    if adam is None:
        pairs.append((lambda: L.CyclicLR(sgd_nomom.__class__(
            [{"params": om.param_groups[0]["params"]}], 0.1, momentum=0.5), 0.1, 1.0,
            max_momentum=[0.1, 0.2]), ValueError))
    return pairs


@pytest.mark.parametrize("kind", ["sgd", "adam"])
def test_bad_arguments_raise_torchs_errors(kind):
    om, ot = _opts(kind)
    mine, theirs = _errors(ML, om, kind), _errors(TL, ot, kind)
    for i, ((fm, em), (ft, et)) in enumerate(zip(mine, theirs, strict=True)):
        with pytest.raises(et) as info_t:
            ft()
        with pytest.raises(em) as info_m:
            fm()
        assert info_m.type is info_t.type, i
        if "optimizer" not in str(info_t.value):
            assert str(info_m.value) == str(info_t.value), i


def test_cycle_momentum_needs_momentum_or_betas():
    class NoMomentum(optim.Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": 0.1})
    o = NoMomentum([nn.Parameter(mg.zeros(1))])
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        ML.CyclicLR(o, 0.01, 0.1)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        ML.OneCycleLR(o, 0.1, total_steps=10)
    ML.CyclicLR(o, 0.01, 0.1, cycle_momentum=False)      # fine without momentum cycling


def test_one_cycle_past_total_steps_raises_like_torch():
    om, ot = _opts()
    sm, st = ML.OneCycleLR(om, 0.1, total_steps=5), TL.OneCycleLR(ot, 0.1, total_steps=5)
    _step(om, ot, sm, st, 5)
    for s, o in ((st, ot), (sm, om)):
        o.step()
        with pytest.raises(ValueError, match="Tried to step 6 times. The specified number of "
                                             "total steps is 5"):
            s.step()


def test_warnings_match_torch():
    for L, (om, _) in ((ML, _opts()), (TL, _opts()[::-1])):
        s = L.LinearLR(om)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            s.step()
        om.step()
        with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
            s.step(3)
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            s.get_lr()
    for L, (om, _) in ((ML, _opts()), (TL, _opts()[::-1])):
        s = L.StepLR(om, 2)
        om.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            s.step()                                      # right order: no warning


def test_importable_from_torchs_path():
    from minigrad.optim.lr_scheduler import (  # noqa: F401
        ChainedScheduler, ConstantLR, CosineAnnealingWarmRestarts, CyclicLR, LinearLR,
        LRScheduler, MultiplicativeLR, OneCycleLR, PolynomialLR, ReduceLROnPlateau,
        SequentialLR)
    for name in TL.__all__:
        assert hasattr(ML, name), name
    assert issubclass(ML.ReduceLROnPlateau, ML.LRScheduler)


@pytest.mark.parametrize("build", [
    lambda L, o: L.StepLR(o, 3, 0.5), lambda L, o: L.LinearLR(o, 0.3, total_iters=6),
    lambda L, o: L.CosineAnnealingLR(o, 7), lambda L, o: L.CosineAnnealingWarmRestarts(o, 4),
    lambda L, o: L.CyclicLR(o, 0.01, 0.1, 3), lambda L, o: L.OneCycleLR(o, 0.1, total_steps=40),
    lambda L, o: L.ReduceLROnPlateau(o, patience=1), lambda L, o: L.MultiplicativeLR(
        o, lambda e: 0.9), lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, 0.5, 3), L.ExponentialLR(o, 0.9)], [4])])
def test_tensor_lr_is_filled_in_place_and_copied_out(build):
    """A Tensor lr stays the same Tensor (filled in place); get_last_lr returns copies."""
    runs = []
    for T, Opt, L, P in ((mg, optim, ML, nn.Parameter), (torch, torch.optim, TL,
                                                       torch.nn.Parameter)):
        lr = T.tensor(0.05, dtype=T.float64)
        o = Opt.SGD([P(T.zeros(2, dtype=T.float64))], lr=lr, momentum=0.9)
        s, out = build(L, o), []
        for _ in range(30):
            o.step()
            s.step(1.0) if isinstance(s, L.ReduceLROnPlateau) else s.step()
            v = s.get_last_lr()[0]
            out.append((isinstance(v, T.Tensor), float(v), o.param_groups[0]["lr"] is lr,
                        v is not lr))
        runs.append(out)
    assert runs[0] == runs[1]
    assert all(r[0] and r[2] and r[3] for r in runs[0])
