"""Wrong: numerical_gradient perturbs the caller's array in place and "undoes" it with += h.

x[i] += h; x[i] -= 2h; x[i] += h does not restore x[i] exactly in floating point (e.g. 0.1, 0.7,
1.3), so the caller's array is silently changed (and a float64 view of an int array would not
even be writable).
"""

VARIANT = {"correct": False, "loses": ["numerical_gradient"]}

import numpy as np  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402


def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=np.float64)  # no copy for a float64 array: BUG
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        fp = float(f(x))
        x[idx] -= 2 * h
        fm = float(f(x))
        x[idx] += h  # "restore"
        grad[idx] = (fp - fm) / (2 * h)
    return grad
