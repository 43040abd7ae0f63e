"""minigrad.func: torch.func's function transforms over minigrad's two AD modes.

    grad(f)(x)                  gradient of a scalar function (reverse mode)
    grad_and_value(f)(x)        (gradient, value)
    vjp(f, *primals)            (f(*primals), vjp_fn): cotangent -> cotangent^T J
    jacrev(f)(x)                the Jacobian, one backward pass per output element
    jvp(f, primals, tangents)   (f(*primals), J @ tangents) by forward mode
    jacfwd(f)(x)                the Jacobian, one forward pass per input element
    hessian(f)(x)               jacfwd(jacrev(f))
    linearize(f, *primals)      (f(*primals), jvp_fn)
    functional_call(module, params, args)   a Module as a function of its parameters
    vmap(f, in_dims, out_dims)(x)           f of one sample run on a batch (vmap.py)

Inputs and outputs may be pytrees (dicts, lists, tuples, namedtuples of tensors); argnums
picks the differentiated positional arguments. Read reverse.py first, then levels.py (how
nested calls keep their results apart on minigrad's single graph), then forward.py.
"""
from .forward import hessian, jacfwd, jvp, linearize
from .functional_call import functional_call
from .jacrev import jacrev
from .reverse import grad, grad_and_value, vjp
from .vmap import vmap

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp",
           "linearize", "vjp", "vmap"]
