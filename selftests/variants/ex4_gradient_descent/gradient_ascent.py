"""Wrong: the update adds the gradient (x + η∇f), which is gradient ascent.

Everything else (validation, tol, copying x0) is as in the reference; the iterates climb away
from the minimum and the loss increases.
"""

VARIANT = {"correct": False, "loses": ["gradient_descent"], "misconceptions": ["gradient_ascent"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def gradient_descent(grad, x0, learning_rate, n_steps, tol=None):
    _ref.gradient_descent(lambda x: np.zeros_like(x), x0, learning_rate, n_steps, tol)  # same validation
    x = np.array(x0, dtype=np.float64)
    rows = [x]
    for _ in range(n_steps):
        g = np.asarray(grad(x), dtype=np.float64)
        if tol is not None and np.linalg.norm(g) < tol:
            break
        x = x + learning_rate * g
        rows.append(x)
    return np.array(rows)
