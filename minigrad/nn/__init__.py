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
# ---- issue 15: attn ----
from .transformer_decoder import Transformer, TransformerDecoder, TransformerDecoderLayer  # noqa: E402
# ---- issue 15: pool ----
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool3d, AdaptiveMaxPool1d,  # noqa: E402
                      AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool1d, AvgPool3d, LPPool1d,
                      LPPool2d, LPPool3d, MaxPool1d, MaxPool3d, MaxUnpool1d, MaxUnpool2d,
                      MaxUnpool3d)
# ---- issue 18: fused linear cross-entropy ----
from .linear_cross_entropy import LinearCrossEntropyLoss, LinearCrossEntropyOptions  # noqa: E402
# ---- issue 15: norm ----
from .norm import BatchNorm3d  # noqa: E402
from .norm_layers import (  # noqa: E402
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LocalResponseNorm,
    RMSNorm,
)
# ---- issue 15: act ----
from .activation_more import (CELU, ELU, GLU, SELU, Hardshrink, Hardsigmoid,  # noqa: E402
                              Hardswish, Hardtanh, LeakyReLU, LogSigmoid, Mish, PReLU, ReLU6,
                              RReLU, Softmax2d, Softmin, Softplus, Softshrink, Softsign,
                              Tanhshrink, Threshold)
# ---- issue 15: seq ----
from .embedding_bag import EmbeddingBag  # noqa: E402
from .loss_ctc import CTCLoss  # noqa: E402
from .parameter_containers import ParameterDict, ParameterList  # noqa: E402
# ---- issue 15: loss ----
from .loss_more import (CosineEmbeddingLoss, CosineSimilarity, GaussianNLLLoss,  # noqa: E402
                        HingeEmbeddingLoss, HuberLoss, MarginRankingLoss, MultiLabelMarginLoss,
                        MultiLabelSoftMarginLoss, MultiMarginLoss, PairwiseDistance,
                        PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss,
                        TripletMarginWithDistanceLoss)
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
# ---- issue 15: resample ----
from .dropout_feature import (AlphaDropout, Dropout1d, Dropout2d, Dropout3d,  # noqa: E402
                              FeatureAlphaDropout)
from .upsample import (ChannelShuffle, Fold, PixelShuffle, PixelUnshuffle, Unfold,  # noqa: E402
                       Upsample, UpsamplingBilinear2d, UpsamplingNearest2d)
# ---- issue 16: dist ----
from . import parallel  # noqa: E402
from .parallel import DataParallel  # noqa: E402
from .sync_batchnorm import SyncBatchNorm  # noqa: E402
# ---- vision: grid_sample / affine_grid / bilinear ----
from .bilinear import Bilinear  # noqa: E402
# ---- rnn: recurrent layers ----
from .rnn import GRU, LSTM, RNN, RNNBase  # noqa: E402
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase  # noqa: E402
# ---- fractional max pooling ----
from .pooling_fractional import FractionalMaxPool2d, FractionalMaxPool3d  # noqa: E402
# ---- lazy modules, Buffer ----
from .parameter import Buffer, UninitializedBuffer, UninitializedParameter  # noqa: E402
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d,  # noqa: E402
                   LazyConv2d, LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d,
                   LazyConvTranspose3d, LazyInstanceNorm1d, LazyInstanceNorm2d,
                   LazyInstanceNorm3d, LazyLinear)
from .deprecated import Container, NLLLoss2d  # noqa: E402
from .cross_map_lrn import CrossMapLRN2d  # noqa: E402
from .adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: E402
from . import modules  # noqa: E402,F401  (torch.nn.modules.lazy's import path)
