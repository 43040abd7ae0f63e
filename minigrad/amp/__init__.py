"""torch.amp: GradScaler (loss scaling) and the autocast names (see autocast_mode.py)."""
from .autocast_mode import (autocast, custom_bwd, custom_fwd, is_autocast_available,
                            is_autocast_enabled)
from .grad_scaler import GradScaler, OptState

__all__ = ["GradScaler", "OptState", "autocast", "custom_bwd", "custom_fwd",
           "is_autocast_available", "is_autocast_enabled"]
