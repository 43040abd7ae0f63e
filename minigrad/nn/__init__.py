"""minigrad.nn: modules with torch.nn's names, arguments and parameter layouts."""
from . import functional, init, utils
from .activation import GELU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .attention import MultiheadAttention, WindowAttention
from .container import ModuleDict, ModuleList, Sequential
from .conv import AdaptiveAvgPool2d, AvgPool2d, Conv2d, MaxPool2d
from .dropout import Dropout, DropPath
from .embedding import Embedding
from .linear import Flatten, Identity, Linear
from .loss import (
                   BCELoss,
                   BCEWithLogitsLoss,
                   CrossEntropyLoss,
                   KLDivLoss,
                   L1Loss,
                   MSELoss,
                   NLLLoss,
                   SmoothL1Loss,
)
from .module import Module
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm
from .parameter import Parameter
from .transformer import TransformerEncoder, TransformerEncoderLayer
# ---- issue 15: shape ops ----
from .unflatten import Unflatten  # noqa: E402
# ---- issue 15: conv ----
from .conv_nd import Conv1d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d  # noqa: E402,E501
from .padding import (  # noqa: E402
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
