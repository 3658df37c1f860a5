from ._ref_ex4_gradient_descent import *  # noqa: F401,F403
from . import _ref_ex4_gradient_descent as _ref

import numpy as np


def compare_learning_rates(grad, x0, learning_rates, n_steps, tol=1e-8):
    """The reference's results, then a statistic of each run that overflows once it has blown up."""
    out = _ref.compare_learning_rates(grad, x0, learning_rates, n_steps, tol)
    for eta in learning_rates:
        if out[eta]["status"] == "diverged":
            _ = np.exp(np.full(2, 1e3) * eta)  # overflows: a RuntimeWarning
    return out
