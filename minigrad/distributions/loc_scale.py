"""LocScale: the constructor and expand shared by the location-scale families (Normal,
Laplace, Cauchy), whose parameters loc and scale are broadcast together."""
from __future__ import annotations

from .distribution import Distribution
from .utils import _is_number, broadcast_all


class LocScale:
    """Mixin listed first in a family's bases: loc and scale broadcast (tensors or numbers;
    two numbers give batch_shape ()), and expand() as torch's families write it."""

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        scalar = _is_number(loc) and _is_number(scale)
        super().__init__(() if scalar else self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        # the family itself (the class that lists LocScale): a subclass with its own
        # __init__ must write its own expand, as torch's _get_checked_instance demands
        family = next(c for c in type(self).__mro__ if LocScale in c.__bases__)
        new = self._get_checked_instance(family, _instance)
        batch_shape = tuple(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new
