"""Wrong: updates x0 in place (np.asarray does not copy a float64 array, then x -= η g).

The trajectory itself is right (rows are copied), but the caller's float64 x0 ends up holding the
last iterate. Integer arrays and lists happen to be copied by np.asarray(..., dtype=float).
"""

VARIANT = {"correct": False, "loses": ["gradient_descent"], "misconceptions": ["x0_updated_in_place"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def gradient_descent(grad, x0, learning_rate, n_steps, tol=None):
    _ref.gradient_descent(lambda x: np.zeros_like(x), np.array(x0, dtype=np.float64), learning_rate, n_steps, tol)
    x = np.asarray(x0, dtype=np.float64)  # no copy for a float64 array
    rows = [x.copy()]
    for _ in range(n_steps):
        g = np.asarray(grad(x), dtype=np.float64)
        if tol is not None and np.linalg.norm(g) < tol:
            break
        x -= learning_rate * g  # modifies the caller's array
        rows.append(x.copy())
    return np.array(rows)
