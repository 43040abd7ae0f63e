"""torch.func's function transforms (minigrad.func)."""
from .vmap import vmap  # noqa: F401
