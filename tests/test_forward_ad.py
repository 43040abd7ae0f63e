"""minigrad.forward_ad (torch.autograd.forward_ad): levels, make_dual/unpack_dual, errors,
no_grad, in-place ops, and forward mode mixed with reverse mode, against torch in float64."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import forward_ad as fw

torch = pytest.importorskip("torch")
tfw = torch.autograd.forward_ad


def _pair(*shape, seed=0):
    r = np.random.default_rng(seed)
    return r.standard_normal(shape), r.standard_normal(shape)


def _jvp(lib, ad, f, x, v):
    with ad.dual_level():
        d = ad.make_dual(lib.tensor(x), lib.tensor(v))
        p, t = ad.unpack_dual(f(d))
        return p.detach().numpy().copy(), None if t is None else t.detach().numpy().copy()


def test_jvp_of_a_composition_matches_torch():
    x, v = _pair(3, 4)

    def f(L):
        return lambda d: ((d.exp() * d - d / (d * d + 1)).sum(1) ** 2).sqrt().tanh() + 2 * d.sum()

    (p, t), (tp, tt) = _jvp(mg, fw, f(mg), x, v), _jvp(torch, tfw, f(torch), x, v)
    np.testing.assert_allclose(p, tp, rtol=1e-12)
    np.testing.assert_allclose(t, tt, rtol=1e-10, atol=1e-12)


def test_levels_and_errors_as_torch():
    x, v = _pair(3)
    with pytest.raises(RuntimeError, match="no level exists"):
        fw.make_dual(mg.tensor(x), mg.tensor(v))
    with fw.dual_level() as level:
        assert level == 0
        with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
            with fw.dual_level():
                pass
        with pytest.raises(RuntimeError, match="different size"):
            fw.make_dual(mg.tensor(x), mg.tensor(np.ones(4)))
        with pytest.raises(ValueError, match="floating point"):
            fw.make_dual(mg.tensor(x), mg.tensor(np.ones(3, dtype=np.int64)))
        with pytest.raises(ValueError, match="floating point"):
            fw.make_dual(mg.tensor(np.ones(3, dtype=np.int64)), mg.tensor(v))
        primal = mg.tensor(x)
        d = fw.make_dual(primal, mg.tensor(v))
        assert d is not primal and fw.unpack_dual(primal).tangent is None
        y = d * 3
        assert fw.unpack_dual(d.long()).tangent is None      # integer results carry none
    assert fw.unpack_dual(y).tangent is None                # dropped when the level ends
    with fw.dual_level():
        assert fw.unpack_dual(y).tangent is None            # and not back in a new level


def test_tangent_kept_as_given_and_detach_drops_it():
    x, v = _pair(3)
    with fw.dual_level():
        t = mg.tensor(v.astype(np.float32))
        d = fw.make_dual(mg.tensor(x), t)
        assert fw.unpack_dual(d).tangent is t               # as torch: not cast, not copied
        assert (d * 2).dtype == mg.float64
        assert fw.unpack_dual(d * 2).tangent.dtype == mg.float64
        assert fw.unpack_dual(d.detach()).tangent is None


def test_no_grad_does_not_stop_forward_mode():
    x, v = _pair(4)
    with fw.dual_level():
        d = fw.make_dual(mg.tensor(x), mg.tensor(v))
        with mg.no_grad():
            y = d * d
        np.testing.assert_allclose(fw.unpack_dual(y).tangent.numpy(), 2 * x * v)


def test_op_without_rule_names_it():
    x, v = _pair(4)
    with fw.dual_level():
        d = fw.make_dual(mg.tensor(x), mg.tensor(v))
        y = d * 1       # a rule exists

        class Square(mg.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * a

            @staticmethod
            def backward(ctx, g):
                return g
        with pytest.raises(NotImplementedError, match=r"forward AD with square \(Square\)"):
            Square.apply(y)


@pytest.mark.parametrize("how", ["mul_", "iadd", "setitem", "view"])
def test_in_place_ops_carry_tangents_as_torch(how):
    x, v = _pair(3, 4)
    w, vw = _pair(4, seed=1)

    def run(lib, ad):
        with ad.dual_level():
            base = lib.tensor(x).clone()
            dw = ad.make_dual(lib.tensor(w), lib.tensor(vw))
            if how == "view":
                base[1].mul_(dw)            # the base gets a tangent in that row only
                out = base
            else:
                out = ad.make_dual(base, lib.tensor(v).clone())
                if how == "mul_":
                    out.mul_(dw)
                elif how == "iadd":
                    out += dw.exp()
                else:
                    out[:, 1:3] = dw[:2] * 2
            return (out.detach().numpy().copy(), ad.unpack_dual(out).tangent.numpy().copy())

    (p, t), (tp, tt) = run(mg, fw), run(torch, tfw)
    np.testing.assert_allclose(p, tp, rtol=1e-12)
    np.testing.assert_allclose(t, tt, rtol=1e-12, atol=1e-14)


def test_reverse_over_forward_and_forward_over_reverse():
    """d/dx of a JVP (reverse over forward), and the JVP of a gradient (a Hessian-vector
    product, forward over reverse), both against torch."""
    x, v = _pair(5)

    def f(d):
        return (d.sin() * d.exp()).sum() + (d * d).sum() ** 2

    def hvp(lib, ad, grad):
        with ad.dual_level():
            xx = lib.tensor(x).requires_grad_()
            d = ad.make_dual(xx, lib.tensor(v))
            g, = grad(f(d), d, create_graph=True)
            return ad.unpack_dual(g).tangent.detach().numpy().copy()

    np.testing.assert_allclose(hvp(mg, fw, mg.autograd.grad),
                               hvp(torch, tfw, torch.autograd.grad), rtol=1e-10)

    def rof(lib, ad, grad):
        xx = lib.tensor(x).requires_grad_()
        with ad.dual_level():
            d = ad.make_dual(xx, lib.tensor(v))
            t = ad.unpack_dual(f(d)).tangent
        g, = grad(t, xx)
        return g.numpy().copy()

    np.testing.assert_allclose(rof(mg, fw, mg.autograd.grad),
                               rof(torch, tfw, torch.autograd.grad), rtol=1e-10)


def test_user_function_jvp_and_save_for_forward_as_torch():
    x, v = _pair(4)

    def make(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                ctx.save_for_forward(a)
                return a ** 3

            @staticmethod
            def backward(ctx, g):
                a, = ctx.saved_tensors
                return 3 * a * a * g

            @staticmethod
            def jvp(ctx, t):
                a, = ctx.saved_tensors
                return 3 * a * a * t
        return Cube

    got = _jvp(mg, fw, lambda d: make(mg).apply(d.sin()), x, v)
    want = _jvp(torch, tfw, lambda d: make(torch).apply(d.sin()), x, v)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12)

    class NoRule(mg.autograd.Function):     # its forward's own ops are not differentiated
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2
    with fw.dual_level():
        with pytest.raises(NotImplementedError, match=r"\(NoRule\)"):
            NoRule.apply(fw.make_dual(mg.tensor(x), mg.tensor(v)))


def test_nested_levels_refuse_in_place_writes_into_views():
    x, v = _pair(3, 4)
    with fw.dual_level():
        with fw.dual_level(nested=True) as inner:
            base = mg.tensor(x).clone()
            d = fw.make_dual(mg.tensor(v[0]), mg.tensor(v[1]), level=inner)
            with pytest.raises(NotImplementedError, match="nested levels"):
                base[1].mul_(d)
    with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
        with fw.dual_level():
            with fw.dual_level():       # the public API stays single-level, as torch's
                pass
