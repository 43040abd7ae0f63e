"""minigrad.utils.data: torch.utils.data's import path for minigrad.data (the same classes
and functions, so `from minigrad.utils.data import DataLoader` works as torch's does)."""
from ...data import *  # noqa: F401, F403
from ...data import __all__  # noqa: F401
from . import dataloader, dataset, distributed, sampler  # noqa: F401
