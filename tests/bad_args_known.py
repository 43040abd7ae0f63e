"""The bad-argument sweep's documented deviations from torch (imported by tests/bad_args.py)."""


# Documented deviations from torch: (name regex, argument, bad-value label) -> why, or
# (category, why) for one category only. A call that matches is counted as "known" instead of
# its category. Every entry must still match a call of the fixed sweep, or be listed in
# KNOWN_FROM_DRAWS (met only by the property test's random values), so that a fix makes its
# entry fail until it is deleted (tests/test_bad_args.py).
_EMPTY = r"(Arr\((\d+, )*0(, \d+)*,?\)|empty \(.*\)).*"     # labels of empty tensors
_EXPLICIT_NONE = ("explicit None is read as the omitted argument (the Python default): the "
                  "result is torch's for the call without it")
KNOWN = {
    (r"(mg|Tensor)\.(max|min|median|nanmedian|squeeze|prod)", "dim", "None"): _EXPLICIT_NONE,
    (r"(mg|Tensor)\.(max|min)", "other", "None"): _EXPLICIT_NONE,
    (r"(mg|Tensor)\.(std|var|std_mean|var_mean)", "unbiased", "None"): _EXPLICIT_NONE,
    (r"mg\.arange", "end", "None"): _EXPLICIT_NONE,
    (r"mg\.eye", "m", "None"): _EXPLICIT_NONE,
    (r"mg\.finfo", "type", "None"): _EXPLICIT_NONE,
    (r"(mg|Tensor)\.logsumexp", "dim", r"\[\]|\(\)"): (
        "torch's logsumexp fails on an empty dim list (an internal shape error); minigrad "
        "reduces over all dims, as torch.sum(dim=[]) does"),
    (r"(mg|Tensor)\.(std|var)(_mean)?", "correction", "nan"): (
        "correction=nan: torch divides by max(0, N - nan) = 0 (inf), minigrad by nan (nan)"),
    (r"mg\.(tensor|as_tensor|Tensor)|Tensor\.new_tensor", "data|args", r".*\[\].*"): (
        "ragged data with an empty list: torch sometimes builds an empty tensor from it "
        "(as_tensor([[], True]) is (2, 0)); minigrad refuses ragged data"),
    (r"Tensor\.stride", "self", _EMPTY): (
        "the sweep's torch tensors come from NumPy arrays, whose empty ones have 0 strides "
        "(NumPy 2); minigrad reports a fresh empty tensor's strides as torch does (contiguous)"),
    (r"mg\.save", "obj", r"<object object.*"): (
        "mg.save writes no pickle: tensors, arrays, numbers, strings and containers of them"),
    (r"Tensor\.to", "args", r"-?([\d.]+(e[-+]?\d+)?|inf|nan)"): (
        "torch reads a Python float positional as the float64 dtype; minigrad asks for a dtype"),
    (r"F\.scaled_dot_product_attention", "dropout_p", r"(np\.float64\()?-.*|nan"): (
        "torch does not range-check dropout_p here; minigrad keeps dropout's [0, 1] check"),
    (r"F\.gumbel_softmax", "tau", r"(np\.float64\()?(-.*|0|0\.0\)?)|nan"): (
        "torch takes any tau (NaN or reversed-order samples); minigrad requires tau > 0"),
    (r"nn\.MultiheadAttention", "dropout", r".*"): (
        "stricter", "torch checks dropout only where it is used (training forward); minigrad "
        "checks it in the constructor"),
    (r"F\.adaptive_avg_pool2d|nn\.AdaptiveAvgPool2d", "output_size", r"np\.int64\(.*\)"): (
        "silent", "torch fails on a NumPy int output_size (it calls len() on it); minigrad "
        "takes it as the int it is"),
    (r"(mg|Tensor)\.pow_?", "exponent", r"(np\.float64\()?-?[\d.]+(e[-+]?\d+)?\)?"): (
        "differs", "bug in arith.Pow (reported, not fixed here): a float exponent is rounded to "
        "the tensor's dtype first, so x ** 9.999999999999998 on float32 is x ** 10 (torch keeps "
        "the double exponent: NaN for a negative base)"),
    (r"F\.drop_path|nn\.DropPath\.forward", "x", r"Arr\(\):.*"): (
        "stricter", "drop_path drops whole samples along dim 0, so a 0-d input has none (timm "
        "fails too); the stand-in torch.dropout takes it"),
    (r"F\.scaled_dot_product_attention", "scale", r"(np\.float64\()?-inf\)?"): (
        "differs", "scale=-inf makes a row's scores all -inf: minigrad gives such a row zeros "
        "(its rule for a fully masked row), torch NaN"),
    (r"(mg|Tensor)\.split", "split_size(_or_sections)?", r"np\.int64.*"): (
        "silent", "torch's split takes only a Python int (a NumPy int is read as a list and "
        "fails); minigrad takes it as the int it is"),
    (r"mg\.tensordot", "dims", r"np\.int64.*"): (
        "silent", "torch's tensordot refuses a NumPy int for dims; minigrad takes it as an int"),
    (r"Tensor\.(addmm|addbmm|baddbmm|addmv)_", "self", r"Arr\(.*\):.*"): (
        "stricter", "torch's add-product in-place ops resize a smaller self to the product's "
        "shape; "
        "minigrad refuses an in-place result of another shape, as for every in-place op"),
    (r"F\.softplus", "beta", r"(np\.float64\()?0(\.0)?\)?"): (
        "torch takes beta=0 (and divides by it); minigrad raises"),
    (r"F\.(linear_)?cross_entropy", "label_smoothing", r"(np\.float64\()?-.*|nan"): (
        "torch does not range-check label_smoothing on this path; minigrad requires [0, 1]"),
    (r"F\.linear_cross_entropy", "options", r".*"): ("stricter", (
        "torch ignores `options` whenever it falls back to its reference path (here: "
        "label_smoothing), whatever the object; minigrad checks its type every time")),
    (r"nn\.BatchNorm[12]d", "num_features", r"\[\d+(, \d+)*\]"): (
        "torch accepts a list only because torch.empty does; minigrad asks for an int"),
    # issue 15: norm
    (r"nn\.BatchNorm3d", "num_features", r"\[\d+(, \d+)*\]"): (
        "torch accepts a list only because torch.empty does; minigrad asks for an int"),
    (r"F\.instance_norm", "running_mean", r"dtype .*"): (
        "stricter", "torch's CPU kernel checks running_var's dtype but not running_mean's "
        "(then writes the update into it); minigrad requires the input's dtype for both"),
    (r"(mg|Tensor)\.addbmm_?", "alpha", r"(np\.float64\()?-?inf\)?"): (
        "differs", "alpha=inf: torch's float64 CPU kernel hands alpha to BLAS, where inf * 0 "
        "terms make every entry nan; minigrad scales each batch's product and sums, which is "
        "torch's float32 result and its documented formula"),
    (r"mg\.(tensor|as_tensor|Tensor)|Tensor\.new_tensor", "data|args", r".*''.*"): (
        "torch reads a str in the data as a sequence of characters ('' is an empty list); "
        "minigrad refuses str data"),
    (r".*", r".*", r"'(torch\.)?(bool|u?int(8|16|32|64)|float(16|32|64))'"): (
        "silent", "minigrad accepts a dtype by its full name ('float16'), an extension of "
        "torch (tests/test_tensor.py relies on it)"),
    # ---- issue 15: seq ----
    (r"nn\.utils\.rnn\.pack_padded_sequence", "input", r"Arr\(.*"): (
        "stricter", "a length beyond the input's padded length: torch reads past the end of "
        "the input (undefined behaviour); minigrad raises"),
    (r".*", r".*", _EMPTY): (
        "stricter", "an empty tensor: torch skips some checks when there is nothing to compute "
        "(the dtype in softmax, normal_, dropout, batch_norm, adaptive pooling and gather's "
        "index; sdpa's batch broadcast); minigrad checks whatever the size"),
    # issue 16: dist
    (r"nn\.SyncBatchNorm", "num_features", r"\[\d+(, \d+)*\]"): (
        "torch accepts a list only because torch.empty does; minigrad asks for an int"),
    # met by the property test's draws once the rnn rows joined the table
    (r"F\.max_unpool1d|nn\.MaxUnpool1d(\.forward)?", "padding", r"\[.*\]|\(.*\)"): (
        "stricter", "torch's _single passes a sequence of any length through and reads "
        "padding[0] only; minigrad asks for an int or a sequence of 1"),
    # fractional max pooling
    (r"F\.fractional_max_pool[23]d(_with_indices)?|nn\.FractionalMaxPool[23]d(\.forward)?",
     "kernel_size", r".*"): (
        "stricter", "torch reads outside the plane for kernel_size <= 0 (undefined values and "
        "indices); minigrad refuses it"),
    # torch's top-level (ATen) forms check less than their F.* counterparts
    (r"mg\.(native_)?batch_norm", "eps", r".*"): (
        "stricter", "ATen's batch_norm takes a negative eps (NaN where var < -eps); minigrad "
        "keeps F.batch_norm's eps >= 0 check"),
    (r"mg\.native_batch_norm", "weight|bias", r".*"): (
        "stricter", "torch's native_batch_norm reads weight and bias of any shape (past their "
        "end); minigrad asks for shape (C,)"),
    (r"mg\.grid_sampler(_2d|_3d)?", "interpolation_mode|padding_mode", r".*"): (
        "stricter", "torch casts any int to its mode enums (undefined modes); minigrad takes "
        "0, 1, 2"),
    (r"mg\.affine_grid_generator", "theta", r".*(int|bool).*"): (
        "stricter", "torch builds an integer base grid for an integer theta (truncated "
        "coordinates); minigrad asks for a float theta, as F.affine_grid"),
}


