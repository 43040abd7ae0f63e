"""minigrad: a small, serious autograd framework over NumPy (CPU) and CuPy (CUDA).

The public names mirror torch's: swap `torch.` for `mg.` and expect the same numbers.
"""
from . import autograd, backend, cuda, return_types
from .autograd import (Function, enable_grad, grad, inference_mode, is_grad_enabled,
                       is_inference_mode_enabled, no_grad, set_grad_enabled)
from .backend import (Device as device, bool_ as bool, float16, float32, float64, int8, int16,
                      int32, int64, uint8)
from .backend import float16 as half, float32 as float, float64 as double, int64 as long
from .creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                       linspace, ones, ones_like, rand, rand_like, randint, randn, randn_like,
                       randperm, tensor, zeros, zeros_like)
from .dtypes import (can_cast, finfo, get_default_dtype, iinfo, promote_types,
                     set_default_dtype)
from .ops.compare import clamp, maximum, minimum, where
from .ops.bitwise import (bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or,
                          bitwise_right_shift, bitwise_xor)
from .ops.index import gather, masked_fill, one_hot, scatter, scatter_add
from .ops.linalg import matmul
from .ops.reduce import (amax, amin, aminmax, argmax, argmin, logsumexp, max, mean, min, std,
                         std_mean, sum, var, var_mean)
from .ops.sort import argsort, kthvalue, median, mode, nanmedian, sort, topk
from .ops.shape import cat, expand, flatten, squeeze, stack, transpose, unsqueeze
from .tensor import Tensor
from .ops.functional import (abs, cos, exp, log, relu, sigmoid, sin, sqrt, tanh, pow, clip,
                             concat, concatenate, is_tensor, numel, log_softmax, permute, reshape,
                             softmax)
from .ops.functional import (add, sub, subtract, mul, multiply, div, divide, true_divide,
                             floor_divide, remainder, fmod)
from .ops.functional import torch_result_type as result_type
from . import nn  # noqa: E402  (after Tensor: nn builds on it)
from . import data, optim  # noqa: E402
from .serialization import load, save  # noqa: E402

__version__ = "0.1.0"

# ---- issue 15: elementwise unary math ----
from .ops.rounding import ceil, floor, frac, round, sgn, sign, trunc  # noqa: E402
from .ops.trig import acos, acosh, asin, asinh, atan, atanh, cosh, sinh, tan  # noqa: E402
from .ops.unary_math import (erf, erfc, erfinv, exp2, expm1, log10, log1p, log2,  # noqa: E402
                             reciprocal, rsqrt, square)
# ---- issue 15: matrix products, matrix structure, creation ----
from .creation import logspace, randint_like  # noqa: E402
from .ops.einsum import einsum  # noqa: E402
from .ops.matrix import (block_diag, cartesian_prod, diag, diag_embed, diagonal,  # noqa: E402
                         meshgrid, trace, tril, triu)
from .ops.products import (addbmm, addmm, addmv, baddbmm, bmm, dot, kron, mm, mv,  # noqa: E402
                           outer, tensordot, vdot)
# ---- issue 15: elementwise binary/ternary math and predicates ----
from .ops.binary_math import (arctan2, atan2, clamp_max, clamp_min, hypot,  # noqa: E402
                              logaddexp, logaddexp2, nan_to_num, rsub, xlogy)
from .ops.ternary import addcdiv, addcmul, lerp  # noqa: E402
from .ops.predicates import (allclose, equal, isclose, isfinite, isinf, isnan,  # noqa: E402
                             isneginf, isposinf, logical_and, logical_not, logical_or,
                             logical_xor)
# ---- issue 15: reductions and scans ----
from .ops.prod import prod  # noqa: E402
from .ops.scan import cummax, cummin, cumprod, cumsum, logcumsumexp  # noqa: E402
from .ops.reduce_logical import all, any, count_nonzero, nanmean, nansum  # noqa: E402
from .ops.cdist import cdist  # noqa: E402
from .ops.norms import dist, tensor_norm as norm  # noqa: E402
from . import linalg  # noqa: E402
# ---- issue 15: sorting, selection and indexing ----
from .ops.select import (bucketize, index_select, masked_select, msort,  # noqa: E402
                         nonzero, searchsorted, take, take_along_dim, unique)
