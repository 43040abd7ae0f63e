"""Argument handling shared by the convolutions (ops/conv.py, ops/conv_transpose.py) and
their modules: torch's _single/_pair/_triple, padding strings, and the shape and dtype checks
with torch's exception types."""
from __future__ import annotations

from .checks import need_int, need_optional_tensor, need_tensor, same_dtype


def ntuple(v, n, name, op):
    """An int, or a sequence of 1 or n ints, as an n-tuple (torch's _single/_pair/_triple,
    which also take NumPy ints and expand a 1-element list), checked."""
    if isinstance(v, (list, tuple)) and len(v) in (1, n):
        items = tuple(v) * (n // len(v))
    else:
        items = (v,) * n
    try:
        return tuple(need_int(op, a, name) for a in items)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {v!r}") \
            from None


def pair(v, name, op="conv2d"):
    """An int, or a sequence of one or two ints, as a 2-tuple (torch's _pair), checked."""
    return ntuple(v, 2, name, op)


def conv_padding(padding, kernel, stride, dilation, op="conv2d", module=False):
    """padding (int, tuple, 'valid' or 'same') -> (lo, hi) per spatial dim, flat. torch's
    functional form raises RuntimeError for a bad string, its modules ValueError."""
    n = len(kernel)
    if isinstance(padding, str):
        err = ValueError if module else RuntimeError
        if padding == "valid":
            return (0,) * (2 * n)
        if padding != "same":
            raise err(f"{op}: invalid padding string {padding!r}, expected 'same' or 'valid'")
        if any(s != 1 for s in stride):
            raise err(f"{op}: padding='same' is not supported for strided convolutions "
                      f"(stride={stride})")
        out = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)       # torch puts the odd extra row/column at the end
            out += [total // 2, total - total // 2]
        return tuple(out)
    pads = ntuple(padding, n, "padding", op)
    if min(pads) < 0:
        raise RuntimeError(f"{op}: negative padding is not supported, got {padding!r}")
    return tuple(p for p in pads for _ in range(2))


def check_conv_args(op, nd, input, weight, bias, stride, dilation, groups, transposed=False):
    """The checks conv{nd}d and conv_transpose{nd}d share; returns (stride, dilation, groups).
    A transposed convolution's weight is (C_in, C_out/G, *k), a convolution's (C_out, C_in/G,
    *k): the dim that must match the input's channels (times G) is 0 resp. 1."""
    need_tensor(op, input, "input", 1)
    need_tensor(op, weight, "weight", 2)
    need_optional_tensor(op, bias, "bias", 3)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{op}: expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input, "
                           f"but got input of shape {tuple(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"{op}: weight must be {nd + 2}-D, got shape {tuple(weight.shape)}")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"{op}: input type ({input.dtype}) and weight type ({weight.dtype}) "
                           "should be the same")
    if input.dtype.kind == "b":
        raise NotImplementedError(f"{op}: not implemented for bool tensors")
    same_dtype(op, input, bias=bias)
    if 0 in input.shape[input.ndim - nd:]:
        raise RuntimeError(f"{op}: only zero batch or zero channel inputs are supported, but "
                           f"got input shape {tuple(input.shape)}")
    stride = ntuple(stride, nd, "stride", op)
    dilation = ntuple(dilation, nd, "dilation", op)
    if min(stride) <= 0:
        raise RuntimeError(f"{op}: non-positive stride is not supported, got {stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"{op}: dilation must be positive, got {dilation}")
    if groups <= 0:
        raise RuntimeError(f"{op}: groups must be a positive int, got {groups!r}")
    if weight.shape[0] == 0 or (transposed and weight.shape[1] == 0):
        raise RuntimeError(f"{op}: given groups={groups}, expected a non-empty weight, but got "
                           f"weight of size {tuple(weight.shape)}")
    c_in = weight.shape[0] if transposed else weight.shape[1] * groups
    channels = input.shape[0 if input.ndim == nd + 1 else 1]
    if channels != c_in:
        raise RuntimeError(f"{op}: given groups={groups}, weight of size {tuple(weight.shape)}, "
                           f"expected input{tuple(input.shape)} to have {c_in} channels, but "
                           f"got {channels} channels instead")
    if weight.shape[0] % groups:
        raise RuntimeError(f"{op}: weight.shape[0] = {weight.shape[0]} must be divisible by "
                           f"groups={groups}")
    c_out = weight.shape[1] * groups if transposed else weight.shape[0]
    if channels == 0 and not transposed:
        # torch returns an empty (N, 0, ...) result here, whatever C_out: minigrad refuses
        # rather than give either that or the bias-filled (N, C_out, ...) result silently
        raise RuntimeError(f"{op}: input of shape {tuple(input.shape)} has 0 channels: torch "
                           f"returns an empty (N, 0, ...) result for it, not (N, {c_out}, ...); "
                           f"minigrad does not support this case")
    if bias is not None and tuple(bias.shape) != (c_out,):
        raise RuntimeError(f"{op}: bias must have shape ({c_out},), got {tuple(bias.shape)}")
    return stride, dilation, groups


def add_bias(out, bias, nd):
    return out if bias is None else out + bias.reshape((1, -1) + (1,) * nd)

