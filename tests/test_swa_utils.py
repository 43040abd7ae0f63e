"""optim.swa_utils and optim.SparseAdam vs torch: the averaging functions (bitwise),
AveragedModel over a run of parameter snapshots (SWA, EMA, custom, use_buffers), SWALR's
rates, update_bn's statistics, and the errors."""
import numpy as np
import pytest
import torch
import torch.optim.swa_utils as TS

import minigrad as mg
import minigrad.optim.swa_utils as MS
from minigrad import nn, optim


@pytest.fixture(autouse=True)
def _default_float32(defaults):
    """torch's own default dtype: an int n_averaged divides into float32 in both."""


def _models(rng, dt=np.float64):
    """The same Linear -> BatchNorm1d -> Linear model in both libraries."""
    tm = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3),
                             torch.nn.Linear(3, 2)).to(getattr(torch, dt.__name__))
    mm = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 2)).to(
        getattr(mg, dt.__name__))
    _randomize(rng, mm, tm, dt)
    return mm, tm


def _randomize(rng, mm, tm, dt):
    """Fresh random values in every parameter and float buffer of both models."""
    with torch.no_grad():
        for (n, t), (_, m) in zip(list(tm.named_parameters()) + list(tm.named_buffers()),
                                  list(mm.named_parameters()) + list(mm.named_buffers())):
            v = rng.standard_normal(tuple(t.shape)).astype(dt)
            if t.is_floating_point():
                v = np.abs(v) + 0.5 if "running_var" in n else v
                t.copy_(torch.tensor(v))
                m.data[...] = v
            else:
                t.fill_(int(rng.integers(0, 9)))
                m.data[...] = t.item()


def _assert_state_equal(ma, ta):
    sm, st = ma.state_dict(), ta.state_dict()
    assert list(sm) == list(st)
    for k in st:
        assert str(sm[k].dtype) == str(st[k].dtype)[6:], k
        np.testing.assert_array_equal(sm[k].numpy(), st[k].numpy(), err_msg=k)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1, 2, 6, 999])
def test_average_functions_are_torchs(rng, dt, n):
    a, p = rng.standard_normal((2, 5, 3)).astype(dt)
    for num in (n, "T"):
        nm = mg.tensor(n) if num == "T" else n
        nt = torch.tensor(n) if num == "T" else n
        for fm, ft in ((MS.get_swa_avg_fn(), TS.get_swa_avg_fn()),
                       (MS.get_ema_avg_fn(0.9), TS.get_ema_avg_fn(0.9))):
            np.testing.assert_array_equal(fm(mg.tensor(a), mg.tensor(p), nm).numpy(),
                                          ft(torch.tensor(a), torch.tensor(p), nt).numpy())
        for fm, ft in ((MS.get_swa_multi_avg_fn(), TS.get_swa_multi_avg_fn()),
                       (MS.get_ema_multi_avg_fn(0.95), TS.get_ema_multi_avg_fn(0.95))):
            am, at = [mg.tensor(a), mg.tensor(p * 2)], [torch.tensor(a), torch.tensor(p * 2)]
            fm(am, [mg.tensor(p), mg.tensor(a)], nm)
            ft(at, [torch.tensor(p), torch.tensor(a)], nt)
            for x, y in zip(am, at):
                np.testing.assert_array_equal(x.numpy(), y.numpy())


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["swa", "ema", "ema_multi", "swa_multi", "custom",
                                  "swa_buffers", "ema_multi_buffers"])