from .ops.index_more import (index_add, index_copy, index_fill, index_put,  # noqa: E402
                             index_put_, masked_scatter, scatter_reduce)
# ---- issue 15: shape ops ----
from .ops.split import (chunk, dsplit, hsplit, narrow, split, tensor_split,  # noqa: E402
                        unbind, vsplit)
from .ops.tile import flip, fliplr, flipud, repeat_interleave, roll, rot90, tile  # noqa: E402
from .ops.layout import (atleast_1d, atleast_2d, atleast_3d, broadcast_tensors,  # noqa: E402
                         broadcast_to, column_stack, dstack, hstack, movedim, moveaxis,
                         swapaxes, swapdims, unflatten, vstack)
from .ops.sampling import bernoulli, multinomial, normal, poisson  # noqa: E402
from .ops.functional import (absolute, clone, eq, ge, gt, le, lt, ne, neg,  # noqa: E402
                             negative, ravel, select, t)
# ---- issue 15: act ----
from .ops.activation_more import (prelu, relu_, torch_celu as celu,  # noqa: E402
                                  torch_rrelu as rrelu, torch_rrelu_ as rrelu_,
                                  torch_selu as selu, torch_threshold as threshold)
from .ops.activation_pointwise import celu_, hardshrink, selu_, threshold_  # noqa: E402
# ---- issue 15: loss ----
from .ops.loss_distance import cosine_similarity, pairwise_distance  # noqa: E402
# ---- issue 15: conv ----
from .ops.conv import conv1d, conv2d, conv3d  # noqa: E402
from .ops.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: E402,E501
# ---- issue 15: resample ----
from .ops.pixel_shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle  # noqa: E402
# ---- issue 17: func ----
from . import func  # noqa: E402
# ---- issue 17: prof ----
from . import profiler  # noqa: E402
# ---- issue 17: ckpt ----
from . import utils  # noqa: E402
from .rng_state import get_rng_state, set_rng_state  # noqa: E402
from .ops.memory_format import (channels_last, channels_last_3d, contiguous_format,  # noqa: E402
                                memory_format, preserve_format)
from .generator import (Generator, default_generator, initial_seed, manual_seed,  # noqa: E402
                        seed)
# ---- vision: grid_sample / affine_grid / bilinear ----
from .ops.bilinear import bilinear  # noqa: E402
# ---- special functions (torch.special and its top-level names) ----
from . import special  # noqa: E402
from .ops.special_gamma import (digamma, igamma, igammac, lgamma, mvlgamma,  # noqa: E402
                                polygamma)
from .ops.special_bessel import i0  # noqa: E402
from .ops.special_misc import logit, sinc  # noqa: E402
# ---- linalg: decompositions and solvers (ops/linalg_*.py) ----
from .ops.linalg_det import logdet, torch_det as det, torch_slogdet as slogdet  # noqa: E402
from .ops.linalg_extra import orgqr  # noqa: E402
from .ops.linalg_lu import (cholesky_inverse, cholesky_solve, lu_unpack,  # noqa: E402
                            torch_lu_solve as lu_solve, triangular_solve)
from .ops.linalg_more import pinverse  # noqa: E402
from .ops.linalg_solve import inverse  # noqa: E402
from .ops.linalg_torch import (chain_matmul, ger, inner, torch_cholesky as cholesky,  # noqa: E402
                               torch_cross as cross, torch_matrix_exp as matrix_exp,
                               torch_matrix_power as matrix_power, torch_qr as qr,
                               torch_svd as svd)
