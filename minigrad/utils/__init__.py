"""minigrad.utils: torch.utils's names that minigrad has (checkpoint, data, dlpack)."""
from . import checkpoint  # noqa: F401
from . import data  # noqa: F401
from . import dlpack  # noqa: F401
