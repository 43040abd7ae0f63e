"""How gradients land in .grad (minigrad/accumulate_grad.py) against torch's AccumulateGrad:
identity and in-place accumulation, no aliasing of memory someone else holds, zero_grad
without set_to_none, and post-accumulate hooks running while backward goes on."""
import weakref

import numpy as np
import pytest
import torch

import minigrad as mg

LIBS = [pytest.param(mg, id="minigrad"), pytest.param(torch, id="torch")]


def _leaf(lib, values):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def _identity_story(lib):
    """What a user can observe of .grad across backward passes, as plain values."""
    w = _leaf(lib, [1.0, 2.0, 3.0])
    (w * 2).sum().backward()
    first = w.grad
    (w * w).sum().backward()
    same_after_accumulate = first is w.grad
    seen = first.tolist()                       # a kept reference sees the sum
    w.grad.zero_()
    (w * 3).sum().backward(create_graph=True)   # under create_graph: a new tensor
    same_after_create_graph = first is w.grad
    return same_after_accumulate, seen, same_after_create_graph, w.grad.tolist()


def test_grad_identity_and_in_place_accumulation_match_torch():
    assert _identity_story(mg) == _identity_story(torch)
    assert _identity_story(mg)[:2] == (True, [4.0, 6.0, 8.0])


@pytest.mark.parametrize("lib", LIBS)
def test_backward_of_a_leaf_does_not_alias_the_given_gradient(lib):
    x = _leaf(lib, [1.0, 2.0])
    g = lib.tensor(np.array([5.0, 7.0]))
    x.backward(g)
    assert x.grad is not g
    g.mul_(100)                         # the caller's tensor changes: .grad must not
    x.backward(lib.tensor(np.array([1.0, 1.0])))
    assert x.grad.tolist() == [6.0, 8.0]
    assert g.tolist() == [500.0, 700.0]     # and accumulation did not write into it


def _function_returning(lib, keep):
    """A custom Function whose backward returns a fresh gradient, kept by it or not."""
    state = {}

    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            r = grad * 3
            if keep:
                state["kept"] = r
            state["ref"] = weakref.ref(r)
            return r
    return Scale, state


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("hooked", [False, True], ids=["at_end", "early"])
def test_a_gradient_kept_elsewhere_is_copied_and_a_fresh_one_is_not(lib, hooked):
    for keep in (True, False):
        fn, state = _function_returning(lib, keep)
        x, y = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
        if hooked:
            x.register_post_accumulate_grad_hook(lambda p: None)
        (fn.apply(x) * y).sum().backward()
        assert x.grad.tolist() == [9.0, 12.0]
        if keep:
            assert x.grad is not state["kept"]
            state["kept"].mul_(0)       # mutating the kept tensor leaves .grad alone
            assert x.grad.tolist() == [9.0, 12.0]
        elif lib is mg:                 # torch hands the same tensor over too (use_count)
            assert x.grad is state["ref"](), "a gradient nobody else holds was copied"


@pytest.mark.parametrize("lib", LIBS)
def test_a_hook_that_keeps_its_result_does_not_share_it_with_grad(lib):
    kept = []
    c = _leaf(lib, [1.0, 1.0])
    c.register_hook(lambda g: kept.append(g * 3) or kept[-1])
    (c * 2).sum().backward()
    kept[0].zero_()
    assert c.grad.tolist() == [6.0, 6.0]


@pytest.mark.parametrize("lib", LIBS)
def test_leaves_fed_the_same_gradient_get_separate_memory(lib):
    a, b = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
    for t in (a, b):
        t.register_post_accumulate_grad_hook(lambda p: None)
    (a + b).sum().backward()
    a.grad.add_(1)
    assert b.grad.tolist() == [1.0, 1.0]


def _zero_grad_story(lib, where):
    lin = lib.nn.Linear(3, 2).double()
    opt = lib.optim.SGD(lin.parameters(), lr=0.1)
    x = lib.tensor(np.ones((4, 3)))
    lin(x).sum().backward()
    before = lin.weight.grad
    (opt if where == "optimizer" else lin).zero_grad(set_to_none=False)
    zeroed = before.tolist()
    lin(x).sum().backward()
    return before is lin.weight.grad, zeroed, lin.weight.grad.tolist()


@pytest.mark.parametrize("where", ["optimizer", "module"])
def test_zero_grad_without_set_to_none_zeroes_in_place(where):
    ours, theirs = _zero_grad_story(mg, where), _zero_grad_story(torch, where)
    assert ours == theirs
    assert ours[0] is True and ours[1] == [[0.0] * 3] * 2


def _early_story(lib):
    """Which gradients exist when each parameter's post-accumulate hook runs."""
    torch.manual_seed(0)
    lin1, lin2 = torch.nn.Linear(4, 3), torch.nn.Linear(3, 1)
    if lib is mg:
        lin1, lin2 = mg.nn.Linear(4, 3), mg.nn.Linear(3, 1)
    seen = []
    params = {"w1": lin1.weight, "b1": lin1.bias, "w2": lin2.weight, "b2": lin2.bias}
    for name, p in params.items():
        def hook(t, name=name):
            assert t.grad is not None
            seen.append((name, sorted(k for k, q in params.items() if q.grad is not None)))
        p.register_post_accumulate_grad_hook(hook)
    x = lib.ones(5, 4, dtype=lin1.weight.dtype)
    lin2(lin1(x).tanh()).sum().backward()
    return {name: have for name, have in seen}


def test_post_accumulate_hooks_run_as_soon_as_a_gradient_is_complete():
    ours, theirs = _early_story(mg), _early_story(torch)
    # the last layer's hooks run before the first layer's gradients exist, in both
    assert "w1" not in ours["w2"] and "w1" not in ours["b2"]
    assert ours["w2"] == theirs["w2"] and ours["b2"] == theirs["b2"]
    assert sorted(ours) == sorted(theirs) == ["b1", "b2", "w1", "w2"]


def test_a_leaf_reached_twice_lands_once_with_the_sum():
    w = mg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.tolist()))
    ((w * 2).sum() + (w * w).sum()).backward()
    assert calls == [[4.0, 6.0]]


def _retained_story(lib):
    """retain_grad() on a non-leaf: copies, not aliases; later backwards add out of place."""
    x = _leaf(lib, [1.0, 2.0, 3.0])
    z = x * 3
    z.retain_grad()
    seed = lib.tensor(np.array([2.0, 2.0, 2.0]))
    z.backward(seed, retain_graph=True)
    first = z.grad
    seed.mul_(10)                       # the caller's seed changes: z.grad must not
    after_seed = first.tolist()
    z.backward(lib.tensor(np.array([1.0, 1.0, 1.0])))
    return first is z.grad, after_seed, first.tolist(), z.grad.tolist(), x.grad.tolist()


def test_retained_gradients_match_torch():
    ours, theirs = _retained_story(mg), _retained_story(torch)
    assert ours == theirs
    assert ours[1] == [2.0, 2.0, 2.0] and ours[3] == [3.0, 3.0, 3.0]