# ---- misc: elementwise binary math, aliases, top-level in-place forms ----
from .ops.binary_special import (copysign, float_power, fmax, fmin, frexp, gcd,  # noqa: E402
                                 heaviside, lcm, ldexp, nextafter, signbit)
from .ops.elementwise_aliases import (  # noqa: E402
    abs_, acos_, acosh_, addmv_, arccos, arccos_, arccosh, arccosh_, arcsin, arcsin_, arcsinh,
    arcsinh_, arctan, arctan_, arctanh, arctanh_, asin_, asinh_, atan_, atanh_, ceil_, clamp_,
    clamp_max_, clamp_min_, clip_, cos_, cosh_, deg2rad, deg2rad_, erf_, erfc_, exp2_, exp_,
    expm1_, fill_, fix, fix_, floor_, frac_, gcd_, greater, greater_equal, lcm_, ldexp_, less,
    less_equal, log10_, log1p_, log2_, log_, nan_to_num_, neg_, negative_, not_equal, positive,
    rad2deg, reciprocal_, round_, rsqrt_, sigmoid_, sin_, sinh_, sqrt_, square_, tan_, tanh_,
    trunc_, xlogy_, zero_)
# ---- misc: array utilities ----
from .ops.array_utils import (argwhere, bincount, broadcast_shapes, histc,  # noqa: E402
                              is_complex, is_floating_point, is_nonzero, is_same_size,
                              is_signed, isin, unique_consecutive, unravel_index)
from .ops.array_build import (combinations, diagflat, range, renorm,  # noqa: E402
                              scalar_tensor, tril_indices, triu_indices, vander)
from .ops.integrate import cumulative_trapezoid, diff, trapezoid, trapz  # noqa: E402
# ---- misc: statistics ----
from .ops.stats import corrcoef, cov, nanquantile, pdist, quantile  # noqa: E402
# ---- printing and global settings ----
from . import tensor_str as _tensor_str  # noqa: E402  (torch._tensor_str.printoptions)
from .tensor_str import set_printoptions  # noqa: E402
from .settings import (  # noqa: E402
    are_deterministic_algorithms_enabled, get_default_device, get_deterministic_debug_mode,
    get_float32_matmul_precision, get_num_interop_threads, get_num_threads,
    is_anomaly_check_nan_enabled, is_anomaly_enabled, is_deterministic_algorithms_warn_only_enabled,
    is_warn_always_enabled, set_anomaly_enabled, set_default_device, set_deterministic_debug_mode,
    set_float32_matmul_precision, set_flush_denormal, set_num_interop_threads, set_num_threads,
    set_warn_always, use_deterministic_algorithms)
from .control_flow import compile, cond, while_loop  # noqa: E402
from .func import vmap  # noqa: E402  (torch.vmap is torch.func.vmap)
# ---- torch's top-level functional forms (ATen signatures) ----
from .functional_torch import (  # noqa: E402
    alpha_dropout, alpha_dropout_, batch_norm, binary_cross_entropy_with_logits,
    cosine_embedding_loss, ctc_loss, dropout, dropout_, embedding, feature_alpha_dropout,
    feature_alpha_dropout_, feature_dropout, feature_dropout_, group_norm, hinge_embedding_loss,
    instance_norm, kl_div, layer_norm, margin_ranking_loss, native_batch_norm, native_dropout,
    native_group_norm, native_layer_norm, poisson_nll_loss, rms_norm, triplet_margin_loss)
from .functional_torch_more import (  # noqa: E402
    adaptive_avg_pool1d, adaptive_max_pool1d, affine_grid_generator, avg_pool1d,
    constant_pad_nd, conv_tbc, convolution, frobenius_norm, grid_sampler, grid_sampler_2d,
    grid_sampler_3d, gru_cell, lstm_cell, max_pool1d, max_pool1d_with_indices, max_pool2d,
    max_pool3d, native_channel_shuffle, norm_except_dim, nuclear_norm, rnn_relu_cell,
    rnn_tanh_cell)
