"""Parameter: a leaf Tensor that a Module registers as learnable."""
from __future__ import annotations

from ..autograd import unwrap
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that requires grad by default and is found by Module.parameters()."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            import numpy as np
            data = np.empty((0,), np.float32)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter: data must be a Tensor, not {type(data).__name__}")
        elif requires_grad and data.dtype.kind not in "fc":
            raise RuntimeError(f"Parameter: only Tensors of floating point and complex dtype "
                               f"can require gradients, got {data.dtype}")
        array = unwrap(data)
        self.data, self.grad, self.grad_fn, self._output_nr = array, None, None, 0
        self.requires_grad, self._view = False, None
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