def test_averaged_model_matches_torch(rng, dt, kind):
    mm, tm = _models(rng, dt)
    kw = {"ema": lambda S: {"avg_fn": S.get_ema_avg_fn(0.8)},
          "ema_multi": lambda S: {"multi_avg_fn": S.get_ema_multi_avg_fn(0.7)},
          "swa_multi": lambda S: {"multi_avg_fn": S.get_swa_multi_avg_fn()},
          "custom": lambda S: {"avg_fn": lambda a, p, n: a * 0.5 + p * 0.25},
          "swa_buffers": lambda S: {"use_buffers": True},
          "ema_multi_buffers": lambda S: {"multi_avg_fn": S.get_ema_multi_avg_fn(0.7),
                                          "use_buffers": True}}.get(kind, lambda S: {})
    ma, ta = MS.AveragedModel(mm, **kw(MS)), TS.AveragedModel(tm, **kw(TS))
    _assert_state_equal(ma, ta)
    for _ in range(7):
        _randomize(rng, mm, tm, dt)
        ma.update_parameters(mm)
        ta.update_parameters(tm)
        _assert_state_equal(ma, ta)
    assert ma.n_averaged.item() == 7 and ma.n_averaged.dtype == mg.int64
    x = rng.standard_normal((5, 4)).astype(dt)
    ma.eval(), ta.eval()
    np.testing.assert_allclose(ma(mg.tensor(x)).detach().numpy(),
                               ta(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
    assert ma.module is not mm and not ma.module.training


@pytest.mark.parametrize("swa_lr", [0.05, [0.05, 0.2]])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 3, 10])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_swalr_rates_are_torchs(swa_lr, anneal_epochs, strategy):
    rates = []
    for lib, S in ((optim, MS), (torch.optim, TS)):
        T = mg if lib is optim else torch
        ps = [T.zeros(2, requires_grad=True), T.zeros(1, requires_grad=True)]
        o = lib.SGD([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.3}], lr=0.5)
        s = S.SWALR(o, swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
        out = [s.get_last_lr()]
        for _ in range(15):
            o.step()
            s.step()
            out.append(s.get_last_lr())
        sd = s.state_dict()
        rates.append((out, sorted(sd), [g["swa_lr"] for g in o.param_groups]))
        s.load_state_dict(sd)
        assert s.anneal_func(0.5) == pytest.approx(0.5)
    np.testing.assert_allclose(np.array(rates[0][0]), np.array(rates[1][0]), rtol=1e-14)
    assert rates[0][1:] == rates[1][1:]


def _bn_model(T):
    nn_ = T.nn
    return nn_.Sequential(nn_.Linear(4, 3), nn_.BatchNorm1d(3, momentum=0.3), nn_.ReLU(),
                          nn_.Linear(3, 3), nn_.BatchNorm1d(3))


@pytest.mark.parametrize("batches", ["tensors", "tuples"])
def test_update_bn_is_torchs(rng, batches):
    xs = [rng.standard_normal((int(rng.integers(2, 7)), 4)) for _ in range(5)]
    out, vals = [], None
    for T in (mg, torch):
        model = _bn_model(T).to(T.float64)
        vals = vals or [rng.standard_normal(tuple(p.shape)) for p in model.parameters()]
        for p, v in zip(model.parameters(), vals):
            if T is mg:
                p.data[...] = v
            else:
                p.data.copy_(torch.tensor(v))
        model.eval()
        loader = [T.tensor(x) if batches == "tensors" else (T.tensor(x), 0) for x in xs]
        (MS if T is mg else TS).update_bn(loader, model)
        out.append((model.state_dict(), model.training, model[1].momentum, model[4].momentum))
    assert out[0][1:] == out[1][1:] == (False, 0.3, 0.1)
    for k in out[1][0]:
        if "running" in k or "num_batches" in k:
            np.testing.assert_allclose(out[0][0][k].numpy(), out[1][0][k].numpy(), rtol=1e-12)
    MS.update_bn([mg.ones(2, 4)], nn.Linear(4, 2))         # no BatchNorm: nothing to do


def test_swa_errors_are_torchs():
    cases = [lambda S, T, Opt: S.get_ema_avg_fn(1.5),
             lambda S, T, Opt: S.get_ema_multi_avg_fn(-0.1),
             lambda S, T, Opt: S.AveragedModel(T.nn.Linear(2, 2), avg_fn=S.get_swa_avg_fn(),
                                             multi_avg_fn=S.get_swa_multi_avg_fn()),
             lambda S, T, Opt: S.SWALR(Opt.SGD([T.zeros(1, requires_grad=True)], lr=0.1), 0.05,
                                     anneal_strategy="exp"),
             lambda S, T, Opt: S.SWALR(Opt.SGD([T.zeros(1, requires_grad=True)], lr=0.1), 0.05,
                                     anneal_epochs=2.5),
             lambda S, T, Opt: S.SWALR(Opt.SGD([T.zeros(1, requires_grad=True)], lr=0.1), 0.05,
                                     anneal_epochs=-1),
             lambda S, T, Opt: S.SWALR(Opt.SGD([T.zeros(1, requires_grad=True)], lr=0.1),
                                     [0.05, 0.1])]
    for case in cases:
        with pytest.raises(Exception) as et:
            case(TS, torch, torch.optim)
        with pytest.raises(type(et.value)) as em:
            case(MS, mg, optim)
        assert str(em.value) == str(et.value)


SPARSE_BAD = [{"lr": 0.0}, {"lr": -1.0}, {"eps": 0.0}, {"betas": (1.0, 0.9)},
              {"betas": (0.9, -0.1)}]


@pytest.mark.parametrize("kwargs", SPARSE_BAD)
def test_sparse_adam_constructor_errors_are_torchs(kwargs):
    with pytest.raises(ValueError) as et:
        torch.optim.SparseAdam([torch.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as em:
        optim.SparseAdam([mg.zeros(2, requires_grad=True)], **kwargs)
    assert str(em.value) == str(et.value)


def test_sparse_adam_refuses_dense_gradients_as_torch():
    """minigrad's gradients are all dense; torch's SparseAdam raises for a dense one."""
    for T, Opt in ((torch, torch.optim), (mg, optim)):
        p, q = T.ones(3, requires_grad=True), T.ones(2, requires_grad=True)
        o = Opt.SparseAdam([p, q], lr=0.01, maximize=True)
        assert o.defaults == {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8,
                              "maximize": True}
        assert o.step(lambda: 2.0) == 2.0                   # no gradient yet: nothing to do
        q.grad = T.ones(2)
        with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients, "
                                               "please consider Adam instead"):
            o.step()
        assert p.tolist() == [1.0] * 3 and len(o.state) == 0
