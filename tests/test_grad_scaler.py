"""amp.GradScaler against torch.amp.GradScaler('cpu'): the same scales, growth trackers,
skipped steps and parameters over a training run with injected infs/NaNs, unscale_ before
clipping, several optimizers, state_dict round trips and the same errors; autocast's names
(only enabled=False is supported) and torch.cuda.amp's deprecated forms."""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")


def models(seed, dtype):
    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal((4, 3)).astype(dtype), rng.standard_normal(4).astype(dtype)]
    ours = [mg.tensor(w, requires_grad=True) for w in ws]
    ref = [torch.tensor(w, requires_grad=True) for w in ws]
    return ours, ref


def loss_of(lib, params, x, bad):
    w, b = params
    out = ((lib.tensor(x) @ w.t() + b) ** 2).mean()
    if bad == "inf":
        out = out * float("inf")
    elif bad == "nan":
        out = out * float("nan")
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("opt", ["SGD", "Adam"])
@pytest.mark.parametrize("unscale_first", [False, True])
def test_training_run_matches_torch(dtype, opt, unscale_first):
    ours, ref = models(1, dtype)
    kw = dict(init_scale=2.0 ** 10, growth_factor=3.0, backoff_factor=0.25, growth_interval=3)
    s, ts = mg.amp.GradScaler("cpu", **kw), torch.amp.GradScaler("cpu", **kw)
    o = getattr(mg.optim, opt)(ours, lr=0.01)
    to = getattr(torch.optim, opt)(ref, lr=0.01)
    rng = np.random.default_rng(2)
    bads = [None, None, "inf", None, None, None, None, "nan", None, None, None, None, None]
    for step, bad in enumerate(bads):
        x = rng.standard_normal((5, 3)).astype(dtype)
        o.zero_grad()
        to.zero_grad()
        s.scale(loss_of(mg, ours, x, bad)).backward()
        ts.scale(loss_of(torch, ref, x, bad)).backward()
        if unscale_first:
            s.unscale_(o)
            ts.unscale_(to)
            gn = mg.nn.utils.clip_grad_norm_(ours, 1.0)
            tgn = torch.nn.utils.clip_grad_norm_(ref, 1.0)
            np.testing.assert_allclose(float(gn), float(tgn), rtol=1e-6)
            for p, tp in zip(ours, ref):
                np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-6,
                                           atol=1e-7)
        assert s.step(o) is None and ts.step(to) is None
        s.update()
        ts.update()
        assert s.get_scale() == ts.get_scale(), (step, s.get_scale(), ts.get_scale())
        assert s._get_growth_tracker() == ts._get_growth_tracker()
        assert s.state_dict() == ts.state_dict()
        for p, tp in zip(ours, ref):
            np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-5,
                                       atol=1e-6)
    assert s._scale.dtype == mg.float32 and s._growth_tracker.dtype == mg.int32


def test_scale_structures_and_state_dict():
    s, ts = mg.amp.GradScaler("cpu"), torch.amp.GradScaler("cpu")
    a = np.arange(3.0)
    out = s.scale([mg.tensor(a), (mg.tensor(a[:1]), mg.tensor(2.0))])
    ref = ts.scale([torch.tensor(a), (torch.tensor(a[:1]), torch.tensor(2.0))])
    assert type(out) is list and type(out[1]) is tuple
    np.testing.assert_array_equal(out[0].numpy(), ref[0].numpy())
    np.testing.assert_array_equal(out[1][1].numpy(), ref[1][1].numpy())
    assert out[0].dtype == mg.float64 and ref[0].dtype == torch.float64
    gen = s.scale(iter([mg.tensor(a)]))
    assert not isinstance(gen, (list, tuple)) and list(gen)[0].shape == (3,)
    s.update(512.0)
    ts.update(512.0)
    s.update(mg.tensor(8.0))
    ts.update(torch.tensor(8.0))
    both_raise(lambda: s.update(mg.tensor([8.0])), lambda: ts.update(torch.tensor([8.0])),
               exact=False)
    assert s.state_dict() == ts.state_dict()
    fresh, tfresh = mg.amp.GradScaler("cpu"), torch.amp.GradScaler("cpu")
    fresh.load_state_dict(ts.state_dict())
    tfresh.load_state_dict(ts.state_dict())
    assert fresh.get_scale() == tfresh.get_scale() == 8.0
    back = pickle.loads(pickle.dumps(s))
    assert back.get_scale() == 8.0 and back.state_dict() == s.state_dict()
    for name, value in (("growth_factor", 4.0), ("backoff_factor", 0.1),
                        ("growth_interval", 7)):
        getattr(s, f"set_{name}")(value)
        assert getattr(s, f"get_{name}")() == value


def both_raise(ours, ref, exact=True):
    with pytest.raises(Exception) as r:
        ref()
    with pytest.raises(r.type) as o:
        ours()
    assert str(o.value) == str(r.value) or not exact


