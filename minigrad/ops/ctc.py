"""ctc_loss: connectionist temporal classification, the exact log-space forward-backward.

For one sample with input length T and target l (length S), the extended target l' puts a
blank before, between and after the labels (length 2S + 1). In log space (lp = log_probs):

    alpha_0(0) = lp_0(blank), alpha_0(1) = lp_0(l_1)
    alpha_t(s) = lp_t(l'_s) + logsumexp(alpha_{t-1}(s), alpha_{t-1}(s-1), alpha_{t-1}(s-2))
                 (the s-2 term only where l'_s != l'_{s-2})
    nll = -logsumexp(alpha_{T-1}(2S), alpha_{T-1}(2S-1))

beta is the same recursion run backwards from t = T - 1. The gradient is torch's: computed as
if log_probs were log_softmax output (the softmax Jacobian folded in),

    dnll/dlp_t(c) = exp(lp_t(c)) - exp(logsumexp_{s: l'_s = c}(alpha_t(s) + beta_t(s)) + nll
                                       - lp_t(c)),

zero for t >= T. torch has no double backward for ctc_loss: the gradient node raises.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op, wrap
from ..backend import array_module
from .checks import need_bool, need_int, need_tensor, type_name
from .loss import get_reduction

_NEG = -np.inf


def _lse3(a, b, c):
    """log(e^a + e^b + e^c) as torch's CTC kernels compute it (max 0 when all are -inf)."""
    xp = array_module(a)
    m = xp.maximum(xp.maximum(a, b), c)
    m = xp.where(m == _NEG, 0, m)
    return xp.log(xp.exp(a - m) + xp.exp(b - m) + xp.exp(c - m)) + m


def _shift(a, k, xp, right=True):
    """a (N, L) shifted by k along the last axis, filled with -inf (right: a[s - k])."""
    k = min(k, a.shape[-1])
    pad = xp.full(a.shape[:-1] + (k,), _NEG if a.dtype.kind == "f" else 0, a.dtype)
    if right:
        return xp.concatenate([pad, a[..., :a.shape[-1] - k]], -1)
    return xp.concatenate([a[..., k:], pad], -1)


def _extended(targets, tlen, blank, xp):
    """The extended targets l' (N, L), which s are valid, and where the s-2 skip is allowed."""
    n, smax = targets.shape
    ext = xp.full((n, 2 * smax + 1), blank, np.int64)
    ext[:, 1::2] = targets
    s = xp.arange(2 * smax + 1)
    valid = s[None, :] < (2 * tlen + 1)[:, None]
    skip = xp.zeros(ext.shape, bool)
    skip[:, 2:] = ext[:, 2:] != ext[:, :-2]
    return ext, valid, skip


class CTCLoss(Op):
    """Per-sample negative log-likelihood (N,) of the padded targets (N, S)."""

    @staticmethod
    def forward(ctx, lp, targets, ilen, tlen, blank, zero_infinity):
        xp = array_module(lp)
        T, N, _ = lp.shape
        ext, valid, skip = _extended(targets, tlen, blank, xp)
        lpe = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (T,) + ext.shape), 2)
        alpha = xp.full(lpe.shape, _NEG, lp.dtype)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            alpha[0, :, 0] = lpe[0, :, 0]
            if ext.shape[1] > 1:
                alpha[0, :, 1] = xp.where(tlen > 0, lpe[0, :, 1], _NEG)
            for t in range(1, T):
                a = alpha[t - 1]
                a3 = xp.where(skip, _shift(a, 2, xp), _NEG)
                alpha[t] = xp.where(valid, _lse3(a, _shift(a, 1, xp), a3) + lpe[t], _NEG)
            rows = xp.arange(N)
            last = alpha[xp.maximum(ilen - 1, 0), rows]               # (N, L)
            l1 = last[rows, 2 * tlen]
            l2 = xp.where(tlen > 0, last[rows, xp.maximum(2 * tlen - 1, 0)], _NEG)
            m = xp.maximum(l1, l2)
            m = xp.where(m == _NEG, 0, m)
            nll = -(xp.log(xp.exp(l1 - m) + xp.exp(l2 - m)) + m)
        # input length 0: likelihood 1 for an empty target, else 0
        nll = xp.where(ilen == 0, xp.where(tlen == 0, 0.0, np.inf), nll).astype(lp.dtype)
        ctx.save_for_backward(lp)
        ctx.state = (targets, ilen, tlen, blank, zero_infinity, alpha, ext, valid, skip, nll)
        if zero_infinity:
            return xp.where(nll == np.inf, 0, nll).astype(lp.dtype)
        return nll

    @staticmethod
    def backward(ctx, g):
        lp, = ctx.saved_tensors         # uses log_probs, alpha, the raw nll and g
        return CTCGrad.apply(lp, g, ctx.state), None, None, None, None, None

    @staticmethod
    def jvp(ctx, tlp, *_):                  # d nll_n = sum_{t,c} G_tnc dlp_tnc, G = CTCGrad for
        lp, = ctx.saved_tensors             # an upstream gradient of ones: the transpose of
        out = ctx.outputs[0]                # backward (torch's convention: lp taken as
        ones = wrap(array_module(out.data).ones_like(out.data))     # log-softmax output)
        return (CTCGrad.apply(lp, ones, ctx.state) * tlp).sum((0, 2))


