"""nn.utils.rnn: variable-length sequences as one padded tensor (pad_sequence) or packed
time step by time step (PackedSequence, pack_padded_sequence, pad_packed_sequence,
pack_sequence), with torch.nn.utils.rnn's names and layouts. Packing and unpacking are
gathers, so gradients flow through them."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ...autograd import wrap
from ...backend import array_module
from ...ops.checks import (need_bool, need_float, need_optional_int, need_str, need_tensor,
                           type_name)
from ...ops.shape import cat, stack
from ...tensor import Tensor


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into (max L, B, *), or (B, max L, *) with
    batch_first, filling with padding_value on the right (or left). The result has the first
    sequence's dtype; gradients flow to every sequence. Matches
    torch.nn.utils.rnn.pad_sequence."""
    who = "pad_sequence"
    need_bool(who, batch_first, "batch_first", 2)
    padding_value = need_float(who, padding_value, "padding_value", 3)
    need_str(who, padding_side, "padding_side", 4)
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"{who}: expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if isinstance(sequences, Tensor):
        if sequences.ndim < 2:
            raise RuntimeError(f"{who}: a tensor of sequences must have at least 2 dims "
                               f"(batch, length, *), got shape {tuple(sequences.shape)}")
        sequences = list(sequences.unbind(0))
    if not isinstance(sequences, (list, tuple)):
        raise TypeError(f"{who}(): argument 'sequences' (position 1) must be tuple of Tensors, "
                        f"not {type_name(sequences)}")
    for k, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(f"{who}: expected Tensor as element {k} in argument 0, but got "
                            f"{type_name(s)}")
    if not sequences:
        raise RuntimeError(f"{who}: received an empty list of sequences")
    first = sequences[0]
    if any(s.ndim == 0 for s in sequences):
        raise RuntimeError(f"{who}: every sequence must have at least 1 dim (length, *), got a "
                           "0-d tensor")
    trailing = tuple(first.shape[1:])
    for s in sequences:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"{who}: all sequences must have the same trailing dims "
                               f"{trailing}, got {tuple(s.shape[1:])}")
    dtype = first.dtype
    longest = max(s.shape[0] for s in sequences)
    from ...creation import full
    rows = []
    for s in sequences:
        s = s if s.dtype == dtype else s.to(dtype)
        n = longest - s.shape[0]
        if n:
            fill = full((n,) + trailing, _cast(padding_value, dtype), dtype=dtype,
                        device=s.device)
            s = cat([s, fill] if padding_side == "right" else [fill, s])
        rows.append(s)
    return stack(rows, 0 if batch_first else 1)


