"""vjp, jacrev, jvp, jacfwd, hessian and linearize inside vmap: every sample's answer at once.

The layout trick of batching_grad.py, for every transform. With vmaps of sizes B1..Bn
running, each tensor x the transform differentiates is laid out as one plain tensor
X = to_plain(x) of shape (B1, ..., Bn) + x.shape. An x that is not batched at some level
(parameters passed with in_dims=None, a transform's explicit input while f closes over a
batched tensor) is expanded there, so every sample has its own copy. f runs on
from_plain(X), so it sees one sample; its outputs are laid out the same way, Y = to_plain(y).
Samples never interact, so Y[s] depends on X[s] alone: dY/dX is block diagonal over the
samples s, and one pass serves them all:

    reverse   backward of Y with cotangent C (per-sample cotangents laid out, a shared one
              expanded) leaves at X[s] the product C[s]^T dY[s]/dX[s]: every sample's vjp.
              jacrev: C = e_k at every sample, one backward per element of one sample's y.
    forward   X made dual with tangent T (laid out): Y's tangent at s is dY[s]/dX[s] T[s],
              every sample's jvp. jacfwd (basis e_k, shared) and hessian = jacfwd(jacrev)
              follow.

Results come back as from_plain(R): batched at every running level (logically the same
value as torch's, which may leave a result that does not depend on the batch unbatched).
reverse.py, jacrev.py and forward.py use `Layout`; with no vmap running it is the identity,
so the code path with and without vmap is the same.

A vjp_fn called inside a vmap entered after vjp ran (vmap(vjp_fn)(cotangents), torch's way of
building a Jacobian) gets cotangents batched at levels its graph was not laid out for. Made
outside any vmap, it runs one backward with the batched cotangents: the graph's backward
formulas (their differentiable form) take batched gradients like any op, as jacrev's rows
do. Otherwise, or when a formula reads raw arrays (RawArrayOfBatched), it runs once per
sample of those levels (batching.loop, the ops' fallback), results stacked.
"""
from __future__ import annotations

from ..autograd import _tensor_cls
from . import batched
from .batched import RawArrayOfBatched, from_plain, is_batched_at, to_plain


class Layout:
    """The vmaps running when a transform is called, and the tensors laid out over them."""
    __slots__ = ("vmaps", "sizes")

    def __init__(self):
        self.vmaps = list(batched._stack)          # outermost first
        self.sizes = tuple(lv.size for lv in self.vmaps)

    def plain(self, x):
        """x as a plain tensor, the vmap dims leading (a non-tensor is passed through, so
        the transform's own type check reports it)."""
        if not isinstance(x, _tensor_cls()):
            return x
        return to_plain(x, self.vmaps)

    def wrap(self, p):
        """The inverse of plain: p's leading dims become the vmaps' batch dims."""
        return from_plain(p, self.vmaps)

    def wrap_lowered(self, x, lower):
        """A result of the transform (an output, aux), lowered to the level outside it."""
        return self.wrap(lower(self.plain(x)))

    def new_levels(self, flat):
        """The running vmaps, not among ours, at which a tensor of `flat` is batched
        (outermost first): those of a vmap entered after the transform ran."""
        known = {lv.level for lv in self.vmaps}
        return [lv for lv in batched._stack if lv.level not in known
                and any(is_batched_at(x, lv.level) for x in flat)]

    def check_cotangents(self, flat_ct, shapes):
        """The engine's shape check on the logical shapes (the plain ones carry batch dims)."""
        for i, (c, shape) in enumerate(zip(flat_ct, shapes)):
            if self.vmaps and isinstance(c, _tensor_cls()) and tuple(c.shape) != shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{tuple(c.shape)} and output[{i}] has a shape of {shape}.")

    def check_same_shape(self, primal, tangent):
        """make_dual's shape check on the logical shapes (the plain ones carry batch dims)."""
        if self.vmaps and tuple(primal.shape) != tuple(tangent.shape):
            raise RuntimeError("make_dual(): Trying to set a forward gradient that has a "
                               "different size than that of the original Tensor, this is not "
                               f"supported. Tensor is of size {list(primal.shape)} while the "
                               f"given forward gradient is of size {list(tangent.shape)}.")


def map_new_levels(fn, flat, layout):
    """fn(flat) -> tuple of tensors, for `flat` batched at vmaps entered after `layout` was
    taken: fn runs once per sample of each such level, the results stacked and batched there
    (batching.loop, innermost level first: each slice may still be batched at outer ones)."""
    from .batching import loop
    if any(lv.level not in batched._active for lv in layout.vmaps):
        raise RuntimeError("vmap: a vjp_fn made inside vmap was called after that vmap call "
                           "returned (did it escape through a closure or a global?); call it "
                           "inside the vmapped function")
    new = layout.new_levels(flat)
    if not new:
        return fn(flat)
    if not layout.vmaps:                # one backward of the batch (fn(flat, batch=True)),
        try:                            # unless a backward formula reads raw arrays
            return fn(flat, True)
        except RawArrayOfBatched:
            pass
    return loop(lambda *xs: map_new_levels(fn, list(xs), layout), new[-1], flat)
