"""torch.nn.modules.lazy's names; the code is in minigrad/nn/lazy.py."""
from ..lazy import LazyModuleMixin  # noqa: F401

__all__ = ["LazyModuleMixin"]
