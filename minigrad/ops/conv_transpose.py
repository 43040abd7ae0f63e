"""Transposed convolutions conv_transpose1d/2d/3d: the adjoint of a convolution in its input,
i.e. ops/conv.py's ConvInputGrad with the transposed weight (C_in, C_out/G, *k) read as a
convolution weight (O = C_in, C/G = C_out/G, *k). Its backward is written with Conv and
ConvWeightGrad, so gradients and double backward come with it.

Output length per dim: (L - 1) s - 2 p + d (k - 1) + output_padding + 1; output_padding only
says how many positions to add at the end (it must be < stride or < dilation, as in torch).
"""
from __future__ import annotations

from ..autocast_state import autocast_op
from .checks import need_int
from .conv import ConvInputGrad
from .conv_args import add_bias, check_conv_args, ntuple


def transposed_size(size, kernel, stride, padding, dilation, output_padding=0):
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def _conv_transpose(op, nd, input, weight, bias, stride, padding, output_padding, groups,
                    dilation):
    groups = need_int(op, groups, "groups", 7)
    if isinstance(padding, str):
        raise TypeError(f"{op}(): argument 'padding' must be tuple of ints, not str "
                        "(a transposed convolution has no 'same'/'valid' padding)")
    stride, dilation, groups = check_conv_args(op, nd, input, weight, bias, stride, dilation,
                                               groups, transposed=True)
    pads = ntuple(padding, nd, "padding", op)
    out_pad = ntuple(output_padding, nd, "output_padding", op)
    if min(pads) < 0:
        raise RuntimeError(f"{op}: negative padding is not supported, got {padding!r}")
    if min(out_pad) < 0:
        raise RuntimeError(f"{op}: negative output_padding is not supported, got "
                           f"{output_padding!r}")
    if any(o >= s and o >= d for o, s, d in zip(out_pad, stride, dilation)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or "
                           f"dilation, but got output_padding={out_pad}, stride={stride}, "
                           f"dilation={dilation}")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    kernel = tuple(weight.shape[2:])
    out = tuple(transposed_size(n, k, s, p, d, o) for n, k, s, p, d, o in
                zip(x.shape[2:], kernel, stride, pads, dilation, out_pad))
    if min(out) < 1:
        raise RuntimeError(f"{op}: given input size per channel {tuple(x.shape[2:])}, the "
                           f"calculated output size per channel {out} is too small")
    x_shape = (x.shape[0], weight.shape[1] * groups) + out
    y = ConvInputGrad.apply(x, weight, x_shape, stride, tuple(p for p in pads for _ in "lh"),
                            dilation, groups)
    y = add_bias(y, bias, nd)
    return y.squeeze(0) if unbatched else y


@autocast_op("conv_transpose1d")
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """1-D transposed convolution (matches torch.nn.functional.conv_transpose1d).

    input (N, C_in, L) or (C_in, L), weight (C_in, C_out/groups, k), bias (C_out,).
    Returns (N, C_out, Lo), Lo = (L-1)*stride - 2*padding + dilation*(k-1) + output_padding + 1.
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


@autocast_op("conv_transpose2d")
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """2-D transposed convolution (matches torch.nn.functional.conv_transpose2d).

    input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out/groups, kh, kw), bias (C_out,).
    Returns (N, C_out, Ho, Wo), each size as in conv_transpose1d.
    """
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)


@autocast_op("conv_transpose3d")
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """3-D transposed convolution (matches torch.nn.functional.conv_transpose3d).

    input (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_in, C_out/groups, kd, kh, kw),
    bias (C_out,). Returns (N, C_out, Do, Ho, Wo), each size as in conv_transpose1d.
    """
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)
