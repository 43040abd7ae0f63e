"""minigrad.signal: torch.signal's names (torch.signal.windows)."""
from . import windows  # noqa: F401
