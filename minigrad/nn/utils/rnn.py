"""nn.utils.rnn: padding a list of variable-length sequences into one tensor
(torch.nn.utils.rnn.pad_sequence)."""
from __future__ import annotations

from ...ops.checks import need_bool, need_float, need_str, type_name
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
