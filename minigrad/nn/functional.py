"""minigrad.nn.functional (imported as F): torch's functional names; the math lives in ops/."""
# ruff: noqa: F401  (this module only re-exports)
from ..ops.activation import gelu, logsigmoid, relu, sigmoid, silu, softplus, tanh
from ..ops.attention import scaled_dot_product_attention
from ..ops.conv import conv2d
from ..ops.dropout import drop_path, dropout, gumbel_softmax
from ..ops.index import one_hot
from ..ops.cross_entropy import cross_entropy
from ..ops.loss import nll_loss
from ..ops.loss_bce import binary_cross_entropy, binary_cross_entropy_with_logits
from ..ops.loss_pointwise import kl_div, l1_loss, mse_loss, smooth_l1_loss
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from ..ops.softmax import log_softmax, softmax
from .embedding import embedding
from .linear import linear
from .norm import batch_norm, layer_norm
# ---- issue 15: resample ----
from ..ops.dropout_feature import (alpha_dropout, dropout1d, dropout2d, dropout3d,  # noqa: E402
                                   feature_alpha_dropout)
from ..ops.fold import fold, unfold  # noqa: E402
from ..ops.interpolate import (interpolate, upsample, upsample_bilinear,  # noqa: E402
                               upsample_nearest)
from ..ops.pixel_shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle  # noqa: E402