def _cast(value, dtype):
    """padding_value as torch writes it into a tensor of `dtype` (floats truncate to ints)."""
    if dtype.kind == "f":
        return value
    if dtype.kind == "b":
        return bool(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise RuntimeError(f"pad_sequence: padding_value {value} cannot be stored in {dtype}")
    return int(value)


# ---- packed sequences ---------------------------------------------------------------------
class PackedSequence(NamedTuple):
    """data (sum of lengths, *): the sequences' entries time step by time step, the longest
    first; batch_sizes (T,): how many sequences are still running at each step; the
    permutation that sorted the batch by length and its inverse (None when it was sorted)."""
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def _host_ints(v, who, name):
    if isinstance(v, Tensor):
        if v.dtype.kind not in "biuf" or v.ndim != 1:
            raise RuntimeError(f"{who}: {name} must be a 1-D tensor of lengths, got shape "
                               f"{tuple(v.shape)} and dtype {v.dtype}")
        return np.asarray(v.numpy(force=True)).astype(np.int64)
    if isinstance(v, np.ndarray) and v.ndim == 1 and v.dtype.kind in "biuf":
        return v.astype(np.int64)
    if not isinstance(v, (list, tuple)):
        raise TypeError(f"{who}(): argument '{name}' must be a list of ints or a Tensor, not "
                        f"{type_name(v)}")
    try:
        out = [int(a) for a in v]
        if any(not -2**63 <= a < 2**63 for a in out):
            raise RuntimeError(f"{who}: {name} {list(v)} overflow int64")
        return np.array(out, np.int64)
    except (TypeError, ValueError):
        raise TypeError(f"{who}(): argument '{name}' must hold ints, got {v!r}") from None


def _index(a, like):
    xp = array_module(like.data)
    return wrap(a if xp is np else xp.asarray(a))


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with batch_first) of sequences with the
    given lengths; enforce_sorted=False sorts them by decreasing length first (stably).
    Matches torch.nn.utils.rnn.pack_padded_sequence."""
    who = "pack_padded_sequence"
    need_tensor(who, input, "input", 1)
    need_bool(who, batch_first, "batch_first", 3)
    enforce_sorted = bool(enforce_sorted)          # (torch tests its truth value only)
    lengths = _host_ints(lengths, who, "lengths")
    if input.ndim < 2:
        raise IndexError(f"{who}: input must have at least 2 dims (time and batch), got shape "
                         f"{tuple(input.shape)}")
    if input.numel() == 0:
        raise RuntimeError(f"{who}: cannot pack empty tensors (input of shape "
                           f"{tuple(input.shape)})")
    x = input.transpose(0, 1) if batch_first else input
    T, B = x.shape[0], x.shape[1]
    if not enforce_sorted and lengths.size < B:
        B = lengths.size        # torch then packs the first len(lengths) sequences only
        if B == 0:
            raise RuntimeError(f"{who}: cannot pack empty tensors (no lengths)")
    if lengths.size != B:
        raise RuntimeError(f"{who}: expected len(lengths) to be equal to batch_size, but got "
                           f"{lengths.size} (batch_size={B})")
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError(f"{who}: length of all samples has to be greater than 0, but found "
                           "an element in 'lengths' that is <= 0")
    if lengths.size and lengths.max() > T:
        raise RuntimeError(f"{who}: a length {int(lengths.max())} exceeds the padded length "
                           f"{T} of input")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError(f"{who}: `lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True; pass enforce_sorted=False to sort them")
        order, sorted_idx, unsorted_idx = np.arange(B), None, None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_idx = wrap(order.astype(np.int64))
        unsorted_idx = wrap(np.argsort(order).astype(np.int64))
    lens = lengths[order]
    batch_sizes = np.array([(lens > t).sum() for t in range(int(lens.max(initial=0)))],
                           np.int64)
    t_idx = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    b_idx = np.concatenate([order[:n] for n in batch_sizes]) if batch_sizes.size else \
        np.zeros(0, np.int64)
    data = x[_index(t_idx, x), _index(b_idx, x)]
    return PackedSequence(data, wrap(batch_sizes), sorted_idx, unsorted_idx)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None):
    """Undo pack_padded_sequence: (padded (T, B, *) or (B, T, *), lengths (B,) int64), in the
    original batch order. Matches torch.nn.utils.rnn.pad_packed_sequence."""
    who = "pad_packed_sequence"
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{who}(): argument 'sequence' must be a PackedSequence, not "
                        f"{type_name(sequence)}")
    need_bool(who, batch_first, "batch_first", 2)
    padding_value = need_float(who, padding_value, "padding_value", 3)
    total_length = need_optional_int(who, total_length, "total_length", 4)
    data = sequence.data
    sizes = np.asarray(sequence.batch_sizes.numpy(force=True)).astype(np.int64)
    B = int(sizes[0]) if sizes.size else 0
    T = sizes.size
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"{who}: expected total_length to be at least the length of the "
                             f"longest sequence in input, but got total_length={total_length} "
                             f"and max sequence length being {T}")
        T = total_length
    # position of (t, b) in data, or the padding row len(data) past the end
    idx = np.full((T, B), data.shape[0], np.int64)
    start = 0
    for t, n in enumerate(sizes):
        idx[t, :n] = np.arange(start, start + n)
        start += n
    lengths = (sizes[None, :] > np.arange(B)[:, None]).sum(1) if B else np.zeros(0, np.int64)
    if sequence.unsorted_indices is not None:
        unsorted = np.asarray(sequence.unsorted_indices.numpy(force=True)).astype(np.int64)
        idx, lengths = idx[:, unsorted], lengths[unsorted]
    from ...creation import full
    pad = full((1,) + tuple(data.shape[1:]), _cast(padding_value, data.dtype), dtype=data.dtype,
               device=data.device)
    padded = cat([data, pad])[_index(idx, data)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, wrap(lengths.astype(np.int64))


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) (torch.nn.utils.rnn.pack_sequence)."""
    padded = pad_sequence(sequences)
    if any(s.shape[0] == 0 for s in sequences) or padded.numel() == 0:
        raise RuntimeError("pack_sequence: cannot pack empty tensors")
    return pack_padded_sequence(padded, [s.shape[0] for s in sequences],
                                enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False):
    """The list of sequences (L_i, *) in a padded batch (T, B, *) (or (B, T, *)), cut to the
    given lengths (torch.nn.utils.rnn.unpad_sequence; torch also transposes its argument in
    place when batch_first=False, which minigrad does not)."""
    who = "unpad_sequence"
    need_tensor(who, padded_sequences, "padded_sequences", 1)
    if not isinstance(lengths, np.ndarray):         # (torch takes a NumPy array too)
        need_tensor(who, lengths, "lengths", 2)
    batch_first = bool(batch_first)                 # (torch tests its truth value only)
    if padded_sequences.ndim < 2:
        raise IndexError(f"{who}: padded_sequences must have at least 2 dims (time and "
                         f"batch), got shape {tuple(padded_sequences.shape)}")
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    lens = np.asarray(lengths if isinstance(lengths, np.ndarray) else
                      lengths.numpy(force=True)).reshape(-1)
    if lens.size != x.shape[0]:
        raise ValueError(f"{who}: got {lens.size} lengths for a batch of {x.shape[0]} "
                         "sequences")
    # torch keeps the steps t < length (a fractional length rounds up)
    keep = (np.arange(x.shape[1])[None, :] < lens[:, None]).sum(1)
    return [seq[:int(n)] for seq, n in zip(x.unbind(0), keep)]


def unpack_sequence(packed_sequences: PackedSequence):
    """The list of sequences in a PackedSequence, in the original order
    (torch.nn.utils.rnn.unpack_sequence)."""
    if not isinstance(packed_sequences, PackedSequence):
        raise TypeError(f"unpack_sequence(): argument 'packed_sequences' must be a "
                        f"PackedSequence, not {type_name(packed_sequences)}")
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
