"""Tensor's layout and metadata methods and Tensor.unfold, fill_diagonal_, sum_to_size, where,
the in-place aliases and the in-place random fills (random_, geometric_, cauchy_,
log_normal_), against torch: values, gradients, second derivatives, layouts, errors."""
import numpy as np
import pytest
import scipy.stats
import torch
from conftest import check_op

import minigrad as mg

# views whose layout torch and minigrad agree on (flip is not one: torch copies)
VIEWS = {
    "fresh": lambda t: t,
    "t": lambda t: t.t(),
    "slice": lambda t: t[1:, ::2],
    "select": lambda t: t[:, 1],
    "expand": lambda t: t[:1].expand(3, 4),
    "unsqueeze": lambda t: t.unsqueeze(1),
    "permute": lambda t: t.reshape(3, 2, 2).permute(2, 0, 1),
    "narrow": lambda t: t.narrow(1, 1, 2),
    "unfold": lambda t: t.unfold(1, 2, 1),
    "contiguous": lambda t: t.t().contiguous(),
    "elementwise of t": lambda t: t.t() * 2,
    "0-d": lambda t: t[1, 2],
    "empty": lambda t: t[:0],
}


@pytest.mark.parametrize("name", list(VIEWS))
def test_layout_as_torch(name):
    a = np.arange(12.0).reshape(3, 4)
    m, t = VIEWS[name](mg.tensor(a)), VIEWS[name](torch.tensor(a))
    assert m.stride() == t.stride()
    for d in range(m.ndim):
        assert m.stride(d) == t.stride(d) and m.stride(d - m.ndim) == t.stride(d - t.ndim)
    assert m.is_contiguous() == t.is_contiguous()
    assert m.storage_offset() == t.storage_offset()
    assert (m.element_size(), m.itemsize, m.nbytes, m.nelement(), m.ndimension()) == \
        (t.element_size(), t.itemsize, t.nbytes, t.nelement(), t.ndimension())
    assert (m.get_device(), m.is_cpu) == (t.get_device(), t.is_cpu)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool"])
def test_type_names_and_casts(dtype):
    m = mg.zeros(2, dtype=getattr(mg, dtype))
    t = torch.zeros(2, dtype=getattr(torch, dtype))
    assert m.type() == t.type()
    assert m.type(mg.float64).dtype == mg.float64 and m.type(t.type()).dtype == m.dtype
    assert m.type("torch.ShortTensor").dtype == mg.int16
    for cast in ["byte", "char", "short"]:
        assert str(getattr(m, cast)().dtype) == str(getattr(t, cast)().dtype).split(".")[1]
    with pytest.raises(ValueError, match="invalid type"):
        m.type("torch.NopeTensor")


def test_retains_grad_and_detach_in_place():
    for lib in (mg, torch):
        w = lib.ones(2, requires_grad=True)
        y = w * 2
        assert not y.retains_grad and not w.retains_grad
        y.retain_grad()
        assert y.retains_grad
        z = w * 3
        assert z.detach_() is z and not z.requires_grad and z.grad_fn is None
        with pytest.raises(RuntimeError, match="Can't detach views in-place"):
            (w * 2)[0:1].detach_()


@pytest.mark.parametrize("shape,size,step,dim", [
    ((7,), 3, 2, 0), ((7,), 3, 1, 0), ((4, 9), 4, 3, 1), ((5, 3, 2), 2, 2, 0),
    ((5, 3, 2), 1, 1, -1), ((6,), 6, 1, 0), ((6,), 0, 2, 0), ((0, 3), 0, 1, 0),
    ((2, 5), 2, 7, 1), ((), 1, 1, 0), ((), 0, 1, 0)])
def test_unfold_values_and_gradients(rng, shape, size, step, dim):
    x = rng.standard_normal(shape)
    check_op(lambda a: a.unfold(dim, size, step), lambda a: a.unfold(dim, size, step), [x],
             double=True)
    if len(shape) == 2:                      # a non-contiguous input
        check_op(lambda a: a.t().unfold(0, 1, 1), lambda a: a.t().unfold(0, 1, 1), [x])


def test_unfold_is_a_view():
    for lib in (mg, torch):
        base = lib.arange(6.0)
        w = base.unfold(0, 2, 2)
        w.add_(1)                                   # windows apart: a write reaches the base
        assert base.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    b = mg.arange(6.0)
    with pytest.raises(RuntimeError, match="overlap"):      # torch writes through anyway
        b.unfold(0, 3, 1).add_(1)
    x = mg.arange(6.0, requires_grad=True) * 1          # in place through the view: rebased
    w = x.unfold(0, 2, 2)
    w.mul_(3)
    x.sum().backward()
    tx = torch.arange(6.0, requires_grad=True) * 1
    tw = tx.unfold(0, 2, 2)
    tw.mul_(3)
    tx.sum().backward()
    np.testing.assert_array_equal(x.detach().numpy(), tx.detach().numpy())


@pytest.mark.parametrize("call", [
    lambda L: L.tensor(5.0).unfold(0, 2, 1), lambda L: L.arange(4.0).unfold(0, 5, 1),
    lambda L: L.arange(4.0).unfold(0, 2, 0), lambda L: L.arange(4.0).unfold(1, 2, 1),
    lambda L: L.arange(4.0).unfold(0, -1, 1), lambda L: L.zeros(0, 3).unfold(0, 1, 1)])
