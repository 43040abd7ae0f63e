"""default_collate and default_convert: how a DataLoader turns samples into tensors (torch's
torch.utils.data.default_collate / default_convert, case for case).

default_collate(batch) stacks a list of samples: tensors (stacked, so gradients flow),
numpy arrays and numpy scalars become one tensor with a new leading dim; Python floats a
float64 tensor, ints and bools torch.tensor(batch) (int64, bool, or the default float dtype
when a float follows an int); strings and bytes stay a list; dicts
and namedtuples are collated field by field into the same type; other sequences element by
element (all of one length), tuples giving lists as torch's do.
default_convert(sample) (batch_size=None: no batching) turns numpy arrays and numpy scalars
into tensors inside the same containers (tuples become lists) and leaves the rest as it is.
"""
from __future__ import annotations

import collections.abc as abc

import numpy as np

from ..tensor import Tensor

_COLLATE_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                "lists; found {}")


def _bad_numpy(x):
    return x.dtype.kind in "SUO"        # strings and objects: torch refuses them too


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def default_collate(batch):
    """Stack a list of samples into a batch (torch.utils.data.default_collate)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        from ..ops.shape import stack
        return stack(list(batch), 0)
    if isinstance(elem, (np.ndarray, np.generic)) and not isinstance(elem, (np.str_,
                                                                          np.bytes_)):
        if _bad_numpy(elem):
            raise TypeError(_COLLATE_ERR.format(elem.dtype))
        if isinstance(elem, np.ndarray):
            return default_collate([Tensor._make(np.asarray(b)) for b in batch])
        return Tensor._make(np.asarray(batch))      # numpy scalars keep their dtype
    if isinstance(elem, int):               # (bools too): torch.tensor(batch)'s inference,
        from ..creation import tensor       # so [1, 2.5] is float32, [True, 1] int64
        return tensor(list(batch))
    if isinstance(elem, float):
        from ..creation import tensor
        return tensor(list(batch), dtype=np.float64)
    if isinstance(elem, (str, bytes)):
        return batch                    # as given: a list, or a tuple inside a sequence
    if isinstance(elem, abc.Mapping):
        out = {k: default_collate([d[k] for d in batch]) for k in elem}
        try:
            return type(elem)(out)
        except TypeError:
            return out
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, abc.Sequence):
        if any(len(e) != len(elem) for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        cols = [default_collate(s) for s in zip(*batch)]   # (tuples, as torch's)
        if isinstance(elem, tuple):
            return cols                 # (a list, as torch's: "backwards compatibility")
        try:
            return type(elem)(cols)
        except TypeError:
            return cols
    raise TypeError(_COLLATE_ERR.format(type(elem)))


def default_convert(data):
    """numpy arrays and scalars in `data` as tensors (torch.utils.data.default_convert)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)) and not isinstance(data, (np.str_,
                                                                          np.bytes_)):
        return data if _bad_numpy(data) else Tensor._make(np.asarray(data))
    if isinstance(data, abc.Mapping):
        out = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(out)
        except TypeError:
            return out
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
