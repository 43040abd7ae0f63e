"""minigrad.nn: modules with torch.nn's names, arguments and parameter layouts."""
from . import functional
from . import init
from .linear import Flatten, Identity, Linear
from .module import Module
from .parameter import Parameter
