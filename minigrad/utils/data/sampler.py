"""torch.utils.data.sampler's public names, from minigrad.data."""
from ...data import (BatchSampler, RandomSampler, Sampler, SequentialSampler,  # noqa: F401
                     SubsetRandomSampler, WeightedRandomSampler)
