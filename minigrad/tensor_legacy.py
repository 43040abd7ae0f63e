"""Tensor's legacy constructor method `new` and the LAPACK-format QR methods geqrf / ormqr
(mixed into Tensor in tensor.py); each calls legacy_types.py or ops/linalg_householder.py.
"""
from __future__ import annotations


class LegacyMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    def new(self, *args, **kwargs):
        """torch's legacy x.new(...): x.new(2, 3) uninitialized, x.new([1, 2]) from data,
        x.new() empty, x.new(t) an alias of t; always x's dtype and device (only device= may
        be given, of the same type). Matches torch.Tensor.new."""
        from .legacy_types import legacy_new     # lazy: it builds tensors
        return legacy_new("new", self.dtype, self.device, args, kwargs)

    def geqrf(self):
        """(a, tau): QR in LAPACK's Householder form (matches torch.Tensor.geqrf)."""
        from .ops.linalg_geqrf import geqrf     # lazy: the ops import tensor.py
        return geqrf(self)

    def ormqr(self, input2, input3, left=True, transpose=False):
        """op(Q) @ input3 or input3 @ op(Q), Q from (self, input2) as geqrf gives them
        (matches torch.Tensor.ormqr)."""
        from .ops.linalg_geqrf import ormqr
        return ormqr(self, input2, input3, left, transpose)

    def orgqr(self, input2):
        """The first n columns of Q from (self, input2) (matches torch.Tensor.orgqr)."""
        from .ops.linalg_extra import orgqr
        return orgqr(self, input2)
