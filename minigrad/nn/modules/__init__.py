"""torch.nn.modules' import paths that user code spells out (torch.nn.modules.lazy)."""
from . import lazy  # noqa: F401
