"""minigrad.nn.functional (imported as F): torch's functional names; the math lives in ops/."""
from ..ops.index import one_hot
from .linear import linear
from ..ops.softmax import log_softmax, softmax
from ..ops.attention import scaled_dot_product_attention
