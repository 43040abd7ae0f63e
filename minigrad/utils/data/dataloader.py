"""torch.utils.data.dataloader's public names, from minigrad.data."""
from ...data import DataLoader, default_collate, default_convert, get_worker_info  # noqa: F401
