"""torch.nn's deprecated classes, kept with torch's FutureWarning: Container and NLLLoss2d."""
from __future__ import annotations

import warnings

from .loss import NLLLoss
from .module import Module

_CONTAINER_MSG = ("`nn.Container` is deprecated. All of its functionality is now implemented "
                  "in `nn.Module`. Subclass that instead.")
_NLL2D_MSG = ("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
              "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for "
              "more details.")


class Container(Module):
    """A Module whose keyword arguments become its submodules (matches the deprecated
    torch.nn.Container: constructing or subclassing it warns with a FutureWarning)."""

    def __init_subclass__(cls, **kwargs):
        warnings.warn(_CONTAINER_MSG, FutureWarning, stacklevel=2)
        super().__init_subclass__(**kwargs)

    def __init__(self, **kwargs):
        warnings.warn(_CONTAINER_MSG, FutureWarning, stacklevel=2)
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


class NLLLoss2d(NLLLoss):
    """NLLLoss under its old name (matches the deprecated torch.nn.NLLLoss2d: same arguments
    and results, and a FutureWarning when constructed or subclassed)."""

    def __init_subclass__(cls, **kwargs):
        warnings.warn(_NLL2D_MSG, FutureWarning, stacklevel=2)
        super().__init_subclass__(**kwargs)

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        warnings.warn(_NLL2D_MSG, FutureWarning, stacklevel=2)
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
