"""binomial: Binomial(count, prob) draws from the generator, as torch.binomial. In the graph of
count and prob when they require grad, with no derivative (torch has none either)."""
from __future__ import annotations

from ..autograd import Op
from ..backend import array_module, rng
from ..generator import check_generator
from .arith import torch_name
from .checks import need_tensor


class BinomialSample(Op):
    """apply(*parameters, sample): the sample; backward raises, as torch's."""

    @staticmethod
    def forward(ctx, *args):
        return args[-1]

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("the derivative for 'binomial' is not implemented.")


def binomial(count, prob, generator=None):
    """Successes in `count` trials of probability `prob` (float tensors of one dtype,
    broadcast together), in their dtype. Matches torch.binomial's distribution (not its
    random stream); counts must be whole numbers >= 0 and prob in [0, 1] (torch does not
    check them: a NaN count hangs it)."""
    need_tensor("binomial", count, "count", 1)
    need_tensor("binomial", prob, "prob", 2)
    check_generator("binomial", generator)
    if count.dtype.kind != "f":
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: "
                         f"{torch_name(count.dtype)}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"binomial: Found dtype {torch_name(prob.dtype)} but expected "
                           f"{torch_name(count.dtype)}")
    if count.dtype.itemsize < 4:
        raise NotImplementedError(f"\"binomial_cpu\" not implemented for "
                                  f"'{torch_name(count.dtype)}'")
    c, p = count.data, prob.data
    xp = array_module(c)
    if not bool(((c >= 0) & (xp.floor(c) == c)).all()):
        raise RuntimeError("binomial: count must hold whole numbers >= 0 (got a negative, "
                           "fractional, infinite or NaN count)")
    if not bool(((p >= 0) & (p <= 1)).all()):
        raise RuntimeError("binomial: prob must lie in [0, 1] (got a value outside it or NaN)")
    try:
        shape = xp.broadcast_shapes(c.shape, p.shape)
    except ValueError:
        raise RuntimeError(f"binomial: count of shape {list(c.shape)} and prob of shape "
                           f"{list(p.shape)} do not broadcast") from None
    draws = rng(xp, generator).binomial(xp.broadcast_to(c, shape).astype("int64"),
                                       xp.broadcast_to(p, shape).astype("float64"))
    sample = count._make(xp.asarray(draws).astype(count.dtype).reshape(shape))
    live = [t for t in (count, prob) if t.requires_grad]
    return BinomialSample.apply(*live, sample) if live else sample
