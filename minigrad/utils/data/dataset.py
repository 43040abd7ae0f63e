"""torch.utils.data.dataset's public names, from minigrad.data."""
from ...data import (ChainDataset, ConcatDataset, Dataset, IterableDataset,  # noqa: F401
                     StackDataset, Subset, TensorDataset, random_split)
