"""Wrong: ReLU'(0) = 1 (uses z1 >= 0), so a unit with z1 exactly 0 passes gradient back.

torch (and the exercise) take ReLU'(0) = 0: a unit sitting exactly at the kink is treated as off.
"""

VARIANT = {"correct": False, "loses": ["backward"], "misconceptions": ["relu_derivative_at_zero_is_one"]}

import numpy as np  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402
from solutions.ex5_backprop import TwoLayerNet as _Base  # noqa: E402


class TwoLayerNet(_Base):
    def backward(self, y_true):
        if "y" not in self.cache:
            raise RuntimeError("backward() の前に forward() を呼んでください。 / call forward() before backward().")
        x, z1, a1, y = (self.cache[k] for k in ("x", "z1", "a1", "y"))
        t = np.asarray(y_true, dtype=np.float64)
        X, Z1, A1 = np.atleast_2d(x), np.atleast_2d(z1), np.atleast_2d(a1)
        dY = np.atleast_2d(y - t)
        dZ1 = (dY @ self.W2) * (Z1 >= 0)  # BUG: ReLU'(0) = 1
        return {"W1": dZ1.T @ X, "b1": dZ1.sum(axis=0), "W2": dY.T @ A1, "b2": dY.sum(axis=0)}
