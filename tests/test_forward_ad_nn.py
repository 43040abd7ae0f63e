"""Forward-mode rules of conv, pooling, matmul/einsum, cat/stack and the module-hook identity
against torch.autograd.forward_ad: tangents on some inputs only, float32, 0-d and empty
inputs."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import forward_ad as fw

torch = pytest.importorskip("torch")
tfw = torch.autograd.forward_ad

from jvp_check import check, jvp, rand, tangents  # noqa: E402  (after the torch skip)


def _f(L):
    return L.nn.functional


@pytest.mark.parametrize("which", [(0,), (1,), (2,), (0, 1, 2)])
def test_conv2d_tangent_of_each_input(which):
    x, w, b = rand(2, 4, 6, 5), rand(6, 2, 3, 3, seed=1), rand(6, seed=2)
    vs = [v if k in which else None for k, v in enumerate(tangents([x, w, b], 3))]
    check(lambda L, a, c, d: _f(L).conv2d(a, c, d, stride=(2, 1), padding=(1, 2),
                                          dilation=(1, 2), groups=2), x, w, b, vs=vs)


def test_conv_transpose_and_unbatched_conv():
    x, w, b = rand(2, 3, 4, 5), rand(3, 2, 3, 2, seed=1), rand(2, seed=2)
    check(lambda L, a, c, d: _f(L).conv_transpose2d(a, c, d, stride=2, output_padding=1),
          x, w, b)
    check(lambda L, a, c, d: _f(L).conv1d(a, c, d, padding="same"), rand(3, 7),
          rand(2, 3, 3, seed=1), rand(2, seed=2))


def test_pools_with_indices():
    x = np.round(rand(2, 3, 6, 5)) * 0.5     # ties: the first maximum wins, as torch
    check(lambda L, a: _f(L).max_pool2d(a, 3, 2, padding=1, return_indices=True), x)
    check(lambda L, a: _f(L).adaptive_max_pool2d(a, (4, 2), return_indices=True), x)
    check(lambda L, a: _f(L).max_pool3d(a, 2, ceil_mode=True), x)
    check(lambda L, a: _f(L).avg_pool2d(a, 2, count_include_pad=False, padding=1), x)


@pytest.mark.parametrize("shapes", [((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 2)),
                                    ((2, 1, 3, 4), (5, 4, 2)), ((3, 0), (0, 2))])
def test_matmul_shapes(shapes):
    check(lambda L, a, b: L.matmul(a, b), rand(*shapes[0]), rand(*shapes[1], seed=1))


def test_matmul_with_one_tangent_and_the_product_functions():
    a, b = rand(3, 4), rand(4, 2, seed=1)
    check(lambda L, x, y: x @ y, a, b, vs=[None, rand(4, 2, seed=5)])
    c = rand(3, 2, seed=2)
    check(lambda L, x, y, z: (L.addmm(z, x, y, beta=0.5, alpha=2.0), L.mm(x, y),
                              L.outer(x[0], y[:, 0]), L.kron(x, y), L.tensordot(x, y, 1)),
          a, b, c)


@pytest.mark.parametrize("eq", ["ij,jk->ik", "ii->i", "ij,ij,j->", "bij,bkj->bik", "i,i"])
def test_einsum(eq):
    shapes = {"ij,jk->ik": [(3, 4), (4, 2)], "ii->i": [(3, 3)], "ij,ij,j->": [(2, 3)] * 2
              + [(3,)], "bij,bkj->bik": [(2, 3, 4), (2, 5, 4)], "i,i": [(4,), (4,)]}[eq]
    check(lambda L, *xs: L.einsum(eq, *xs), *(rand(*s, seed=k) for k, s in enumerate(shapes)))


def test_einsum_with_the_same_tensor_twice():
    check(lambda L, x: L.einsum("ij,kj->ik", x, x), rand(3, 4))


def test_cat_and_stack_with_some_tangents():
    a, b, c = rand(2, 3), rand(4, 3, seed=1), rand(2, 3, seed=2)
    vs = [rand(2, 3, seed=3), None, rand(2, 3, seed=4)]
    check(lambda L, x, y, z: (L.cat([x, y, z], 0), L.cat([x, L.zeros(0, dtype=x.dtype)], 0)),
          a, b, c, vs=vs)
    check(lambda L, x, y, z: L.stack([x, z, x], 1), a, b, c, vs=vs)


def test_module_backward_hook_identity_passes_tangents():
    # torch's hook node has no forward rule (NotImplementedError): compare with no hook there
    fired = []

    def run(lib, ad, hook):
        m = lib.nn.Tanh()
        if hook:
            m.register_full_backward_hook(lambda mod, gin, gout: fired.append(lib.__name__))
        x = lib.tensor(rand(3, 4)).requires_grad_()
        with ad.dual_level():
            y = m(ad.make_dual(x, lib.tensor(rand(3, 4, seed=1))))
            t = ad.unpack_dual(y).tangent.detach().numpy().copy()
        y.sum().backward()
        return t
    np.testing.assert_allclose(run(mg, fw, True), run(torch, tfw, False), rtol=1e-12)
    assert fired == ["minigrad"]
    with pytest.raises(NotImplementedError):
        run(torch, tfw, True)


# ---- float32, 0-d and empty ---------------------------------------------------------------
def test_float32_tangents_stay_float32():
    f32 = dict(dtype="float32")
    x, w = rand(2, 3, 6, 6, **f32), rand(4, 3, 3, 3, seed=1, **f32)
    kw = dict(rtol=2e-5, atol=2e-5)
    check(lambda L, a, c: _f(L).conv2d(a, c, padding=1), x, w, **kw)
    check(lambda L, a, c: (a.reshape(6, 36) @ a.reshape(36, 6),
                           a.logsumexp(1), a.amax((2, 3)), a.prod(3), a.cumprod(2),
                           _f(L).max_pool2d(a, 2)), x, w, **kw)


def test_zero_dim_inputs():
    x = np.array(1.5)
    check(lambda L, a: (a.prod(), a.amax(), a.logsumexp(0), a.cumsum(0), a.cumprod(0),
                        a.logcumsumexp(0), L.stack([a, a * 2]), a.median(), a.flip(0),
                        a.roll(1)), x)


def test_empty_inputs():
    e = rand(3, 0)
    check(lambda L, a: (a.prod(1), a.sum(1), a.amax(0), a.cumprod(1),
                        L.cat([a, a], 1), a @ L.ones(0, 2, dtype=a.dtype),
                        a.gather(1, L.zeros(3, 0, dtype=L.int64))), e)
    # torch's logcumsumexp tangent fails on an empty dim (amax of nothing), and logsumexp's
    # is 0/0 = nan; the value is the constant -inf there, whose tangent is 0
    (p, t), = jvp(mg, fw, lambda L, a: a.logcumsumexp(1), [e], [e])
    assert t.shape == (3, 0) and t.dtype == np.float64
    (p, t), = jvp(mg, fw, lambda L, a: a.logsumexp(1), [e], [e])
    np.testing.assert_array_equal(p, [-np.inf] * 3)
    np.testing.assert_array_equal(t, [0.0] * 3)
    check(lambda L, a, c: _f(L).conv2d(a, c), rand(0, 2, 4, 4), rand(3, 2, 2, 2, seed=1))
    check(lambda L, a: _f(L).max_pool2d(a, 2), rand(0, 2, 4, 4))
