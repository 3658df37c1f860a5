"""Wrong: numerical_gradient uses forward differences (f(x + h e_i) - f(x)) / h.

The error is O(h) (h/2 · f'') instead of the central difference's O(h²).
"""

VARIANT = {"correct": False, "loses": ["numerical_gradient"], "misconceptions": ["forward_difference"]}

import numpy as np  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402


def numerical_gradient(f, x, h=1e-5):
    base = np.array(x, dtype=np.float64)
    f0 = float(f(base.copy()))
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        plus = base.copy()
        plus[idx] += h
        grad[idx] = (float(f(plus)) - f0) / h
    return grad
