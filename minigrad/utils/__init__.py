"""minigrad.utils: torch.utils's names that minigrad has (checkpoint)."""
from . import checkpoint  # noqa: F401
