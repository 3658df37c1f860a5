"""Wrong: for a batch the bias gradients are not summed over the samples.

The chapter's backward (lines 1315-1328) is for a single input, where ∂L/∂b1 = ∂L/∂z1 and
∂L/∂b2 = ∂L/∂y. Written for rows of a batch, the weight gradients dZ1ᵀ X and dYᵀ A1 do sum over
the samples, but ``db1 = dZ1`` keeps one row per sample: shape (N, H) instead of b1's (H,). A
single input (1-D x) is handled as in the chapter and is right.
"""

VARIANT = {"correct": False, "loses": ["backward"], "misconceptions": ["bias_gradient_not_summed"]}

import numpy as np  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402
from solutions.ex5_backprop import TwoLayerNet as _Base  # noqa: E402


class TwoLayerNet(_Base):
    def backward(self, y_true):
        if "y" not in self.cache:
            raise RuntimeError("backward() の前に forward() を呼んでください。 / call forward() before backward().")
        x, z1, a1, y = (self.cache[k] for k in ("x", "z1", "a1", "y"))
        t = np.asarray(y_true, dtype=np.float64)
        if t.shape != y.shape:
            raise ValueError("y_true の形が出力と違います。 / y_true's shape differs from the output's.")
        dy = y - t
        if x.ndim == 1:
            dW2 = np.outer(dy, a1)
            dz1 = (self.W2.T @ dy) * (z1 > 0)
            dW1 = np.outer(dz1, x)
        else:
            dW2 = dy.T @ a1
            dz1 = (dy @ self.W2) * (z1 > 0)
            dW1 = dz1.T @ x
        return {"W1": dW1, "b1": dz1, "W2": dW2, "b2": dy}  # BUG: for a batch, one row per sample
