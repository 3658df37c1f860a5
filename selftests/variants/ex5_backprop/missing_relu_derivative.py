"""Wrong: forgets the ReLU derivative, ∂L/∂z1 = ∂L/∂a1 (as if the activation were the identity).

Gradients then flow through dead units (z1 < 0) into W1 and b1.
"""

VARIANT = {"correct": False, "loses": ["backward"], "misconceptions": ["relu_derivative_missing"]}

import numpy as np  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402
from solutions.ex5_backprop import TwoLayerNet as _Base  # noqa: E402


class TwoLayerNet(_Base):
    def backward(self, y_true):
        if "y" not in self.cache:
            raise RuntimeError("backward() の前に forward() を呼んでください。 / call forward() before backward().")
        x, a1, y = (self.cache[k] for k in ("x", "a1", "y"))
        t = np.asarray(y_true, dtype=np.float64)
        X, A1 = np.atleast_2d(x), np.atleast_2d(a1)
        dY = np.atleast_2d(y - t)
        dZ1 = dY @ self.W2  # BUG: missing * ReLU'(z1)
        return {"W1": dZ1.T @ X, "b1": dZ1.sum(axis=0), "W2": dY.T @ A1, "b2": dY.sum(axis=0)}
