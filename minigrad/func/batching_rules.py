"""Batching rules, one per op (Op class -> rule), for dispatch in batching.py.

The table is keyed by exact class: a subclass may take other arguments (sort.MedianAll is an
Amax with (x, ignore_nan)), so it gets a rule only by being listed here.

A rule gets (cls, lv, args): the op, the innermost vmap level (lv.level, lv.size) and the
op's logical arguments. It calls the same op on the physical values, whose dim 0 is the batch,
with dims and shapes shifted past it, and wraps the result. Ops without a rule take the loop
fallback. Elementwise ops broadcast: batching.align puts the batch dim in front of the
broadcast, so batched and unbatched operands of different logical ranks line up as they did
per sample.
"""
from __future__ import annotations

from ..ops import (activation, activation_pointwise, arith, binary_math, compare, conv,
                   convert, dropout, index, inplace, linalg, loss_regression, norm, pool, reduce,
                   rounding, scan, shape, softmax, ternary, tile, trig, unary, unary_math)
from ..ops import binary_special
from ..ops import fold as fold_ops, split as split_ops
from ..ops import index_more, loss_bce, loss_pointwise, matrix, norms, pad, prod, resample_axis
from ..tensor import Tensor
from .batched import is_batched_at, make, to_batched
from .batching import align, loop, wrap_result


def elementwise(cls, lv, args):
    return wrap_result(cls.apply(*align(args, lv)), lv)


def _shift(dims):
    """Logical dims as physical ones (a negative dim counts from the end: the same there)."""
    if type(dims) is not tuple:
        return dims + 1 if dims >= 0 else dims
    return tuple(d + 1 if d >= 0 else d for d in dims)


def reduce_dims(cls, lv, args):
    """Sum, Amax, Amin, LogSumExp: (x, dims, keepdim) with a tuple of logical dims."""
    x, dims, keepdim = args
    return make(cls.apply(to_batched(x, lv.level, lv.size), _shift(dims), keepdim), lv.level)


def arg_reduce(cls, lv, args):
    x, dim, keepdim, largest = args
    if dim is None:                     # a 0-d input: per sample
        return loop(cls.apply, lv, args)
    return make(cls.apply(x._value, dim + 1, keepdim, largest), lv.level)


def one_dim(cls, lv, args):
    """Softmax, LogSoftmax, CumSum, scan's Flip: (x, dim); tile's Flip: (x, dims)."""
    x, dim = args
    if x.ndim == 0:                     # a 0-d input: per sample
        return loop(cls.apply, lv, args)
    return make(cls.apply(x._value, _shift(dim) if type(dim) is tuple else dim + 1), lv.level)


def softmax_backward(cls, lv, args):
    y, g, dim = args
    if y.ndim == 0:                     # a 0-d input: per sample (as one_dim's forward)
        return loop(cls.apply, lv, args)
    return make(cls.apply(to_batched(y, lv.level, lv.size), to_batched(g, lv.level, lv.size),
                          dim + 1), lv.level)


def shifted(*positions):
    """The rule of an op on one tensor x (args[0]) whose arguments at `positions` are a
    logical dim or a tuple of dims: the same op on x's value with those dims shifted."""
    def rule(cls, lv, args):
        if not is_batched_at(args[0], lv.level) or any(
                is_batched_at(a, lv.level) or args[p] is None for p in positions
                for a in args[1:]):
            return loop(cls.apply, lv, args)
        new = [args[0]._value, *args[1:]]
        for p in positions:
            new[p] = _shift(args[p])
        return wrap_result(cls.apply(*new), lv)
    return rule


def trailing(cls, lv, args):
    """Ops on x's trailing dims only (tril/triu, constant padding): the same call works on
    the value, batch dim in front."""
    if any(is_batched_at(a, lv.level) for a in args[1:]):
        return loop(cls.apply, lv, args)
    return make(cls.apply(args[0]._value, *args[1:]), lv.level)


def repeat(cls, lv, args):
    x, reps = args
    v = align([x], lv, len(reps))[0]
    return make(cls.apply(v, (1,) + tuple(reps)), lv.level)


