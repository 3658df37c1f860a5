from ._ref_ex5_backprop import *  # noqa: F401,F403
import numpy as np

from ._ref_ex5_backprop import numerical_gradient as _central_difference


def numerical_gradient(f, x, h=1e-5):
    """Central differences; a loss that overflows or divides by zero is an error here, not inf."""
    def strict(z):
        with np.errstate(all="raise"):
            return f(z)

    return _central_difference(strict, x, h)
