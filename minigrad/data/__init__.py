"""minigrad.data: Dataset, DataLoader and small offline data sets (torch.utils.data's names)."""
from . import datasets
from .collate import default_collate, default_convert
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .loader import DataLoader, get_worker_info
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset",
           "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "datasets",
           "default_collate", "default_convert", "get_worker_info", "random_split"]
# ---- issue 16: dist ----
from .distributed import DistributedSampler  # noqa: E402

__all__ += ["DistributedSampler"]
