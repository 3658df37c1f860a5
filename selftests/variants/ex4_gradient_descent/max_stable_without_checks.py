"""Wrong: 2/λ_max is right, but the Hessian is never checked.

Non-symmetric, indefinite or singular matrices are accepted (np.linalg.eigvals, largest real
part), so a saddle or a non-symmetric matrix silently gets a "stable" learning rate.
"""

VARIANT = {"correct": False, "loses": ["max_stable_learning_rate"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402


def max_stable_learning_rate(hessian):
    h = np.asarray(hessian, dtype=np.float64)
    return float(2.0 / np.max(np.linalg.eigvals(h).real))
