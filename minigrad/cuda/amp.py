"""torch.cuda.amp's deprecated names: GradScaler(...) is amp.GradScaler('cuda', ...) and
autocast(...) is amp.autocast('cuda', ...), with torch's FutureWarnings."""
from __future__ import annotations

import warnings

from .. import amp


class GradScaler(amp.GradScaler):
    """Deprecated: amp.GradScaler('cuda', ...) (torch.cuda.amp.GradScaler)."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        warnings.warn("`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)


class autocast(amp.autocast):           # noqa: N801  (torch's name)
    """Deprecated: amp.autocast('cuda', ...) (torch.cuda.amp.autocast)."""

    def __init__(self, enabled: bool = True, dtype=None, cache_enabled: bool = True):
        warnings.warn("`torch.cuda.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cuda', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cuda", dtype, enabled, cache_enabled)
