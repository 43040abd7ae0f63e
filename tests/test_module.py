"""Module, Parameter and containers: registration, traversal, modes, state_dict vs torch."""
import numpy as np
import pytest
import torch
from module_check import check_module, load_from_torch

import minigrad as mg
from minigrad import nn


def build(lib):
    """The same architecture in minigrad or torch (lib is mg.nn or torch.nn)."""
    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.features = lib.Sequential(lib.Conv2d(1, 4, 3, padding=1), lib.BatchNorm2d(4),
                                           lib.MaxPool2d(2))
            self.heads = lib.ModuleList([lib.Linear(16, 5), lib.Linear(5, 3, bias=False)])
            self.extra = lib.ModuleDict({"norm": lib.LayerNorm(5), "emb": lib.Embedding(7, 2)})
            self.register_buffer("scale", (torch if lib is torch.nn else mg).ones(3))
            self.register_buffer("tmp", (torch if lib is torch.nn else mg).zeros(2),
                                 persistent=False)

        def forward(self, x):
            h = self.features(x).flatten(1)
            return self.heads[1](self.extra["norm"](self.heads[0](h))) * self.scale
    return Net()


def test_state_dict_keys_shapes_and_repr_match_torch():
    m, t = build(nn), build(torch.nn)
    sm, st = m.state_dict(), t.state_dict()
    assert list(sm) == list(st)
    assert [tuple(v.shape) for v in sm.values()] == [tuple(v.shape) for v in st.values()]
    assert sm["features.1.num_batches_tracked"].dtype == mg.int64
    assert repr(m) == repr(t)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]


def test_torch_state_dict_loads_and_matches(rng):
    m, t = build(nn), build(torch.nn)
    with torch.no_grad():
        t.features[1].running_mean.uniform_()
    x = rng.standard_normal((3, 1, 4, 4))
    check_module(m, t, [x])             # train mode: batch stats, running buffers updated
    m.eval(), t.eval()
    check_module(m, t, [x], load=False)


def test_load_state_dict_errors_and_non_strict():
    m, t = build(nn), build(torch.nn)
    sd = {k: v.numpy() for k, v in t.state_dict().items()}
    bad = dict(sd)
    del bad["heads.0.bias"]
    bad["nope"] = np.zeros(1)
    bad["heads.1.weight"] = np.zeros((2, 2))
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(bad)
    msg = str(e.value)
    assert 'Missing key(s) in state_dict: "heads.0.bias"' in msg
    assert 'Unexpected key(s) in state_dict: "nope"' in msg
    assert "size mismatch for heads.1.weight" in msg and "(2, 2)" in msg and "(3, 5)" in msg
    del bad["heads.1.weight"]
    res = m.load_state_dict(bad, strict=False)
    assert res.missing_keys == ["heads.0.bias", "heads.1.weight"]
    assert res.unexpected_keys == ["nope"]
    with pytest.raises(RuntimeError, match="size mismatch"):
        m.load_state_dict({"heads.1.weight": np.zeros((1, 1))}, strict=False)
    # an old checkpoint without num_batches_tracked loads (torch fills it in)
    del sd["features.1.num_batches_tracked"]
    assert m.load_state_dict(sd).missing_keys == []


def test_load_keeps_dtype_device_and_identity():
    m = nn.Linear(3, 2)
    w = m.weight
    m.load_state_dict({"weight": np.ones((2, 3), np.float64), "bias": mg.zeros(2)})
    assert m.weight is w and m.weight.dtype == mg.float32
    assert np.all(m.weight.detach().numpy() == 1)
    sd = m.state_dict()
    assert not sd["weight"].requires_grad
    assert m.state_dict(keep_vars=True)["weight"] is w


def test_train_eval_propagate_and_zero_grad():
    m = build(nn)
    m.eval()
    assert all(not s.training for s in m.modules())
    m.train()
    assert all(s.training for s in m.modules())
    with pytest.raises(ValueError, match="boolean"):
        m.train("yes")
    out = m(mg.randn(2, 1, 4, 4))
    out.sum().backward()
    assert all(p.grad is not None for p in m.parameters() if p is not m.extra["emb"].weight)
    m.zero_grad(set_to_none=False)
    assert all(not np.any(p.grad.numpy()) for p in m.parameters() if p.grad is not None)
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_to_dtype_keeps_parameter_identity():
    m = build(nn)
    params = list(m.parameters())
    m.double()
    assert all(a is b for a, b in zip(params, m.parameters()))
    assert all(p.dtype == mg.float64 for p in m.parameters())
    assert m.features[1].num_batches_tracked.dtype == mg.int64
    with pytest.raises(TypeError, match="floating point"):
        m.to(mg.int32)


