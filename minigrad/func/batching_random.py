"""Random ops inside vmap: the vmap's randomness flag decides, as in torch.func.vmap.

    'error'      every random op raises (batching_fns.random_check)
    'same'       one draw shared by every sample of the level (an unbatched result); a
                 random op whose parameters are batched at a 'same' level raises, as torch's
    'different'  each sample draws its own: the op draws at the physical shape, the level's
                 size in front, and the result is batched at the level

    factory(draw, shape)         rand, randn, randint, randperm (and the *_like ones):
                                 draw(sizes of the 'different' levels + shape)
    with_params(fn, params)      bernoulli, normal, poisson, multinomial: fn(*params) on the
                                 physical parameters, one level at a time, innermost first
                                 (an unbatched parameter is expanded at a 'different' level)

    fill_(x, refill, who)        uniform_, normal_, bernoulli_, exponential_: refill a plain
                                 tensor of draws (a dim per level x is batched at: the
                                 level's size for 'different', 1 for 'same'), copied into
                                 x's physical memory; 'different' at a level x is not
                                 batched at raises, as torch's does

Dropout and drop_path have their own (batching_fns.py); gumbel_softmax draws through rand
(ops/dropout.py).
"""
from __future__ import annotations

from ..tensor import Tensor
from . import batched
from .batched import from_plain, is_batched_at, level_info, make, to_batched
from .batching_fns import _drawing, random_check_error_only


def drawing() -> bool:
    """True while one of these draws runs (the op called again must just draw)."""
    return _drawing[0]


def _draw(fn, *args):
    _drawing[0] = True
    try:
        return fn(*args)
    finally:
        _drawing[0] = False


def factory(draw, shape):
    """A random factory inside vmap: one draw, with a leading dim per 'different' level."""
    random_check_error_only()
    levels = [lv for lv in batched._stack if lv.randomness == "different"]
    out = _draw(draw, tuple(lv.size for lv in levels) + tuple(shape))
    return from_plain(out, levels)


def with_params(fn, params, who):
    """fn(*params) (a sampler with tensor parameters) inside vmap."""
    random_check_error_only()
    return _peel(fn, list(params), batched._stack[::-1], who)


def _peel(fn, params, levels, who):
    if not levels:
        return _draw(fn, *params)
    lv = levels[0]
    tensors = [p for p in params if isinstance(p, Tensor)]
    if lv.randomness == "same":
        if any(is_batched_at(p, lv.level) for p in tensors):
            raise RuntimeError(f"vmap: {who}: Vmap does not currently support same randomness "
                               "with a batched tensor input (as torch.func.vmap); use "
                               "randomness='different', or draw outside vmap")
        return _peel(fn, params, levels[1:], who)
    physical = [to_batched(p, lv.level, lv.size) if isinstance(p, Tensor) else p
                for p in params]
    return make(_peel(fn, physical, levels[1:], who), lv.level)


def fill_(x, refill, who):
    """An in-place random fill (refill(t) fills plain tensor t) of x inside vmap."""
    from ..creation import empty
    random_check_error_only()
    plain, levels = x, []
    while isinstance(plain, Tensor) and plain._batched:
        levels.append(level_info(plain._level))
        plain = plain._value
    levels.reverse()                    # outermost first, as plain's leading dims
    batched_at = {lv.level for lv in levels}
    if any(lv.randomness == "different" and lv.level not in batched_at
           for lv in batched._stack):
        raise RuntimeError(f"vmap: {who}: Cannot ask for different inplace randomness on an "
                           "unbatched tensor. This will appear like same randomness. If this "
                           "is necessary for your usage, please file an issue with functorch.")
    shape = tuple(lv.size if lv.randomness == "different" else 1 for lv in levels)
    draws = empty(shape + tuple(x.shape), dtype=x.dtype, device=x.device)
    _draw(refill, draws)
    plain.copy_(draws.expand(*plain.shape))
    return x
