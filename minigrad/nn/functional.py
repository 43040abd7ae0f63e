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
# ---- issue 15: conv ----
from ..ops.conv import conv1d, conv3d  # noqa: E402
from ..ops.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: E402,E501
from ..ops.pad import pad  # noqa: E402
