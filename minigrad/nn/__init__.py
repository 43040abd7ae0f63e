"""minigrad.nn: modules with torch.nn's names, arguments and parameter layouts."""
from . import functional
from .module import Module
from .parameter import Parameter
