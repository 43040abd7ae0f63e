"""minigrad.nn.functional (imported as F): torch's functional names; the math lives in ops/."""
from ..ops.index import one_hot
from .linear import linear
from ..ops.conv import conv2d
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .embedding import embedding
from .norm import batch_norm, layer_norm
from ..ops.softmax import log_softmax, softmax
from ..ops.attention import scaled_dot_product_attention
