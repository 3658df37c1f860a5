from ._ref_ex4_gradient_descent import *  # noqa: F401,F403
import inspect

import numpy as np

from ._ref_ex4_gradient_descent import gradient_descent as _descent


def gradient_descent(grad, x0, learning_rate, n_steps, tol=None):
    if len(inspect.signature(grad).parameters) != 1:
        raise TypeError(f"{grad.__name__} must take exactly one argument (the point)")

    def checked(x):
        g = np.asarray(grad(x), dtype=np.float64)
        if g.shape != np.shape(x):
            raise ValueError(f"{grad.__name__} must return shape {np.shape(x)}, got {g.shape}")
        return g

    return _descent(checked, x0, learning_rate, n_steps, tol)