KNOWN_FROM_DRAWS = {
    (r"(mg|Tensor)\.addbmm_?", "alpha", r"(np\.float64\()?-?inf\)?"),
    (r"nn\.utils\.rnn\.pack_padded_sequence", "input", r"Arr\(.*"),      # issue 15: seq
    (r"Tensor\.(addmm|addbmm|baddbmm|addmv)_", "self", r"Arr\(.*\):.*"),
    (r"(mg|Tensor)\.(std|var)(_mean)?", "correction", "nan"),
    (r"(mg|Tensor)\.logsumexp", "dim", r"\[\]|\(\)"),
    (r"mg\.finfo", "type", "None"),
    (r"mg\.save", "obj", r"<object object.*"),
    (r".*", r".*", r"'(torch\.)?(bool|u?int(8|16|32|64)|float(16|32|64))'"),
    (r"F\.scaled_dot_product_attention", "scale", r"(np\.float64\()?-inf\)?"),
    (r"F\.drop_path|nn\.DropPath\.forward", "x", r"Arr\(\):.*"),
    (r"(mg|Tensor)\.pow_?", "exponent", r"(np\.float64\()?-?[\d.]+(e[-+]?\d+)?\)?"),
    (r"F\.adaptive_avg_pool2d|nn\.AdaptiveAvgPool2d", "output_size", r"np\.int64\(.*\)"),
    (r"F\.softplus", "beta", r"(np\.float64\()?0(\.0)?\)?"),
    (r"mg\.(tensor|as_tensor|Tensor)|Tensor\.new_tensor", "data|args", r".*''.*"),
    (r"mg\.(tensor|as_tensor|Tensor)|Tensor\.new_tensor", "data|args", r".*\[\].*"),
    (r"F\.max_unpool1d|nn\.MaxUnpool1d(\.forward)?", "padding", r"\[.*\]|\(.*\)"),
}
