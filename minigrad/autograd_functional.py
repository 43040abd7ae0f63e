"""minigrad.autograd.functional: torch.autograd.functional's vjp, jvp, jacobian, hessian, vhp
and hvp, written on minigrad.autograd.grad as torch's are (jvp and hvp by the double-backward
trick). Inputs and outputs are a Tensor or a tuple of Tensors, and the results mirror them
as torch's do; an input the outputs do not use gets zeros, or an error with strict=True.
vectorize=True computes the same values by the same loop (no vmap needed for them)."""
from __future__ import annotations

from . import creation
from .engine import grad as _grad
from .grad_mode import enable_grad
from .ops.shape import stack


def _as_tuple(x, name, fn):
    if isinstance(x, tuple):
        items, is_tuple = x, True
    elif isinstance(x, list):
        items, is_tuple = tuple(x), True
    else:
        items, is_tuple = (x,), False
    for k, t in enumerate(items):
        if not hasattr(t, "grad_fn"):
            which = name if not is_tuple else f"{name}[{k}]"
            raise TypeError(f"The {which} given to {fn} must be either a Tensor or a tuple of "
                            f"Tensors but the value at index {k} has type {type(t).__name__}.")
    return is_tuple, tuple(items)


def _post(res, is_tuple):
    """Unwrap the levels of `res` whose argument was a single Tensor."""
    if isinstance(is_tuple, tuple):
        if not is_tuple[1]:
            res = tuple(r[0] for r in res)
        if not is_tuple[0]:
            res = res[0]
        return res
    return res if is_tuple else res[0]


def _prepare(inputs, create_graph, need_graph):
    """Fresh leaves (or differentiable aliases with create_graph) requiring grad."""
    return tuple(t.view_as(t) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in inputs)


def _grads(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    keep = [(o, None if grad_outputs is None else g)
            for o, g in zip(outputs, grad_outputs or [None] * len(outputs)) if o.requires_grad]
    if not keep:
        return (None,) * len(inputs)
    outs = [o for o, _ in keep]
    gouts = None if grad_outputs is None else [g for _, g in keep]
    return _grad(outs, inputs, gouts, retain_graph=retain_graph, create_graph=create_graph,
                 allow_unused=True)


def _fill(grads, refs, strict, create_graph, stage):
    res = []
    for k, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                if stage == "back":
                    raise RuntimeError(f"The output of the user-provided function is independent "
                                       f"of input {k}. This is not allowed in strict mode.")
                if stage == "back_trick":
                    raise RuntimeError(f"The gradient with respect to the input is independent "
                                       f"of entry {k} in the grad_outputs when using the double "
                                       "backward trick to compute forward mode gradients. This "
                                       "is not allowed in strict mode.")
                if stage == "double_back":
                    raise RuntimeError(f"The jacobian of the user-provided function is "
                                       f"independent of input {k}. This is not allowed in strict "
                                       "mode.")
                raise RuntimeError(f"The hessian of the user-provided function is independent "
                                   f"of entry {k} in the grad_jacobian. This is not allowed in "
                                   "strict mode as it prevents from using the double backward "
                                   "trick to replace forward mode AD.")
            g = creation.zeros_like(ref)
        res.append(g)
    return tuple(res)


def _check_outputs(outputs, strict, create_graph, what):
    for k, o in enumerate(outputs):
        if strict and not o.requires_grad:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {k}. This is not allowed in strict mode." if what == "out"
                               else f"The {what} of the user-provided function is independent "
                               f"of input {k}. This is not allowed in strict mode.")


def _finish(x, create_graph):
    return x if create_graph else x.detach()


def _check_v(v, outputs, fn, ref_is_tuple=True):
    is_tuple, v = _as_tuple(v, "v", fn)
    if not ref_is_tuple and len(v) != 1:
        raise RuntimeError("The given v should contain a single Tensor.")
    if len(v) != len(outputs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(outputs)} but got "
                           f"{len(v)}.")
    for k, (a, b) in enumerate(zip(v, outputs)):
        if tuple(a.shape) != tuple(b.shape):
            which = f"Entry {k} in v" if ref_is_tuple else "v"
            raise RuntimeError(f"{which} has invalid size: should be {list(b.shape)} but got "
                               f"{list(a.shape)}.")
    return v


def _default_v(outputs, fn):
    if len(outputs) != 1 or outputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the user-provided function "
                           "returns a single Tensor with a single element.")
    return (creation.ones_like(outputs[0]),)