def test_registration_rules():
    m = nn.Module()
    m.w = nn.Parameter(mg.ones(2))
    m.sub = nn.Linear(2, 2)
    m.register_buffer("b", mg.zeros(1))
    assert [n for n, _ in m.named_parameters()] == ["w", "sub.weight", "sub.bias"]
    with pytest.raises(TypeError, match="parameter 'w'"):
        m.w = mg.ones(2)
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("w", mg.zeros(1))
    with pytest.raises(KeyError, match='"."'):
        m.register_parameter("a.b", None)
    m.w = None
    assert "w" not in dict(m.named_parameters())
    del m.sub
    assert list(m.children()) == []
    with pytest.raises(AttributeError, match="no attribute 'zzz'"):
        _ = m.zzz


def test_shared_parameters_counted_once():
    lin = nn.Linear(2, 2)
    m = nn.Sequential(lin, lin)
    assert len(list(m.parameters())) == 2
    assert list(m.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_apply_requires_grad_and_hooks():
    m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    seen = []
    m.apply(lambda s: seen.append(type(s).__name__))
    assert seen == ["Linear", "Linear", "Sequential"]
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    h = m[0].register_forward_hook(lambda mod, args, out: out * 0)
    assert np.all(m[0](mg.ones(1, 2)).numpy() == 0)
    h.remove()
    assert np.any(m[0](mg.ones(1, 2)).numpy() != 0)


def test_containers_behave_like_torch():
    ms, ts = nn.Sequential(*[nn.Linear(2, 2) for _ in range(4)]), \
        torch.nn.Sequential(*[torch.nn.Linear(2, 2) for _ in range(4)])
    assert len(ms) == 4 and isinstance(ms[1:3], nn.Sequential) and len(ms[1:3]) == 2
    assert ms[-1] is ms[3]
    del ms[1]
    del ts[1]
    assert list(ms.state_dict()) == list(ts.state_dict())
    with pytest.raises(IndexError):
        ms[10]
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.Identity()])
    tl = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.Identity()])
    assert repr(ml) == repr(tl)
    ml.insert(1, nn.Identity())
    assert list(dict(ml.named_children())) == ["0", "1", "2", "3", "4"]
    md = nn.ModuleDict({"a": nn.Identity()})
    md["b"] = nn.Linear(1, 1)
    assert list(md.keys()) == ["a", "b"] and "b" in md and len(md) == 2
    with pytest.raises(KeyError):
        md["zz"]


def test_parameter_basics():
    p = nn.Parameter(mg.zeros(2, 3))
    assert p.requires_grad and p.is_leaf and repr(p).startswith("Parameter containing:")
    assert not nn.Parameter(mg.zeros(1), requires_grad=False).requires_grad


def test_load_from_torch_helper_roundtrip(rng):
    t = torch.nn.Linear(4, 3).double()
    m = load_from_torch(nn.Linear(4, 3).double(), t)
    x = rng.standard_normal((2, 4))
    ours, theirs = m(mg.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)   # (sums in another order)


def test_load_state_dict_copies_in_place_like_torch(rng):
    """torch's load_state_dict is param.copy_(value): an alias of a parameter taken before
    the load sees the loaded values, and the parameter's version moves."""
    sd = {"weight": rng.standard_normal((3, 4)), "bias": rng.standard_normal(3)}
    m, t = mg.nn.Linear(4, 3).double(), torch.nn.Linear(4, 3).double()
    alias, talias = m.weight.detach(), t.weight.detach()
    before, tbefore = m.weight._version, t.weight._version
    m.load_state_dict({k: mg.tensor(v) for k, v in sd.items()})
    t.load_state_dict({k: torch.tensor(v) for k, v in sd.items()})
    np.testing.assert_array_equal(alias.numpy(), talias.numpy())
    np.testing.assert_array_equal(alias.numpy(), sd["weight"])
    assert m.weight._version - before == t.weight._version - tbefore == 1
    sd["weight"][0, 0] = 99.0                  # the model does not alias the state dict
    assert m.weight[0, 0].item() != 99.0


def test_named_members_under_shared_submodules_as_torch():
    def build(L):
        class Shared(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = L.nn.BatchNorm1d(2)
                self.b = self.a                         # one submodule, two names
                self.w = self.a.weight                  # one parameter, two names
                self.register_buffer("z", self.a.running_mean)
        return Shared()
    ours, theirs = build(mg), build(torch)
    for rd in (True, False):
        for fn in ("named_parameters", "named_buffers", "named_modules"):
            assert [n for n, _ in getattr(ours, fn)(remove_duplicate=rd)] == \
                [n for n, _ in getattr(theirs, fn)(remove_duplicate=rd)], (fn, rd)
    for fn in ("named_parameters", "named_buffers"):
        assert [n for n, _ in getattr(ours, fn)(prefix="m", recurse=False)] == \
            [n for n, _ in getattr(theirs, fn)(prefix="m", recurse=False)]
