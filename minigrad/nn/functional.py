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
# ---- issue 15: attn ----
from .mha_forward import multi_head_attention_forward  # noqa: E402
# ---- issue 15: pool ----
from ..ops.pool import (avg_pool1d, avg_pool3d, max_pool1d, max_pool1d_with_indices,  # noqa: E402
                        max_pool2d_with_indices, max_pool3d, max_pool3d_with_indices)
from ..ops.pool_adaptive import (adaptive_avg_pool1d, adaptive_avg_pool3d,  # noqa: E402
                                 adaptive_max_pool1d, adaptive_max_pool1d_with_indices,
                                 adaptive_max_pool2d, adaptive_max_pool2d_with_indices,
                                 adaptive_max_pool3d, adaptive_max_pool3d_with_indices,
                                 lp_pool1d, lp_pool2d, lp_pool3d, max_unpool1d, max_unpool2d,
                                 max_unpool3d)
# ---- issue 18: fused linear cross-entropy ----
from ..ops.linear_cross_entropy import linear_cross_entropy  # noqa: E402
# ---- issue 15: norm ----
from ..ops.norm_group import group_norm, instance_norm  # noqa: E402
from ..ops.norm_rms import local_response_norm, normalize, rms_norm  # noqa: E402
# ---- issue 15: act ----
from ..ops.activation_more import glu, mish, prelu, relu_, softmin, softsign, tanhshrink
from ..ops.activation_pointwise import (celu, celu_, elu, elu_, hardshrink, hardsigmoid,
                                        hardswish, hardtanh, hardtanh_, leaky_relu, leaky_relu_,
                                        relu6, rrelu, rrelu_, selu, selu_, softshrink, threshold,
                                        threshold_)
# ---- issue 15: seq ----
from ..ops.ctc import ctc_loss  # noqa: E402
from ..ops.embedding_bag import embedding_bag  # noqa: E402
# ---- issue 15: loss ----
from ..ops.loss_distance import (cosine_similarity, pairwise_distance,  # noqa: E402
                                 triplet_margin_loss, triplet_margin_with_distance_loss)
from ..ops.loss_margin import (cosine_embedding_loss, hinge_embedding_loss,  # noqa: E402
                               margin_ranking_loss, multilabel_soft_margin_loss,
                               soft_margin_loss)
from ..ops.loss_multiclass import multi_margin_loss, multilabel_margin_loss  # noqa: E402
from ..ops.loss_regression import gaussian_nll_loss, huber_loss, poisson_nll_loss  # noqa: E402
# ---- issue 15: conv ----
from ..ops.conv import conv1d, conv3d  # noqa: E402
from ..ops.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: E402,E501
from ..ops.pad import pad  # noqa: E402
# ---- issue 15: resample ----
from ..ops.dropout_feature import (alpha_dropout, dropout1d, dropout2d, dropout3d,  # noqa: E402
                                   feature_alpha_dropout)
from ..ops.fold import fold, unfold  # noqa: E402
from ..ops.interpolate import (interpolate, upsample, upsample_bilinear,  # noqa: E402
                               upsample_nearest)
from ..ops.pixel_shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle  # noqa: E402
# ---- vision: grid_sample / affine_grid / bilinear ----
from ..ops.affine_grid import affine_grid  # noqa: E402
from ..ops.bilinear import bilinear  # noqa: E402
from ..ops.grid_sample import grid_sample  # noqa: E402
# ---- misc: statistics ----
from ..ops.stats import pdist  # noqa: E402,F401
# ---- fractional max pooling ----
from ..ops.pool_fractional import (fractional_max_pool2d,  # noqa: E402
                                   fractional_max_pool2d_with_indices, fractional_max_pool3d,
                                   fractional_max_pool3d_with_indices)
# ---- ATen forms torch also lists in F ----
from ..functional_torch_more import conv_tbc, native_channel_shuffle  # noqa: E402