def _v_for_inputs(v, inputs, fn, is_in):
    """v checked against the inputs; None only for a single one-element input (then 1)."""
    if v is not None:
        return _check_v(v, inputs, fn, is_in)
    if len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided "
                           "function is a single Tensor with a single element.")
    return (creation.ones_like(inputs[0]),)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J) (torch.autograd.functional.vjp)."""
    with enable_grad():
        is_in, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, True)
        out = func(*inputs)
        is_out, outputs = _as_tuple(out, "outputs of the user-provided function", "vjp")
        _check_outputs(outputs, strict, create_graph, "out")
        v = _default_v(outputs, "vjp") if v is None else _check_v(v, outputs, "vjp", is_out)
        grads = _grads(outputs, inputs, v, create_graph)
        res = _fill(grads, inputs, strict, create_graph, "back")
    outputs = tuple(_finish(o, create_graph) for o in outputs)
    res = tuple(_finish(r, create_graph) for r in res)
    return _post(outputs, is_out), _post(res, is_in)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v) by the double-backward trick (torch.autograd.functional.jvp)."""
    with enable_grad():
        is_in, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, True)
        v = _v_for_inputs(v, inputs, "jvp", is_in)
        out = func(*inputs)
        is_out, outputs = _as_tuple(out, "outputs of the user-provided function", "jvp")
        _check_outputs(outputs, strict, create_graph, "out")
        gouts = tuple(creation.zeros_like(o).requires_grad_(True) for o in outputs)
        grad_res = _grads(outputs, inputs, gouts, create_graph=True)
        grad_res = _fill(grad_res, inputs, strict, create_graph, "back")
        if any(g.requires_grad for g in grad_res):
            res = _grads(grad_res, gouts, v, create_graph)
        else:
            res = (None,) * len(gouts)
        res = _fill(res, outputs, strict, create_graph, "back_trick")
    outputs = tuple(_finish(o, create_graph) for o in outputs)
    res = tuple(_finish(r, create_graph) for r in res)
    return _post(outputs, is_out), _post(res, is_out)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of func at inputs: for each output and input, a tensor of shape
    output.shape + input.shape (torch.autograd.functional.jacobian)."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer '
                             'to use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError("torch.autograd.functional.jacobian: `create_graph=True` "
                                      'and `strategy="forward-mode"` are not supported together '
                                      "(yet). Please either set `create_graph=False` or "
                                      '`strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError('Computing Jacobian using forward-AD or forward-over-'
                                      'reverse Hessian is only implemented for `vectorize=True`.')
    with enable_grad():
        is_in, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, True)
        out = func(*inputs)
        is_out, outputs = _as_tuple(out, "outputs of the user-provided function", "jacobian")
        _check_outputs(outputs, strict, create_graph, "out")
        jac = []
        for i, o in enumerate(outputs):
            rows = [[] for _ in inputs]
            flat = o.reshape(-1)
            for j in range(flat.numel()):
                g = _grads((flat[j],), inputs, None, create_graph, retain_graph=True)
                for k, (gk, inp) in enumerate(zip(g, inputs)):
                    if gk is None:
                        if strict and create_graph and not inp.requires_grad:
                            raise RuntimeError("The jacobian of the user-provided function is "
                                               f"independent of input {k}. This is not "
                                               "allowed in strict mode when create_graph=True.")
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {k}. This is not "
                                               "allowed in strict mode.")
                        gk = creation.zeros_like(inp)
                    rows[k].append(gk)
            jac.append(tuple(
                (stack(r) if r else creation.zeros((0,) + tuple(inp.shape),
                                                              dtype=o.dtype))
                .reshape(tuple(o.shape) + tuple(inp.shape)) for r, inp in zip(rows, inputs)))
    jac = tuple(tuple(_finish(t, create_graph) for t in row) for row in jac)
    return _post(jac, (is_out, is_in))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a function with a single-element output
    (torch.autograd.functional.hessian): for a tuple of inputs, a tuple of tuples."""
    is_in, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single(*inp):
        out = func(*inp)
        _single(out, "hessian")
        outs = (out,)
        return outs[0].squeeze()

    def jac_func(*inp):
        return jacobian(single, inp, create_graph=True)
    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _post(res, (is_in, is_in))


def _single(out, fn):
    if not hasattr(out, "grad_fn"):
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if out.numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn} should contain "
                           "a single element")


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) (torch.autograd.functional.vhp)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) by the double-backward trick (torch.autograd.functional.hvp)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn):
    with enable_grad():
        is_in, inputs = _as_tuple(inputs, "inputs", fn)
        inputs = _prepare(inputs, create_graph, True)
        v = _v_for_inputs(v, inputs, fn, is_in)
        out = func(*inputs)
        _, outputs = _as_tuple(out, "outputs of the user-provided function", fn)
        _single(out, fn)
        _check_outputs(outputs, strict, create_graph, "out")
        jac = _grads(outputs, inputs, None, create_graph=True)
        jac = _fill(jac, inputs, strict, create_graph, "back")
        if fn == "vhp":
            if any(j.requires_grad for j in jac):
                res = _grads(jac, inputs, v, create_graph)
            else:
                res = (None,) * len(inputs)
            res = _fill(res, inputs, strict, create_graph, "double_back")
        else:
            grad_jac = tuple(creation.zeros_like(t).requires_grad_(True) for t in inputs)
            if any(j.requires_grad for j in jac):
                double_back = _grads(jac, inputs, grad_jac, create_graph=True)
            else:
                double_back = (None,) * len(inputs)
            double_back = _fill(double_back, inputs, strict, create_graph, "double_back")
            if any(d.requires_grad for d in double_back):
                res = _grads(double_back, grad_jac, v, create_graph)
            else:
                res = (None,) * len(inputs)
            res = _fill(res, inputs, strict, create_graph, "double_back_trick")
    output = _finish(outputs[0], create_graph)
    res = tuple(_finish(r, create_graph) for r in res)
    return output, _post(res, is_in)