class CTCGrad(Op):
    """The gradient of ctc_loss w.r.t. log_probs (torch's convention, see the module doc)."""

    @staticmethod
    def forward(ctx, lp, g, state):
        targets, ilen, tlen, blank, zero_infinity, alpha, ext, valid, skip, nll = state
        xp = array_module(lp)
        T, N, C = lp.shape
        lpe = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (T,) + ext.shape), 2)
        beta = xp.full(lpe.shape, _NEG, lp.dtype)
        s = xp.arange(ext.shape[1])[None, :]
        final = (s == 2 * tlen[:, None]) | (s == 2 * tlen[:, None] - 1)
        skip_next = _shift(skip, 2, xp, right=False)         # skip_next[s] = skip[s + 2]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            nxt = xp.full(lpe.shape[1:], _NEG, lp.dtype)
            for t in range(T - 1, -1, -1):
                b3 = xp.where(skip_next, _shift(nxt, 2, xp, right=False), _NEG)
                rec = xp.where(valid, _lse3(nxt, _shift(nxt, 1, xp, right=False), b3)
                               + lpe[t], _NEG)
                init = xp.where(final, lpe[t], _NEG)
                here = (t == ilen - 1)[:, None]
                before = (t < ilen - 1)[:, None]
                beta[t] = nxt = xp.where(here, init, xp.where(before, rec, _NEG))
            # logsumexp over the positions s of each class, accumulated in torch's order. At
            # t = T - 1 torch assigns the 2S - 1 term instead of adding it (it assumes that
            # label differs from the blank); kept, so that a blank label gives torch's numbers
            lcab = xp.full(lp.shape, _NEG, lp.dtype)
            rows = xp.arange(N)
            at_end = xp.arange(T)[:, None] == (ilen - 1)[None, :]          # (T, N)
            for k in range(ext.shape[1] - 1, -1, -1):
                ab = alpha[:, :, k] + beta[:, :, k]                      # (T, N)
                cur = lcab[:, rows, ext[:, k]]
                m = xp.maximum(cur, ab)
                both = xp.log(xp.exp(cur - m) + xp.exp(ab - m)) + m
                assign = (cur == _NEG) | (at_end & (k == 2 * tlen - 1)[None, :])
                lcab[:, rows, ext[:, k]] = xp.where(assign, ab, both)
            grad = (xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)) * g[None, :, None]
        keep = xp.arange(T)[:, None] < ilen[None, :]
        if zero_infinity:
            keep = keep & (nll != np.inf)[None, :]
        return xp.where(keep[..., None], grad, 0).astype(lp.dtype)

    @staticmethod
    def backward(ctx, gg):
        raise RuntimeError("ctc_loss: the derivative of ctc_loss's backward is not implemented "
                           "(torch has no double backward for ctc_loss either)")

    @staticmethod
    def jvp(ctx, tlp, tg, _):               # linear in g: the same op of dg; through lp:
        if tlp is not None:                 # second order, refused as backward does
            CTCGrad.backward(ctx, None)
        return CTCGrad.apply(ctx.inputs[0], tg, ctx.inputs[2])


# ---- the public function ------------------------------------------------------------------
def _lengths(v, name, n, unbatched, who):
    """input_lengths/target_lengths as a host int64 array (N,): a tuple/list of ints or an
    integer tensor, as torch takes them."""
    from ..tensor import Tensor
    if isinstance(v, Tensor):
        if v.dtype.kind not in "iu":
            raise RuntimeError(f"{who}: {name} must be integral, got dtype {v.dtype}")
        arr = np.asarray(v.numpy(force=True))
        if (unbatched and arr.size != 1) or (not unbatched and (arr.ndim > 1 or arr.size != n)):
            raise RuntimeError(f"{who}: {name} must be of size batch_size ({n}), got shape "
                               f"{tuple(arr.shape)}")
        return arr.reshape(-1).astype(np.int64)
    if isinstance(v, (tuple, list)) and all(
            isinstance(a, (numbers.Integral, np.integer)) and not isinstance(a, (bool, np.bool_))
            for a in v):
        if len(v) != n:
            raise RuntimeError(f"{who}: {name} must be of size batch_size ({n}), got {len(v)} "
                               "values")
        if any(not -2**63 <= int(a) < 2**63 for a in v):
            raise TypeError(f"{who}(): argument '{name}' failed to unpack: overflow when "
                            f"unpacking long (values {list(v)})")
        return np.array([int(a) for a in v], dtype=np.int64).reshape(n)
    raise TypeError(f"{who}(): argument '{name}' must be a tuple of ints or an integer Tensor, "
                    f"not {type_name(v)}")


