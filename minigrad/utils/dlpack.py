"""minigrad.utils.dlpack: torch.utils.dlpack's to_dlpack and from_dlpack."""
from ..creation_buffer import from_dlpack, to_dlpack  # noqa: F401
