"""nn.Unflatten: one dim split into several (the inverse of nn.Flatten)."""
from __future__ import annotations

from ..ops.layout import unflatten
from .module import Module


class Unflatten(Module):
    """Splits dim `dim` of the input into `unflattened_size` (a view where possible).
    Matches torch.nn.Unflatten."""

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (list, tuple)):
            raise TypeError("Unflatten: unflattened_size must be a tuple or list of ints, got "
                            f"{type(unflattened_size).__name__}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return unflatten(input, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