def test_unfold_errors_as_torch(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(theirs.type, match="unfold"):
        call(mg)


@pytest.mark.parametrize("shape,wrap", [((3, 4), False), ((4, 3), False), ((7, 3), True),
                                        ((7, 3), False), ((3, 3, 3), False), ((1, 5), True)])
@pytest.mark.parametrize("dtype", ["float64", "int64", "bool"])
def test_fill_diagonal_as_torch(shape, wrap, dtype):
    value = True if dtype == "bool" else 2.75
    m = mg.ones(*shape, dtype=getattr(mg, dtype)).fill_diagonal_(value, wrap=wrap)
    t = torch.ones(*shape, dtype=getattr(torch, dtype)).fill_diagonal_(value, wrap=wrap)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


def test_fill_diagonal_gradient_and_errors(rng):
    x = rng.standard_normal((4, 3))
    check_op(lambda a: (a * 1).fill_diagonal_(0.5, wrap=True),
             lambda a: (a * 1).fill_diagonal_(0.5, wrap=True), [x], double=True)
    for bad in [lambda L: L.zeros(3).fill_diagonal_(1),
                lambda L: L.zeros(2, 3, 3).fill_diagonal_(1),
                lambda L: L.zeros(3, 3, requires_grad=True).fill_diagonal_(1)]:
        with pytest.raises(RuntimeError):
            bad(torch)
        with pytest.raises(RuntimeError):
            bad(mg)


def test_sum_to_size_where_and_in_place_aliases(rng):
    x = rng.standard_normal((2, 3, 4))
    for size in [(1, 3, 1), (4,), (3, 4), (2, 3, 4), (1, 1, 1)]:
        check_op(lambda a, s=size: a.sum_to_size(*s), lambda a, s=size: a.sum_to_size(*s), [x],
                 double=True)
    with pytest.raises(RuntimeError, match="not expandable"):
        mg.ones(2, 3).sum_to_size(2)
    cond = rng.random((2, 3, 4)) < 0.5
    check_op(lambda a, b: a.where(mg.tensor(cond), b), lambda a, b: a.where(torch.tensor(cond), b),
             [x, rng.standard_normal((3, 4))], double=True)
    y = rng.uniform(0.5, 2.0, (2, 3, 4))
    for m_op, t_op in [(lambda a, b: (a * 1).multiply_(b), lambda a, b: (a * 1).multiply_(b)),
                       (lambda a, b: (a * 1).divide_(b, rounding_mode=None),
                        lambda a, b: (a * 1).divide_(b, rounding_mode=None)),
                       (lambda a, b: (a * 1).subtract_(b, alpha=2),
                        lambda a, b: (a * 1).subtract_(b, alpha=2))]:
        check_op(m_op, t_op, [x, y])


def test_random_fill_ranges_as_torch():
    mg.manual_seed(0)
    torch.manual_seed(0)
    cases = [("float32", ()), ("float16", ()), ("int64", ()), ("int8", (5, None)),
             ("uint8", (0, 256)), ("bool", ()), ("float64", (-5, -2)), ("int32", (7,))]
    for dtype, args in cases:
        m = mg.zeros(20000, dtype=getattr(mg, dtype)).random_(*args).numpy().astype(np.float64)
        t = torch.zeros(20000, dtype=getattr(torch, dtype)).random_(*args).numpy()
        t = t.astype(np.float64)
        assert m.min() >= t.min() - 0.01 * (t.max() - t.min() + 1)
        assert m.max() <= t.max() + 0.01 * (t.max() - t.min() + 1)
        assert scipy.stats.ks_2samp(m, t).pvalue > 1e-4


@pytest.mark.parametrize("fill", [lambda x: x.geometric_(0.3), lambda x: x.cauchy_(1.0, 0.5),
                                  lambda x: x.log_normal_(0.5, 0.75)])
def test_random_fill_distributions_as_torch(fill):
    mg.manual_seed(1)
    torch.manual_seed(1)
    m = fill(mg.zeros(20000, dtype=mg.float64)).numpy()
    t = fill(torch.zeros(20000, dtype=torch.float64)).numpy()
    assert scipy.stats.ks_2samp(m, t).pvalue > 1e-4


@pytest.mark.parametrize("call", [
    lambda L: L.zeros(3).random_(5, 2), lambda L: L.zeros(3, dtype=L.uint8).random_(0, 257),
    lambda L: L.zeros(3, dtype=L.uint8).random_(-1, 5),
    lambda L: L.zeros(3, dtype=L.bool).random_(0, 3),
    lambda L: L.zeros(3, dtype=L.float16).random_(0, 2**20), lambda L: L.zeros(3).random_(2.5),
    lambda L: L.zeros(3).geometric_(1.0), lambda L: L.zeros(3).geometric_(0.0),
    lambda L: L.zeros(3, dtype=L.bool).geometric_(0.5), lambda L: L.zeros(3).cauchy_(0.0, 0.0),
    lambda L: L.zeros(3, dtype=L.int64).cauchy_(), lambda L: L.zeros(3).log_normal_(0.0, -1.0),
    lambda L: L.zeros(3, dtype=L.int64).log_normal_(),
    lambda L: L.zeros(3, requires_grad=True).random_()])
def test_random_fill_errors_as_torch(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(theirs.type):
        call(mg)


def test_random_fills_inside_vmap_and_with_a_generator():
    out = mg.func.vmap(lambda x: x.clone().random_(0, 1000), randomness="different")(
        mg.zeros(4, 5))
    assert len({tuple(r) for r in out.tolist()}) == 4
    g = mg.Generator()
    for fill in (lambda x: x.random_(0, 9, generator=g), lambda x: x.geometric_(0.4, generator=g),
                 lambda x: x.cauchy_(generator=g), lambda x: x.log_normal_(generator=g)):
        g.manual_seed(3)
        a = fill(mg.zeros(6)).numpy()
        g.manual_seed(3)
        np.testing.assert_array_equal(fill(mg.zeros(6)).numpy(), a)
