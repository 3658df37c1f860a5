"""Wrong: tol is accepted but never used, so every run makes all n_steps updates.

This is the chapter's loop (no stopping rule): the trajectory does not end at the first point
whose gradient norm is below tol.
"""

VARIANT = {"correct": False, "loses": ["gradient_descent"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def gradient_descent(grad, x0, learning_rate, n_steps, tol=None):
    _ref.gradient_descent(lambda x: np.zeros_like(x), x0, learning_rate, n_steps, tol)  # same validation
    x = np.array(x0, dtype=np.float64)
    rows = [x]
    for _ in range(n_steps):
        x = x - learning_rate * np.asarray(grad(x), dtype=np.float64)
        rows.append(x)
    return np.array(rows)
