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
        return legacy_new(self.dtype, self.device, args, kwargs)