def reshape(cls, lv, args):
    """Reshape, Expand: (x, logical target shape); SumTo sums the leading dims first."""
    x, size = args
    v = x._value
    if cls is shape.Expand and len(size) > x.ndim:      # expand adds leading dims
        v = align([x], lv, len(size))[0]
    elif cls is shape.SumTo and len(size) < x.ndim:     # sum_to drops leading dims
        v = v.sum(tuple(range(1, 1 + x.ndim - len(size))))
    return make(cls.apply(v, (lv.size,) + tuple(size)), lv.level)


def permute(cls, lv, args):
    x, dims = args
    return make(cls.apply(x._value, (0,) + _shift(dims)), lv.level)


def cat_stack(cls, lv, args):
    """Cat, Stack: (dim, *tensors); unbatched tensors are expanded to the batch."""
    dim, *xs = args
    xs = [to_batched(x, lv.level, lv.size) for x in xs]
    return make(cls.apply(dim + 1, *xs), lv.level)


def _advanced(k):
    return hasattr(k, "shape") or isinstance(k, int)


def shift_key(key):
    """A logical basic/advanced index as a physical one (a leading slice for the batch), or
    None where NumPy would move the advanced dims in front of the batch dim."""
    items = key if isinstance(key, tuple) else (key,)
    arrays = [i for i, k in enumerate(items) if hasattr(k, "shape") and not isinstance(k, bool)]
    if arrays:
        adv = [i for i, k in enumerate(items) if _advanced(k) and not isinstance(k, bool)]
        if adv[-1] - adv[0] + 1 != len(adv):     # not adjacent: NumPy moves them first
            return None
    return (slice(None),) + items


def getitem(cls, lv, args):
    x, key = args
    k = shift_key(key)
    if k is None or any(is_batched_at(a, lv.level) for a in (key if isinstance(key, tuple)
                                                                else (key,))):
        return loop(cls.apply, lv, args)
    return make(cls.apply(x._value, k), lv.level)


def gather(cls, lv, args):
    x, dim, idx = args
    if isinstance(idx, Tensor):
        idx = to_batched(idx, lv.level, lv.size)
    else:                               # an index array: the same for every sample
        from ..backend import array_module
        idx = array_module(idx).broadcast_to(idx, (lv.size,) + idx.shape)
    return make(cls.apply(to_batched(x, lv.level, lv.size), dim + 1, idx), lv.level)


def split(cls, lv, args):
    """Split: (x, dim, keys), each key a slice or an index along dim."""
    x, dim, keys = args
    return wrap_result(cls.apply(x._value, dim + 1, keys), lv)


def setitem(cls, lv, args):
    """SetItem (x, key, value): x with x[key] = value, the key shifted as for getitem."""
    x, key, value = args
    k = shift_key(key)
    if k is None or not is_batched_at(x, lv.level):
        return loop(cls.apply, lv, args)
    if is_batched_at(value, lv.level):          # the value lines up with x[key]'s dims
        import numpy as np
        rank = np.broadcast_to(np.zeros((), "int8"), tuple(x.shape))[key].ndim
        value = align([value], lv, max(rank, value.ndim))[0]
    return make(cls.apply(x._value, k, value), lv.level)


def index_write(cls, lv, args):
    """IndexAdd, IndexCopy (x, key, source, ...), IndexPutAccumulate (x, key, values): x and
    the written values batched (an unbatched one expanded: the op copies x anyway), the key
    shifted as for getitem; the values line up with x[key] (to_batched for the index_* ops,
    whose source has x[key]'s shape; broadcast after the batch dim for index_put)."""
    x, key, src, *rest = args
    k = shift_key(key)
    if k is None or x.ndim == 0:
        return loop(cls.apply, lv, args)
    if cls is not index_more.IndexPutAccumulate:
        src = to_batched(src, lv.level, lv.size)
    elif is_batched_at(src, lv.level):
        import numpy as np
        rank = np.broadcast_to(np.zeros((), "int8"), tuple(x.shape))[key].ndim
        src = align([src], lv, max(rank, src.ndim))[0]
    return make(cls.apply(to_batched(x, lv.level, lv.size), k, src, *rest), lv.level)


def fill(cls, lv, args):
    """Fill (x, value): x's shape filled with value broadcast to it."""
    x, value = args
    value = align([value], lv, x.ndim)[0] if is_batched_at(value, lv.level) else value
    return make(cls.apply(to_batched(x, lv.level, lv.size), value), lv.level)


