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
# ---- issue 15: resample ----
from .dropout_feature import (AlphaDropout, Dropout1d, Dropout2d, Dropout3d,  # noqa: E402
                              FeatureAlphaDropout)
from .upsample import (ChannelShuffle, Fold, PixelShuffle, PixelUnshuffle, Unfold,  # noqa: E402
                       Upsample, UpsamplingBilinear2d, UpsamplingNearest2d)
