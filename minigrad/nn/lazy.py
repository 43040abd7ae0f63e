"""Lazy modules: LazyModuleMixin (torch.nn.modules.lazy) and LazyLinear, LazyConv1d/2d/3d,
LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d/3d.

A lazy module holds UninitializedParameters until its first call: the input's feature size
gives their shapes, the concrete layer's reset_parameters initialises them, and the module
becomes its cls_to_become (LazyLinear -> Linear). Loading a state_dict materializes too.
"""
from __future__ import annotations

from .. import backend, creation
from ..autograd import no_grad
from ..ops.checks import need_int
from .conv import Conv2d
from .conv_nd import Conv1d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear
from .module_hooks import HookMethods
from .norm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .norm_layers import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .parameter import UninitializedBuffer, UninitializedParameter, is_lazy


class LazyModuleMixin:
    """Infers parameter shapes from the first input (matches
    torch.nn.modules.lazy.LazyModuleMixin): the first call runs initialize_parameters(*args,
    **kwargs) before any forward pre-hook, then the class becomes cls_to_become."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "_lazy_pending", True)

    def __call__(self, *args, **kwargs):
        if self.__dict__.get("_lazy_pending"):
            self._infer_parameters(self, args, kwargs)
        # not super(): the class may have just changed to one without this mixin
        return HookMethods.__call__(self, *args, **kwargs)

    def _infer_parameters(self, module, args, kwargs=None):
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        del module.__dict__["_lazy_pending"]
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def initialize_parameters(self, *args, **kwargs):
        """Materialize the parameters from the input (each lazy layer overrides it)."""
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{type(self).__name__}")

    def has_uninitialized_params(self):
        """Whether any own parameter or buffer is still uninitialized."""
        return any(is_lazy(t) for t in list(self._parameters.values())
                   + list(self._buffers.values()))

    def _load_from_state_dict(self, state_dict, prefix, missing, errors):
        # torch's lazy load hook: an initialized checkpoint entry gives its lazy twin a shape
        if self.__dict__.get("_lazy_pending"):
            for name, t in list(self._parameters.items()) + list(self._buffers.items()):
                key = prefix + name
                if t is not None and key in state_dict and is_lazy(t) \
                        and not is_lazy(state_dict[key]):
                    with no_grad():
                        t.materialize(tuple(state_dict[key].shape))
        super()._load_from_state_dict(state_dict, prefix, missing, errors)


class LazyLinear(LazyModuleMixin, Linear):
    """Linear whose in_features comes from the first input's last dim (matches
    torch.nn.LazyLinear); becomes a Linear after the first call."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__(0, 0, False)
        # torch checks these only when the first input materializes the weight
        self.out_features = _size_arg(self, out_features, "out_features")
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        if self.has_uninitialized_params():
            _need_lazy(self, ("weight", "bias"), AttributeError)
            with no_grad():
                self.in_features = _shape(input, self)[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:      # loaded from a state_dict: in_features from the input
            last = _shape(input, self)[-1]
            if last != self.weight.shape[-1]:
                raise AssertionError(f"The in_features inferred from input: {last} is not "
                                     f"equal to in_features from self.weight: "
                                     f"{self.weight.shape[-1]}")
            self.in_features = last


def _need_lazy(module, names, kind):
    """torch fails when a partial state_dict left some of these initialized (Linear with an
    AttributeError from materialize, conv and norm layers with an AssertionError)."""
    for name in names:
        t = getattr(module, name)
        if t is not None and not is_lazy(t):
            raise kind(f"{type(module).__name__}: self.{name} must be an "
                       f"UninitializedParameter (a state_dict with only some of the lazy "
                       f"parameters was loaded)")


def _shape(input, module, any_ndim=False):
    """input's shape, or torch's error for a non-tensor (or, unless any_ndim, 0-d) input."""
    shape = getattr(input, "shape", None)
    if shape is None or not hasattr(input, "ndim"):
        raise TypeError(f"{type(module).__name__}: input must be a Tensor, not "
                        f"{type(input).__name__}")
    if len(shape) == 0 and not any_ndim:
        raise IndexError(f"{type(module).__name__}: input must have at least 1 dim to infer "
                         f"the lazy parameters, got a 0-d tensor")
    return shape


class _LazyConvXdMixin(LazyModuleMixin):
    """in_channels from the input's channel dim (dim 0 unbatched, dim 1 batched)."""

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if not self.has_uninitialized_params():
            return
        name, shape = type(self).__name__, _shape(input, self, any_ndim=True)
        nd = self._nd + 1
        if len(shape) not in (nd, nd + 1):
            raise RuntimeError(f"Expected {nd}D (unbatched) or {nd + 1}D (batched) input to "
                               f"{name}, but got input of size: {tuple(shape)}")
        self.in_channels = shape[1] if len(shape) == nd + 1 else shape[0]
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        _need_lazy(self, ("weight", "bias"), AssertionError)
        if self.out_channels % self.groups:     # torch: only when the convolution runs
            raise RuntimeError(f"{name}: Given groups={self.groups}, expected weight to be "
                               f"divisible by {self.groups} at dimension 0, but out_channels "
                               f"is {self.out_channels}")
        with no_grad():
            if self.transposed:
                wshape = (self.in_channels, self.out_channels // self.groups)
            else:
                wshape = (self.out_channels, self.in_channels // self.groups)
            self.weight.materialize(wshape + tuple(self.kernel_size))
            if self.bias is not None:
                self.bias.materialize((self.out_channels,))
            self.reset_parameters()


def _size_arg(module, value, name):
    value = need_int(type(module).__name__, value, name, 1)
    if value < 0:
        raise ValueError(f"{type(module).__name__}: {name} must be a non-negative int, got "
                         f"{value}")
    return value


def _out_channels(module, value):
    return _size_arg(module, value, "out_channels")


class _LazyConv(_LazyConvXdMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device=device, dtype=dtype)
        self.out_channels = _out_channels(self, out_channels)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)


class _LazyConvTranspose(_LazyConvXdMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode, device=device, dtype=dtype)
        self.out_channels = _out_channels(self, out_channels)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)


class LazyConv1d(_LazyConv, Conv1d):
    """Conv1d with in_channels from the first input (matches torch.nn.LazyConv1d)."""
    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """Conv2d with in_channels from the first input (matches torch.nn.LazyConv2d)."""
    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """Conv3d with in_channels from the first input (matches torch.nn.LazyConv3d)."""
    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """ConvTranspose1d with in_channels from the first input (torch.nn.LazyConvTranspose1d)."""
    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """ConvTranspose2d with in_channels from the first input (torch.nn.LazyConvTranspose2d)."""
    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """ConvTranspose3d with in_channels from the first input (torch.nn.LazyConvTranspose3d)."""
    cls_to_become = ConvTranspose3d


class _LazyNormBase(LazyModuleMixin):
    """num_features from the input's dim 1 (torch's _LazyNormBase)."""

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None, *, bias=True):
        super().__init__(0, eps, momentum, False, False, device, dtype, bias=False)
        self.affine, self.track_running_stats = affine, track_running_stats
        self._bias_flag = bool(affine and bias)
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = creation.tensor(0, dtype=backend.int64, device=device)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input):
        if not self.has_uninitialized_params():
            return
        shape = _shape(input, self)
        if len(shape) < 2:
            raise IndexError(f"{type(self).__name__}: expected an input with a channel dim "
                             f"(dim 1), got shape {tuple(shape)}")
        self.num_features = shape[1]
        _need_lazy(self, ("weight", "bias"), AssertionError)
        with no_grad():
            for t in (self.weight, self.bias, self.running_mean, self.running_var):
                if t is not None:
                    t.materialize((self.num_features,))
            self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, BatchNorm1d):
    """BatchNorm1d with num_features from the first input (matches torch.nn.LazyBatchNorm1d)."""
    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormBase, BatchNorm2d):
    """BatchNorm2d with num_features from the first input (matches torch.nn.LazyBatchNorm2d)."""
    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNormBase, BatchNorm3d):
    """BatchNorm3d with num_features from the first input (matches torch.nn.LazyBatchNorm3d)."""
    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormBase, InstanceNorm1d):
    """InstanceNorm1d with num_features from the first input (torch.nn.LazyInstanceNorm1d)."""
    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormBase, InstanceNorm2d):
    """InstanceNorm2d with num_features from the first input (torch.nn.LazyInstanceNorm2d)."""
    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormBase, InstanceNorm3d):
    """InstanceNorm3d with num_features from the first input (torch.nn.LazyInstanceNorm3d)."""
    cls_to_become = InstanceNorm3d