def masked_fill(cls, lv, args):
    if is_batched_at(args[2], lv.level):        # a per-sample fill value
        return loop(cls.apply, lv, args)
    return elementwise(cls, lv, args)


def matmul(cls, lv, args):
    """Matmul: 1-D operands become matrices (a row on the left, a column on the right) as
    torch's matmul does, the batched ones get the batch dim in front of the broadcast, and the
    added dims are dropped from the result."""
    a, b = args
    la, lb = a.ndim, b.ndim
    if la == 1:
        a = a.unsqueeze(0)
    if lb == 1:
        b = b.unsqueeze(1)
    pa, pb = align([a, b], lv)
    out = cls.apply(pa, pb)
    if lb == 1:
        out = out.squeeze(-1)
    if la == 1:
        out = out.squeeze(-2 if lb != 1 else -1)
    return make(out, lv.level)


def conv_rule(cls, lv, args):
    """Conv: a batch of inputs folds into N; per-sample weights fold into the groups
    (input (N, B*C, ...), weight (B*O, C/g, ...), B*groups groups), as torch's rule."""
    x, w, stride, padding, dilation, groups = args
    B = lv.size
    if not is_batched_at(w, lv.level):
        v = x._value
        out = cls.apply(v.reshape((B * v.shape[1],) + tuple(v.shape[2:])), w, stride, padding,
                        dilation, groups)
        return make(out.reshape((B, v.shape[1]) + tuple(out.shape[1:])), lv.level)
    xv = to_batched(x, lv.level, B)                     # (B, N, C, *spatial)
    n, c = xv.shape[1], xv.shape[2]
    xg = xv.movedim(0, 1).reshape((n, B * c) + tuple(xv.shape[3:]))
    wv = w._value                                       # (B, O, C/g, *k)
    o = wv.shape[1]
    out = cls.apply(xg, wv.reshape((B * o,) + tuple(wv.shape[2:])), stride, padding, dilation,
                    groups * B)                         # (N, B*O, *out)
    out = out.reshape((n, B, o) + tuple(out.shape[2:])).movedim(1, 0)
    return make(out, lv.level)


def fold(cls, lv, args):
    """Ops on (N, C, *spatial) that treat each of the N alike (pooling): the batch folds into
    N, one call for all samples."""
    x, rest = args[0], args[1:]
    if not is_batched_at(x, lv.level) or any(is_batched_at(a, lv.level) for a in rest):
        return loop(cls.apply, lv, args)
    v = x._value
    n = x.shape[0]
    res = cls.apply(v.reshape((lv.size * n,) + tuple(x.shape[1:])), *rest)
    if isinstance(res, tuple):
        return tuple(make(r.reshape((lv.size, n) + tuple(r.shape[1:])), lv.level) for r in res)
    return make(res.reshape((lv.size, n) + tuple(res.shape[1:])), lv.level)


def normalize(cls, lv, args):
    """Normalize (layer_norm's op): (x, weight, bias, dims, eps, pshape); the weight and
    bias line up with x's trailing dims, so only x's dims shift."""
    x, w, b, dims, eps, pshape = args
    if not is_batched_at(x, lv.level) or any(is_batched_at(t, lv.level) for t in (w, b)):
        return loop(cls.apply, lv, args)
    return wrap_result(cls.apply(x._value, w, b, _shift(dims), eps, pshape), lv)


