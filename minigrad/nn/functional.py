"""minigrad.nn.functional (imported as F): torch's functional names; the math lives in ops/."""
from ..ops.index import one_hot
from .linear import linear
from ..ops.conv import conv2d
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .embedding import embedding
from .norm import batch_norm, layer_norm
from ..ops.softmax import log_softmax, softmax
from ..ops.activation import gelu, logsigmoid, relu, sigmoid, silu, softplus, tanh
from ..ops.dropout import drop_path, dropout, gumbel_softmax
from ..ops.loss import cross_entropy, nll_loss
from ..ops.loss_bce import binary_cross_entropy, binary_cross_entropy_with_logits
from ..ops.loss_pointwise import kl_div, l1_loss, mse_loss, smooth_l1_loss
from ..ops.attention import scaled_dot_product_attention
