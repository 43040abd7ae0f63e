"""torch.nn.utils.convert_parameters: all parameters as one flat vector, and back."""
from __future__ import annotations

from ...tensor import Tensor


def _check_param_device(param, old_param_device):
    """The device index of param (-1 on CPU); TypeError when it differs from the previous
    parameters' (torch's _check_param_device)."""
    here = param.get_device() if param.device.type == "cuda" else -1
    if old_param_device is None:
        return here
    if here != old_param_device:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return old_param_device


def parameters_to_vector(parameters) -> Tensor:
    """All parameters flattened and concatenated into one 1-D tensor, differentiable
    (matches torch.nn.utils.parameters_to_vector)."""
    from ...ops.shape import cat
    from ._checks import naming, need_tensors
    device, vec = None, []
    for param in need_tensors("parameters_to_vector", parameters, "parameters"):
        device = _check_param_device(param, device)
        with naming("parameters_to_vector"):
            vec.append(param.view(-1))
    with naming("parameters_to_vector"):
        return cat(vec)


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Make each parameter's data the next slice of vec, viewed in its shape (as torch's
    `param.data = ...`: the parameters then share vec's memory and take its dtype;
    matches torch.nn.utils.vector_to_parameters)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device, pointer = None, 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n


def _typename(obj):
    t = type(obj)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
