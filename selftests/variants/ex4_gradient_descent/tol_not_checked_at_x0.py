"""Wrong: tol is tested only after a step, never at x0 itself.

Off by one at the start: a run that starts at the minimum still makes one update (length 2
instead of 1). Elsewhere the trajectory does end at the first point below tol.
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
        if tol is not None and np.linalg.norm(grad(x)) < tol:
            break
    return np.array(rows)
