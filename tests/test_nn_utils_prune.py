"""nn.utils.prune against torch 2.13: the deterministic methods (L1, Ln, custom masks,
global L1, their combination in a PruningContainer) give torch's masks on the same weights,
ties included (weights drawn from a few values, so that torch.topk's choice among equal
entries matters); the random ones give torch's counts and structure. Names of parameters,
buffers and hooks, forward values and gradients, remove(), is_pruned and the errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.nn.utils import prune
from minigrad.nn.utils.prune_select import topk_indices

torch = pytest.importorskip("torch")
import torch.nn.utils.prune as tprune  # noqa: E402  (torch.nn.utils does not import it)
RNG = np.random.default_rng()


def _weights(shape, ties):
    w = RNG.integers(-3, 4, shape).astype(np.float64) if ties else RNG.standard_normal(shape)
    return w


def _pair(shape=(6, 5, 3, 3), ties=True, dtype=np.float64):
    t = torch.nn.Conv2d(shape[1], shape[0], shape[2:]) if len(shape) == 4 else \
        torch.nn.Linear(shape[1], shape[0])
    m = mg.nn.Conv2d(shape[1], shape[0], shape[2:]) if len(shape) == 4 else \
        mg.nn.Linear(shape[1], shape[0])
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    t = t.to(tdt)
    m = m.to(mg.float64 if dtype == np.float64 else mg.float32)
    w = _weights(shape, ties).astype(dtype)
    b = RNG.standard_normal(shape[0]).astype(dtype)
    with torch.no_grad():
        t.weight.copy_(torch.tensor(w))
        t.bias.copy_(torch.tensor(b))
    m.load_state_dict({"weight": w, "bias": b})
    return t, m


def _same(a, b):
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def _check_state(t, m, name="weight"):
    assert list(m.state_dict()) == list(t.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    _same(getattr(m, name + "_mask"), getattr(t, name + "_mask"))
    _same(getattr(m, name), getattr(t, name))
    assert getattr(m, name + "_mask").dtype == mg.float64 or \
        getattr(t, name + "_mask").dtype != torch.float64
    assert type(m._forward_pre_hooks[next(iter(m._forward_pre_hooks))]).__name__ == \
        type(next(iter(t._forward_pre_hooks.values()))).__name__


@pytest.mark.parametrize("amount", [0, 1, 7, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("ties", [True, False])
def test_l1_unstructured_masks(amount, ties):
    t, m = _pair(ties=ties)
    tprune.l1_unstructured(t, "weight", amount)
    assert prune.l1_unstructured(m, "weight", amount) is m
    _check_state(t, m)
    # a second pruning combines masks in a PruningContainer
    tprune.l1_unstructured(t, "weight", 0.25)
    prune.l1_unstructured(m, "weight", 0.25)
    _check_state(t, m)
    assert isinstance(next(iter(m._forward_pre_hooks.values())), prune.PruningContainer)
    # forward and backward through the mask
    x = RNG.standard_normal((2, 5, 4, 4))
    yt, ym = t(torch.tensor(x)), m(mg.tensor(x))
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), atol=1e-12)
    yt.sum().backward()
    ym.sum().backward()
    np.testing.assert_allclose(m.weight_orig.grad.numpy(), t.weight_orig.grad.numpy())
    prune.remove(m, "weight")
    tprune.remove(t, "weight")
    assert list(m.state_dict()) == list(t.state_dict())
    assert isinstance(m.weight, mg.nn.Parameter)
    _same(m.weight, t.weight)
    assert not prune.is_pruned(m)


@pytest.mark.parametrize("n", [1, 2, float("inf"), -float("inf"), "fro"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("amount", [1, 0.5, 0])
def test_ln_structured_masks(n, dim, amount):
    t, m = _pair(ties=True)
    try:
        tprune.ln_structured(t, "weight", amount, n, dim)
    except RuntimeError as e:       # torch.norm(p="fro") over 3 dims
        with pytest.raises(RuntimeError, match=str(e).split(":")[0]):
            prune.ln_structured(m, "weight", amount, n, dim)
        return
    prune.ln_structured(m, "weight", amount, n, dim)
    _check_state(t, m)
    tprune.ln_structured(t, "weight", 1, n, 0)      # structured on top: a container
    prune.ln_structured(m, "weight", 1, n, 0)
    _check_state(t, m)


def test_importance_scores_custom_mask_and_mixed():
    t, m = _pair((7, 9), ties=True)
    s = _weights((7, 9), True)
    tprune.l1_unstructured(t, "weight", 20, importance_scores=torch.tensor(s))
    prune.l1_unstructured(m, "weight", 20, importance_scores=mg.tensor(s))
    _check_state(t, m)
    mask = RNG.integers(0, 2, (7,)).astype(np.float64)
    tprune.custom_from_mask(t, "bias", torch.tensor(mask))
    prune.custom_from_mask(m, "bias", mg.tensor(mask))
    _check_state(t, m, "bias")
    tprune.ln_structured(t, "weight", 2, 1, 1, importance_scores=torch.tensor(s))
    prune.ln_structured(m, "weight", 2, 1, 1, importance_scores=mg.tensor(s))
    _check_state(t, m)
    tprune.identity(t, "weight")
    prune.identity(m, "weight")
    _check_state(t, m)
    hook, = [h for h in m._forward_pre_hooks.values() if h._tensor_name == "weight"]
    assert len(hook) == 3


@pytest.mark.parametrize("amount", [0.2, 15, 0.9])
def test_global_unstructured(amount):
    pairs = [_pair((4, 6), ties=True), _pair((3, 4, 2, 2), ties=True)]
    tprune.l1_unstructured(pairs[0][0], "weight", 3)      # one already pruned
    prune.l1_unstructured(pairs[0][1], "weight", 3)
    tprune.global_unstructured([(p[0], "weight") for p in pairs] + [(pairs[0][0], "bias")],
                               pruning_method=tprune.L1Unstructured, amount=amount)
    prune.global_unstructured([(p[1], "weight") for p in pairs] + [(pairs[0][1], "bias")],
                              pruning_method=prune.L1Unstructured, amount=amount)
    for t, m in pairs:
        _check_state(t, m)
    _check_state(*pairs[0], "bias")


@pytest.mark.parametrize("amount", [3, 0.5])
def test_random_methods_structure(amount):
    t, m = _pair(ties=False)
    tprune.random_unstructured(t, "weight", amount)
    prune.random_unstructured(m, "weight", amount)
    assert int((m.weight_mask == 0).sum()) == int((t.weight_mask == 0).sum())
    assert list(m.state_dict()) == list(t.state_dict())
    np.testing.assert_array_equal(m.weight.detach().numpy(), m.weight_orig.detach().numpy()
                                  * m.weight_mask.numpy())
    t, m = _pair(ties=False)
    tprune.random_structured(t, "weight", amount, dim=1)
    prune.random_structured(m, "weight", amount, dim=1)
    mm = m.weight_mask.numpy()
    kept = mm.sum(axis=(0, 2, 3)) != 0
    assert int(kept.sum()) == int((t.weight_mask.sum(dim=(0, 2, 3)) != 0).sum())
    assert np.all(mm[:, kept] == 1) and np.all(mm[:, ~kept] == 0)


def test_pruning_method_objects():
    w = _weights((5, 4), True)
    for tm, mm in ((tprune.L1Unstructured(0.4), prune.L1Unstructured(0.4)),
                   (tprune.LnStructured(2, 2, dim=0), prune.LnStructured(2, 2, dim=0)),
                   (tprune.Identity(), prune.Identity())):
        _same(mm.prune(mg.tensor(w)), tm.prune(torch.tensor(w)))
    c = prune.PruningContainer()
    c._tensor_name = "w"
    with pytest.raises(TypeError, match="is not a BasePruningMethod subclass"):
        c.add_pruning_method(3)
    other = prune.Identity()
    other._tensor_name = "b"
    with pytest.raises(ValueError, match="Can only add pruning methods acting on"):
        c.add_pruning_method(other)


@pytest.mark.parametrize("call, exc, msg", [
    (lambda m: prune.l1_unstructured(m, "weight", -1), ValueError, "amount=-1 should"),
    (lambda m: prune.l1_unstructured(m, "weight", 1.5), ValueError, "amount=1.5 should"),
    (lambda m: prune.l1_unstructured(m, "weight", "a"), TypeError, "Invalid type for amount"),
    (lambda m: prune.l1_unstructured(m, "weight", 100), ValueError, "should be smaller than"),
    (lambda m: prune.ln_structured(m, "bias", 1, 2, 0), ValueError,
     "Structured pruning can only be applied to multidimensional"),
    (lambda m: prune.ln_structured(m, "weight", 1, 2, 2), IndexError, "Invalid index 2"),
    (lambda m: prune.l1_unstructured(m, "weight", 1, importance_scores=mg.ones(3)),
     AssertionError, "importance_scores should have the same shape"),
    (lambda m: prune.remove(m, "weight"), ValueError, "has to be pruned before"),
    (lambda m: prune.custom_from_mask(m, "weight", mg.ones(3)), AssertionError,
     "default_mask shape"),
    (lambda m: prune.global_unstructured([(m, "weight")], prune.RandomStructured, amount=1),
     TypeError, 'Only "unstructured" PRUNING_TYPE'),
    (lambda m: prune.global_unstructured(3, prune.L1Unstructured, amount=1), TypeError,
     "parameters is not an Iterable"),
])
def test_errors(call, exc, msg):
    t, m = _pair((4, 3))
    with pytest.raises(exc, match=msg):
        call(m)
    assert sorted(n for n, _ in m.named_parameters()) == ["bias", "weight"]   # restored


def test_is_pruned_and_containers():
    seq = mg.nn.Sequential(mg.nn.Linear(3, 4), mg.nn.ReLU())
    assert not prune.is_pruned(seq)
    prune.random_unstructured(seq[0], "bias", 2)
    assert prune.is_pruned(seq)


@pytest.mark.parametrize("largest", [False, True])
def test_topk_tie_choice_matches_torch(largest):
    for _ in range(200):
        n = int(RNG.integers(1, 300))
        a = RNG.integers(0, int(RNG.integers(1, 5)), n).astype(np.float32)
        k = int(RNG.integers(1, n + 1)) if RNG.random() < 0.5 else max(1, n // 70)
        ti = np.sort(torch.topk(torch.tensor(a), k, largest=largest).indices.numpy())
        np.testing.assert_array_equal(topk_indices(a, k, largest), ti)