_ELEMENTWISE = (
    arith.Add, arith.Sub, arith.Mul, arith.Div, arith.Pow,
    unary.Neg, unary.Exp, unary.Log, unary.Sqrt, unary.Abs, unary.Tanh, unary.TanhBackward,
    unary.Sigmoid, unary.SigmoidBackward, unary.Relu, unary.ReluGrad, unary.Sin, unary.Cos,
    unary_math.Log1p, unary_math.Expm1, unary_math.Log2, unary_math.Log10, unary_math.Exp2,
    unary_math.Rsqrt, unary_math.Reciprocal, unary_math.Square, unary_math.Erf,
    unary_math.Erfc, unary_math.Erfinv,
    trig.Tan, trig.Asin, trig.Acos, trig.Atan, trig.Sinh, trig.Cosh, trig.Asinh, trig.Acosh,
    trig.Atanh,
    rounding.Sign, rounding.Floor, rounding.Ceil, rounding.Trunc, rounding.Round,
    rounding.Frac,
    activation.NormalCdf, activation.LogSigmoid, activation.Softplus,
    activation_pointwise.Pointwise, activation_pointwise.PointwiseOnResult,
    compare.Clamp, compare.Where, compare.Maximum, compare.Minimum,
    binary_math.Xlogy, binary_math.LogAddExp, binary_math.LogAddExp2, binary_math.Hypot,
    binary_math.Atan2, binary_math.NanToNum,
    ternary.Lerp, ternary.Addcmul,
    convert.Cast, convert.ToDevice, shape.Contiguous,
    dropout.MaskMul, dropout.StraightThrough, loss_regression.Huber,
    loss_pointwise.XLogX, loss_bce.BinaryCrossEntropyWithLogits,
    binary_special.CopySign, binary_special.FMax, binary_special.FMin,
    binary_special.NextAfter, binary_special.Heaviside, binary_special.Gcd, binary_special.Lcm,
    binary_special.SignBit, binary_special.FrexpMantissa, binary_special.FrexpExponent,
)

# ---- special functions (elementwise; polygamma's n and logit's eps are plain numbers) ----
from ..ops import special_bessel as _sb, special_gamma as _sg  # noqa: E402
from ..ops import special_misc as _sm, special_poly as _sp  # noqa: E402
_ELEMENTWISE += (
    _sg.Lgamma, _sg.Digamma, _sg.Polygamma, _sg.Igamma, _sg.Igammac,
    _sb.I0, _sb.I0e, _sb.I1, _sb.I1e, _sb.AiryAi, _sb.BesselJ0, _sb.BesselJ1, _sb.BesselY0,
    _sb.BesselY1, _sb.ModifiedBesselI0, _sb.ModifiedBesselI1, _sb.ModifiedBesselK0,
    _sb.ModifiedBesselK1, _sb.ScaledModifiedBesselK0, _sb.ScaledModifiedBesselK1,
    _sb.SphericalBesselJ0, _sm.Entr, _sm.Erfcx, _sm.Ndtri, _sm.LogNdtr, _sm.Sinc, _sm.Logit,
    _sm.Xlog1py, _sm.Zeta, _sp.ChebyshevT, _sp.ChebyshevU, _sp.ChebyshevV, _sp.ChebyshevW,
    _sp.ShiftedChebyshevT, _sp.ShiftedChebyshevU, _sp.ShiftedChebyshevV, _sp.ShiftedChebyshevW,
    _sp.HermiteH, _sp.HermiteHe, _sp.LaguerreL, _sp.LegendreP,
)

RULES = {cls: elementwise for cls in _ELEMENTWISE}
RULES.update({
    reduce.Sum: reduce_dims, reduce.Amax: reduce_dims, reduce.Amin: reduce_dims,
    reduce.LogSumExp: reduce_dims,
    reduce.ArgReduce: arg_reduce,
    softmax.Softmax: one_dim, softmax.LogSoftmax: one_dim,
    scan.CumSum: one_dim, scan.Flip: one_dim, tile.Flip: one_dim,
    softmax.SoftmaxBackward: softmax_backward, softmax.LogSoftmaxBackward: softmax_backward,
    shape.Reshape: reshape, shape.Expand: reshape, shape.SumTo: reshape,
    shape.Permute: permute, shape.Cat: cat_stack, shape.Stack: cat_stack,
    index.GetItem: getitem, split_ops.Split: split, index.Gather: gather,
    index.MaskedFill: masked_fill, pool.MaxPool: fold, pool.WindowSum: fold,
    linalg.Matmul: matmul, conv.Conv: conv_rule, norm.Normalize: normalize,
    inplace.SetItem: setitem, inplace.Fill: fill,
    norms.VectorNorm: shifted(2), prod.Prod: shifted(1), matrix.Diagonal: shifted(2, 3),
    tile.Roll: shifted(2), resample_axis.Resample: shifted(1), matrix.Tri: trailing,
    pad.ConstantPad: trailing, tile.Repeat: repeat, fold_ops.Im2Col: fold,
    norms.SvdVals: trailing, tile.Take: shifted(1), index_more.IndexAdd: index_write,
    index_more.IndexCopy: index_write, index_more.IndexPutAccumulate: index_write,
})