def _padded_targets(targets, ilen, tlen, T, N, who):
    """targets (N, S) padded or concatenated 1-D, checked as torch checks them, as a host
    int64 array (N, max(tlen))."""
    if targets.ndim not in (1, 2):
        raise RuntimeError(f"{who}: targets must have 1 to 2 dimensions, got a "
                           f"{targets.ndim}-dimensional tensor")
    tg = np.asarray(targets.numpy(force=True))
    if tg.dtype.kind not in "biuf":
        raise RuntimeError(f"{who}: targets must be a real tensor, got dtype {tg.dtype}")
    tg = tg.astype(np.int64)            # torch reads the targets as int64 (floats truncate)
    for name, v in (("input_lengths", ilen), ("target_lengths", tlen)):
        if v.size and v.min() < 0:
            raise RuntimeError(f"{who}: expected {name} to have value at least 0, but got value "
                               f"{int(v.min())}")
    if ilen.size and ilen.max() > T:
        raise RuntimeError(f"{who}: expected input_lengths to have value at most {T}, but got "
                           f"value {int(ilen.max())}")
    smax = int(tlen.max()) if tlen.size else 0
    if tg.ndim == 2:
        if tg.shape[0] != N and N:
            raise RuntimeError(f"{who}: padded targets must have batch_size ({N}) rows, got "
                               f"shape {tuple(tg.shape)}")
        if smax > tg.shape[1]:
            raise RuntimeError(f"{who}: expected targets to have size at least {smax} at "
                               f"dimension 1, but got size {tg.shape[1]}")
        out = tg[:, :smax]
    else:
        total = int(tlen.sum())
        if tg.shape[0] != total:
            raise RuntimeError(f"{who}: concatenated targets must have sum(target_lengths) = "
                               f"{total} elements, got {tg.shape[0]}")
        out = np.zeros((N, smax), np.int64)
        starts = np.concatenate([[0], np.cumsum(tlen)[:-1]]).astype(np.int64)
        for k in range(N):
            out[k, :tlen[k]] = tg[starts[k]:starts[k] + tlen[k]]
    return out


@autocast_op("ctc_loss")
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False):
    """The CTC loss of log_probs (T, N, C) or unbatched (T, C) against targets (N, S) padded
    or concatenated 1-D; lengths as tuples or integer tensors. 'mean' divides each loss by its
    target length (at least 1), then averages. Matches torch.nn.functional.ctc_loss."""
    who = "ctc_loss"
    need_tensor(who, log_probs, "log_probs", 1)
    need_tensor(who, targets, "targets", 2)
    blank = need_int(who, blank, "blank", 5)
    reduction = get_reduction(reduction, who)
    need_bool(who, zero_infinity, "zero_infinity", 7)
    from ..tensor import Tensor
    if isinstance(input_lengths, Tensor) != isinstance(target_lengths, Tensor):
        raise TypeError(f"{who}(): input_lengths and target_lengths must both be tuples of "
                        f"ints or both be Tensors, got {type_name(input_lengths)} and "
                        f"{type_name(target_lengths)}")
    if log_probs.ndim == 0:
        raise IndexError(f"{who}: log_probs must be (T, N, C) or (T, C), got a 0-d tensor")
    if log_probs.ndim not in (2, 3):
        raise RuntimeError(f"{who}: log_probs must be (T, N, C) or (T, C), got shape "
                           f"{tuple(log_probs.shape)}")
    if log_probs.dtype not in (np.float32, np.float64):
        raise NotImplementedError(f'{who}: "ctc_loss" not implemented for {log_probs.dtype} '
                                  "log_probs (float32 or float64 expected)")
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    T, N, C = lp.shape
    ilen = _lengths(input_lengths, "input_lengths", N, unbatched, who)
    tlen = _lengths(target_lengths, "target_lengths", N, unbatched, who)
    if not 0 <= blank < C:
        raise RuntimeError(f"{who}: blank must be in label range [0, {C}), got {blank}")
    if T == 0 or N == 0:
        raise RuntimeError(f"{who}: log_probs tensor must not be empty, got shape "
                           f"{tuple(log_probs.shape)}")
    tg = _padded_targets(targets, ilen, tlen, T, N, who)
    if tg.size and (tg.min() < 0 or tg.max() >= C):
        raise IndexError(f"{who}: targets must be class indices in [0, {C}), got values "
                         f"{int(tg.min())}..{int(tg.max())}")
    xp = array_module(lp.data)
    dev = (lambda a: xp.asarray(a)) if xp is not np else (lambda a: a)
    nll = CTCLoss.apply(lp, dev(tg), dev(ilen), dev(tlen), blank, zero_infinity)
    if reduction == "mean":
        div = wrap(dev(np.maximum(tlen, 1).astype(nll.dtype)))
        return (nll / div).mean()
    if reduction == "sum":
        return nll.sum()
    return nll.reshape(()) if unbatched else nll