def test_errors_match_torch():
    both_raise(lambda: mg.amp.GradScaler("cpu", growth_factor=1.0),
               lambda: torch.amp.GradScaler("cpu", growth_factor=1.0))
    both_raise(lambda: mg.amp.GradScaler("cpu", backoff_factor=1.5),
               lambda: torch.amp.GradScaler("cpu", backoff_factor=1.5))
    ours, ref = models(3, "float32")
    s, ts = mg.amp.GradScaler("cpu"), torch.amp.GradScaler("cpu")
    o, to = mg.optim.SGD(ours, lr=0.1), torch.optim.SGD(ref, lr=0.1)
    both_raise(lambda: s.step(o), lambda: ts.step(to))
    both_raise(lambda: s.update(), lambda: ts.update())
    both_raise(lambda: s.unscale_(o), lambda: ts.unscale_(to))
    both_raise(lambda: s.scale(3.0), lambda: ts.scale(3.0))
    x = np.ones((2, 3), np.float32)
    s.scale(loss_of(mg, ours, x, None)).backward()
    ts.scale(loss_of(torch, ref, x, None)).backward()
    both_raise(lambda: s.update(), lambda: ts.update())     # no inf checks recorded yet
    both_raise(lambda: s.step(o, closure=lambda: 0), lambda: ts.step(to, closure=lambda: 0))
    s.unscale_(o)
    ts.unscale_(to)
    both_raise(lambda: s.unscale_(o), lambda: ts.unscale_(to))
    s.step(o)
    ts.step(to)
    both_raise(lambda: s.step(o), lambda: ts.step(to))
    both_raise(lambda: s.unscale_(o), lambda: ts.unscale_(to))
    both_raise(lambda: pickle.dumps(s), lambda: pickle.dumps(ts))
    both_raise(lambda: s.update(mg.tensor([1.0, 2.0])), lambda: ts.update(torch.tensor(
        [1.0, 2.0])))
    s.update()
    ts.update()
    both_raise(lambda: mg.amp.GradScaler("cpu").load_state_dict({}),
               lambda: torch.amp.GradScaler("cpu").load_state_dict({}))
    h = mg.tensor(np.ones(2, np.float16), requires_grad=True)
    th = torch.tensor(np.ones(2, np.float16), requires_grad=True)
    s.scale((h.float() * 2).sum()).backward()
    ts.scale((th.float() * 2).sum()).backward()
    both_raise(lambda: s.unscale_(mg.optim.SGD([h], lr=1.0)),
               lambda: ts.unscale_(torch.optim.SGD([th], lr=1.0)))


def test_disabled_and_cuda_fallback():
    s, ts = mg.amp.GradScaler("cpu", enabled=False), torch.amp.GradScaler("cpu", enabled=False)
    x = mg.tensor(3.0)
    assert s.scale(x) is x and s.get_scale() == ts.get_scale() == 1.0
    assert s.state_dict() == ts.state_dict() == {} and not s.is_enabled()
    ours, _ = models(4, "float32")
    o = mg.optim.SGD(ours, lr=0.1)
    (ours[0].sum()).backward()
    before = ours[0].detach().numpy().copy()
    s.step(o)                                   # a plain optimizer step
    assert not np.array_equal(before, ours[0].detach().numpy())
    if not mg.cuda.is_available() and not torch.cuda.is_available():
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            g = mg.amp.GradScaler()
        assert not g.is_enabled() and "CUDA is not available" in str(w[0].message)
        with pytest.warns(FutureWarning, match=r"torch\.amp\.GradScaler\('cuda', args"):
            mg.cuda.amp.GradScaler()


def test_autocast_names():
    with mg.autocast("cpu", enabled=False):
        y = mg.ones(2) * 2
    assert y.dtype == mg.float32
    assert mg.amp.autocast("cuda", enabled=False)(lambda: 5)() == 5
    with pytest.raises(NotImplementedError, match="CPU only"):     # (tests/test_autocast.py)
        mg.autocast("cuda", dtype=mg.float16)
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        mg.autocast(3)
    with pytest.raises(ValueError) as r:
        torch.autocast(3)
    with pytest.raises(RuntimeError, match="Invalid device string: 'tpu'"):
        mg.autocast("tpu", enabled=False)
    assert mg.is_autocast_enabled() is torch.is_autocast_enabled() is False
    assert mg.amp.is_autocast_available("cpu") is True
    with pytest.warns(FutureWarning, match=r"torch\.amp\.autocast\('cuda', args"):
        mg.cuda.amp.autocast(enabled=False)

    class Twice(mg.autograd.Function):
        @staticmethod
        @mg.amp.custom_fwd(device_type="cpu", cast_inputs=mg.float16)
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @mg.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            return g * 2
    x = mg.ones(3, requires_grad=True)
    out = Twice.apply(x)
    out.sum().backward()
    assert out.dtype == mg.float32 and np.array_equal(x.grad.numpy(), [2.0, 2.0, 2.0])
    assert str(r.value).startswith("Expected `device_type`")
