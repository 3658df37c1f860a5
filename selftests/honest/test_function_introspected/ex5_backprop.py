from ._ref_ex5_backprop import *  # noqa: F401,F403
import numpy as np

from ._ref_ex5_backprop import numerical_gradient as _central_difference


def numerical_gradient(f, x, h=1e-5):
    def scalar(z):
        out = f(z)
        if np.ndim(out) != 0:
            raise ValueError(f"{f.__name__} must return a scalar, not an array of shape {np.shape(out)}")
        return out

    return _central_difference(scalar, x, h)
