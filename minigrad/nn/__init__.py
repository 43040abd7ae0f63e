"""minigrad.nn: modules with torch.nn's names, arguments and parameter layouts."""
from . import functional
from . import init, utils
from .container import ModuleDict, ModuleList, Sequential
from .conv import AdaptiveAvgPool2d, AvgPool2d, Conv2d, MaxPool2d
from .embedding import Embedding
from .linear import Flatten, Identity, Linear
from .module import Module
from .attention import MultiheadAttention, WindowAttention
from .transformer import TransformerEncoder, TransformerEncoderLayer
from .activation import GELU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .dropout import Dropout, DropPath
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, KLDivLoss, L1Loss, MSELoss,
                   NLLLoss, SmoothL1Loss)
from .norm import BatchNorm1d, BatchNorm2d, LayerNorm
from .parameter import Parameter
