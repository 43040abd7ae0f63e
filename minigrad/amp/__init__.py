"""torch.amp: GradScaler (loss scaling) and the autocast names (see autocast_mode.py)."""
from .autocast_mode import (autocast, clear_autocast_cache, custom_bwd, custom_fwd,
                            get_autocast_cpu_dtype, get_autocast_dtype, is_autocast_available,
                            is_autocast_cache_enabled, is_autocast_cpu_enabled,
                            is_autocast_enabled, set_autocast_cache_enabled,
                            set_autocast_dtype, set_autocast_enabled)
from .grad_scaler import GradScaler, OptState

__all__ = ["GradScaler", "OptState", "autocast", "custom_bwd", "custom_fwd",
           "is_autocast_available", "is_autocast_enabled"]     # torch.amp's own names
