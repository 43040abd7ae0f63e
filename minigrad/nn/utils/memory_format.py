"""torch.nn.utils.memory_format: lay out the weights of a model's convolutions in a memory
format (channels_last for Conv2d/ConvTranspose2d, channels_last_3d for the 3-d ones)."""
from __future__ import annotations


def _convert(module, memory_format, kinds):
    if isinstance(module, kinds):
        module.weight.data = module.weight.detach().clone(memory_format=memory_format).data
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """The weights of every Conv2d/ConvTranspose2d in module (itself included) copied into
    memory_format, in place; returns module (torch.nn.utils.convert_conv2d_...)."""
    from ..conv import Conv2d                      # lazy: nn.utils loads before the layers
    from ..conv_nd import ConvTranspose2d
    return _convert(module, memory_format, (Conv2d, ConvTranspose2d))


def convert_conv3d_weight_memory_format(module, memory_format):
    """As convert_conv2d_weight_memory_format, for Conv3d/ConvTranspose3d."""
    from ..conv_nd import Conv3d, ConvTranspose3d
    return _convert(module, memory_format, (Conv3d, ConvTranspose3d))