# ---- mixed precision: GradScaler, autocast (CPU, float16) and its state functions ----
from .functional_rnn import gru, lstm, rnn_relu, rnn_tanh  # noqa: E402
from .ops.embedding_bag_aten import embedding_bag  # noqa: E402
from .lobpcg import lobpcg  # noqa: E402
# ---- mixed precision: GradScaler, and autocast's names (minigrad has no autocast) ----
from . import amp  # noqa: E402
from .amp import (autocast, clear_autocast_cache, get_autocast_cpu_dtype,  # noqa: E402
                  get_autocast_dtype, is_autocast_cache_enabled, is_autocast_cpu_enabled,
                  is_autocast_enabled, set_autocast_cache_enabled, set_autocast_dtype,
                  set_autocast_enabled)
from .cuda import amp as _cuda_amp  # noqa: E402,F401  (mg.cuda.amp, as torch.cuda.amp)
# ---- torch.distributions ----
from . import distributions  # noqa: E402
# ---- signal: window functions, torch.fft's real helpers, stft ----
from . import fft, signal  # noqa: E402
from . import backends, jit, random  # noqa: E402  (torch.backends' flags, torch.jit, .random)
from .ops.windows_signal import (bartlett_window, blackman_window, hamming_window,  # noqa: E402
                                 hann_window, kaiser_window)
from .ops.stft import istft, stft  # noqa: E402
from .ops.segment_reduce import segment_reduce  # noqa: E402
from .linalg_lowrank import lu, matrix_rank, pca_lowrank, svd_lowrank  # noqa: E402
# ---- misc: missing Tensor methods and top-level functions (tensor_extra.py, tensor_meta.py) ----
from .ops.addr import addr  # noqa: E402
from .ops.index_reduce import index_reduce, put  # noqa: E402
from .ops.nonzero_static import nonzero_static  # noqa: E402
from .ops.histogram import histogram, histogramdd  # noqa: E402
from .ops.complex_real import (adjoint, angle, conj, conj_physical,  # noqa: E402
                               conj_physical_, imag, is_conj, is_neg, isreal, real,
                               resolve_conj, resolve_neg)
from .ops.extra_functions import (detach, detach_, fill, get_device, i0_,  # noqa: E402
                                  is_distributed, is_inference, logit_, rad2deg_, row_stack,
                                  sinc_, typename)
from .ops.gradient import gradient  # noqa: E402
from .ops.sampling_binomial import binomial  # noqa: E402
from .creation_buffer import asarray, from_dlpack, frombuffer  # noqa: E402
from .tensor_meta import strided  # noqa: E402
# ---- views: as_strided, the scatter forms, the view-copy functions, unsafe splits ----
from .ops.strided import as_strided, as_strided_scatter, empty_strided  # noqa: E402
from .ops.view_scatter import diagonal_scatter, select_scatter, slice_scatter  # noqa: E402
from .ops.view_copy import (  # noqa: E402
    alias_copy, as_strided_copy, detach_copy, diagonal_copy, expand_copy, narrow_copy,
    permute_copy, select_copy, slice_copy, split_copy, split_with_sizes, split_with_sizes_copy,
    squeeze_copy, t_copy, transpose_copy, unbind_copy, unfold_copy, unsafe_chunk, unsafe_split,
    unsafe_split_with_sizes, unsqueeze_copy, view_copy)
# ---- torch's type objects and legacy constructors: Size, dtype, layout, FloatTensor, ... ----
from .size import Size  # noqa: E402
from .dtype_class import dtype  # noqa: E402
from .tensor_meta import layout  # noqa: E402
from .legacy_types import (BoolTensor, ByteTensor, CharTensor, DoubleTensor,  # noqa: E402
                           FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor,
                           set_default_tensor_type)
from .ops.empty_permuted import empty_permuted  # noqa: E402
from .ops.linalg_geqrf import geqrf, ormqr  # noqa: E402
# ---- out=: the functions that take torch's out= argument, in place of the plain ones ----
from .functions_out import *  # noqa: E402, F401, F403
