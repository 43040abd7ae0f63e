"""torch.utils.data.distributed's DistributedSampler, from minigrad.data."""
from ...data import DistributedSampler  # noqa: F401
