"""minigrad.utils: torch.utils's names that minigrad has (checkpoint, dlpack)."""
from . import checkpoint  # noqa: F401
from . import dlpack  # noqa: F401
