"""BatchedTensor: a tensor with a hidden batch dim, what user code sees inside vmap.

A BatchedTensor holds the physical value (a Tensor whose dim 0 is the batch, always dim 0
here) and the level of the vmap that added that dim. Everything a user or a minigrad wrapper
can ask about its geometry (shape, ndim, size(), dim(), numel(), len()) is the per-sample,
logical answer, so the wrappers compute dims and check shapes exactly as they would for one
sample. Its `.data`, the raw array, raises: a wrapper that reads the array directly would
compute on the physical array with logical arguments, so it must fail loudly instead.

Ops reach Function.apply, which sends any call with a BatchedTensor argument to
batching.dispatch (asked only of arguments whose _view is set: see _NotAView). Nested vmaps
nest BatchedTensors: the value of a level-2 tensor may itself be a level-1 BatchedTensor.

The graph autograd records is always on plain tensors (the batching rules call ordinary ops
on the physical values), so a vmapped function is differentiable from outside. Inside vmap
a BatchedTensor is a leaf that does not require grad, as torch's.
"""
from __future__ import annotations

import itertools

from ..tensor import Tensor


class Level:
    """One active vmap: its level number, batch size and randomness mode."""
    __slots__ = ("level", "size", "randomness")

    def __init__(self, level, size, randomness):
        self.level, self.size, self.randomness = level, size, randomness


_active = {}                    # level number -> Level, for the vmaps running now
_stack = []                     # the same Levels, outermost first
_numbers = itertools.count(1)   # levels only grow: an inner vmap always has the higher one


def push(size, randomness):
    lv = Level(next(_numbers), size, randomness)
    _active[lv.level] = lv
    _stack.append(lv)
    return lv


def pop(lv):
    _stack.remove(lv)
    del _active[lv.level]


def level_info(level):
    lv = _active.get(level)
    if lv is None:
        raise RuntimeError("vmap: a batched tensor was used after the vmap call that made it "
                           "returned (did it escape through a closure or a global?); return it "
                           "from the function instead")
    return lv


def _no_scalar(what):
    raise RuntimeError(f"vmap: It looks like you're calling {what} on a Tensor. We don't "
                       f"support vmap over calling {what} on a Tensor, please try to rewrite "
                       "what you're doing with other operations.")


def _no_autograd(what):
    raise RuntimeError(f"You are attempting to call {what} inside of a function being "
                       "transformed by minigrad.func.vmap. This is unsupported: use "
                       "minigrad.func.grad/vjp inside vmap, or call it outside of vmap.")


class RawArrayOfBatched(RuntimeError):
    """Raised when code reads .data of a BatchedTensor: an op without a batching rule that
    works on raw arrays (jacfwd catches it and goes column by column)."""


class BatchedTensor(Tensor):
    """A per-sample view of `_value`, whose dim 0 is the batch of vmap level `_level`."""
    __slots__ = ("_value", "_level")
    _batched = True

    @property
    def data(self):
        raise RawArrayOfBatched(
            "vmap: an operation read the raw array (.data) of a tensor that has a hidden batch "
            f"dim (inside minigrad.func.vmap, logical shape {tuple(self.shape)}). That "
            "operation has no batching rule; rewrite it with other ops or move it out of vmap.")

    @property
    def shape(self):
        return self._value.shape[1:]

    @property
    def ndim(self):
        return self._value.ndim - 1

    @property
    def dtype(self):
        return self._value.dtype

    @property
    def device(self):
        return self._value.device

    @property
    def is_cuda(self):
        return self._value.is_cuda

    def numel(self):
        n = 1
        for s in self.shape:
            n *= s
        return n

    def __repr__(self):
        return f"BatchedTensor(lvl={self._level}, bdim=0, value={self._value!r})"

    def __getitem__(self, key):
        from .batching_fns import getitem     # the key is logical: batching_fns shifts it
        return getitem(self, key)

    def __bool__(self):
        _no_scalar("Tensor.__bool__ (an if or while on a tensor)")

    def item(self):
        _no_scalar(".item()")

    def tolist(self):
        _no_scalar(".tolist()")

    def numpy(self, *, force=False):
        _no_scalar(".numpy()")

    def __array__(self, dtype=None, copy=None):
        _no_scalar("numpy.asarray()")

    def detach(self):
        return make(self._value.detach(), self._level)

    def requires_grad_(self, requires_grad=True):
        _no_autograd("Tensor.requires_grad_()")

    def retain_grad(self):
        _no_autograd("Tensor.retain_grad()")

    def register_hook(self, hook):
        _no_autograd("Tensor.register_hook()")

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        raise RuntimeError("backward() called inside a functorch transform. This is not "
                           "supported, please use functorch.grad or functorch.vjp instead or "
                           "call backward() outside of functorch transforms.")


class _NotAView:
    """The `_view` of every BatchedTensor. Function.apply tests `a._batched` only for tensors
    whose _view is set (views are the rare case), so plain tensors pay nothing for vmap; the
    other readers of _view see a view of nothing that never needs refreshing."""
    __slots__ = ()
    base = None
    creation = None

    def refresh(self, t):
        pass


_NOT_A_VIEW = _NotAView()


def make(value, level):
    """value (batch at dim 0) seen per sample at vmap `level`."""
    t = object.__new__(BatchedTensor)
    t._value, t._level = value, level
    t.grad, t.grad_fn, t._output_nr, t.requires_grad = None, None, 0, False
    t._view = _NOT_A_VIEW
    return t


def is_batched_at(x, level):
    return isinstance(x, Tensor) and x._batched and x._level == level


def top_level(args):
    """The highest vmap level among the batched tensors in `args` (the innermost vmap)."""
    level = 0
    for a in args:
        if isinstance(a, Tensor) and a._batched and a._level > level:
            level = a._level
    return level


def to_batched(x, level, size):
    """x as a tensor batched at `level`: unbatched ones are expanded (no copy) to `size`."""
    if is_batched_at(x, level):
        return x._value
    return x.unsqueeze(0).expand(size, *x.shape)


def to_plain(x, levels):
    """x as a plain tensor with one leading dim per vmap in `levels` (outermost first), then
    x's logical dims; a level x is not batched at is expanded (a view, no copy)."""
    for lv in reversed(levels):         # innermost first: each step exposes one batch dim
        x = to_batched(x, lv.level, lv.size)
    if isinstance(x, Tensor) and x._batched:
        level_info(x._level)            # batched at a level not running: it escaped
        raise RuntimeError("vmap: a tensor batched at an inner vmap reached an outer one")
    return x


def from_plain(p, levels):
    """The inverse of to_plain: p's leading dims become the batch dims of `levels`."""
    for lv in levels:
        p = make(p, lv.level)
    return p
