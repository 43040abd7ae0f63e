"""compare_with_torch: passes on correct ops, catches a deliberately wrong gradient."""
import sys

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import ComparisonError, ComparisonReport, compare_with_torch

torch = pytest.importorskip("torch")


class WrongSquare(mg.Function):
    """forward x**2 with a backward that forgets the factor 2 (a typical bug)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x


class RightSquare(WrongSquare):
    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * g * x


def test_passes_on_correct_ops_with_second_derivatives(rng):
    rep = compare_with_torch(lambda x, w: (x @ w).softmax(-1), lambda x, w: (x @ w).softmax(-1),
                             rng.standard_normal((3, 4)), rng.standard_normal((4, 5)),
                             double=True)
    assert isinstance(rep, ComparisonReport) and rep.ok
    stages = [(r.stage, r.name) for r in rep.rows]
    assert stages == [("forward", "output 0"), ("grad", "input 0"), ("grad", "input 1"),
                      ("grad2", "input 0"), ("grad2", "input 1")]
    assert rep.forward_error < 1e-12 and rep.grad_error < 1e-12 and rep.grad2_error < 1e-12


def test_catches_a_wrong_gradient(rng):
    x = rng.standard_normal((3, 4))
    compare_with_torch(RightSquare.apply, lambda t: t * t, x, double=True)
    with pytest.raises(ComparisonError) as e:
        compare_with_torch(WrongSquare.apply, lambda t: t * t, x)
    msg = str(e.value)
    assert "grad of input 0" in msg and "FAIL" in msg and "max abs err" in msg
    rep = compare_with_torch(WrongSquare.apply, lambda t: t * t, x, check=False)
    assert not rep.ok and rep.rows[0].ok and not rep.rows[1].ok
    # the reported error is the true one: |g*x - 2*g*x| = |g*x| for the random upstream g
    assert rep.grad_error > 1e-3 and rep.forward_error == 0


def test_catches_a_wrong_second_derivative(rng):
    class WrongCube(mg.Function):           # d/dx x^3 = 3x^2 written through a detached x
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return 3 * g * (x * x).detach()

    x = rng.standard_normal(5)
    rep = compare_with_torch(WrongCube.apply, lambda t: t ** 3, x, double=True, check=False)
    assert [r.ok for r in rep.rows] == [True, True, False]
    assert rep.rows[2].stage == "grad2"


def test_catches_wrong_values_and_shapes(rng):
    x = rng.standard_normal((2, 3))
    with pytest.raises(ComparisonError, match="forward of output 0"):
        compare_with_torch(lambda a: a.exp(), lambda t: t.exp() + 1e-6, x)
    rep = compare_with_torch(lambda a: a.sum(0), lambda t: t.sum(1), x, check=False)
    assert not rep.ok and "shape" in rep.rows[0].note


def test_integer_inputs_and_outputs(rng):
    x, idx = rng.standard_normal((4, 3)), rng.integers(0, 3, (4, 2))
    rep = compare_with_torch(lambda a, i: mg.gather(a, 1, i), lambda a, i: torch.gather(a, 1, i),
                             x, idx, double=True)
    assert [r.name for r in rep.rows if r.stage == "grad"] == ["input 0"]
    rep = compare_with_torch(lambda a: mg.max(a, dim=1), lambda a: torch.max(a, dim=1), x)
    assert rep.ok and len([r for r in rep.rows if r.stage == "forward"]) == 2


def test_float32_tolerances_and_report_table(rng):
    x = rng.standard_normal((5, 6))
    rep = compare_with_torch(lambda a: a.log_softmax(1), lambda a: a.log_softmax(1), x,
                             dtype="float32", double=True)
    assert rep.rtol == 1e-4 and rep.ok
    lines = str(rep).splitlines()
    assert lines[0].split() == ["stage", "tensor", "shape", "max", "abs", "err", "max", "rel",
                                "err", "result"]
    assert len(lines) == 2 + len(rep.rows) and all(line.endswith("ok") for line in lines[2:])


def test_zero_second_derivative_matches_torch_zero_tensor(rng):
    # torch returns an efficient "zero tensor" for d2|x|/dx2; the report must read it
    rep = compare_with_torch(lambda a: a.abs(), lambda a: a.abs(), rng.standard_normal(4),
                             double=True)
    assert rep.grad2_error == 0


def test_bad_requires_grad_list(rng):
    with pytest.raises(ValueError, match="requires_grad"):
        compare_with_torch(lambda a: a, lambda a: a, np.ones(3), requires_grad=[True, False])


def test_dtype_none_keeps_the_arrays_dtypes_and_report_holds_outputs(rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    rep = compare_with_torch(lambda a: a.softmax(1), lambda t: t.softmax(1), x, dtype=None)
    assert rep.ok and rep.rtol == 1e-4                  # float32 input: float32 tolerances
    out, = rep.outputs
    assert isinstance(out, mg.Tensor) and out.dtype == mg.float32 and out.requires_grad
    rep = compare_with_torch(lambda a: a.float(), lambda t: t, x.astype(np.float64), check=False)
    assert not rep.ok and "dtype float32 vs torch float64" in rep.rows[0].note


def test_gradcheck_fallback_without_torch(rng, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)     # makes `import torch` raise ImportError
    x = rng.standard_normal(4)
    with pytest.raises(ImportError):
        compare_with_torch(RightSquare.apply, None, x)
    rep = compare_with_torch(RightSquare.apply, None, x, double=True, gradcheck_fallback=True)
    assert rep.ok and [r.stage for r in rep.rows] == ["gradcheck", "gradgradcheck"]
    assert rep.outputs[0].shape == (4,)
    with pytest.raises(ComparisonError, match="gradcheck of inputs"):
        compare_with_torch(WrongSquare.apply, None, x, gradcheck_fallback=True)
