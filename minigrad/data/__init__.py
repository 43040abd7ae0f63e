"""minigrad.data: Dataset, DataLoader and small offline data sets (torch.utils.data's names)."""
from . import datasets
from .dataset import ConcatDataset, Dataset, Subset, TensorDataset, random_split
from .loader import DataLoader, default_collate

__all__ = ["ConcatDataset", "DataLoader", "Dataset", "Subset", "TensorDataset", "datasets",
           "default_collate", "random_split"]
# ---- issue 16: dist ----
from .distributed import DistributedSampler  # noqa: E402

__all__ += ["DistributedSampler"]
