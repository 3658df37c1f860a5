"""Wrong: the gradient of W2 is returned transposed, shape (H, K) instead of W2's (K, H).

This is the chapter's 2x1 convention for W2 ((in, out) instead of (out, in)): the values are the
right numbers, but a gradient must have exactly its parameter's shape (W2 is (1, 2), so ∂L/∂W2 is
(1, 2), not (2, 1)); an update W2 -= lr * grad would broadcast or fail.
"""

VARIANT = {"correct": False, "loses": ["backward"], "misconceptions": ["w2_gradient_transposed"]}

import numpy as np  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402
from solutions.ex5_backprop import TwoLayerNet as _Base  # noqa: E402


class TwoLayerNet(_Base):
    def backward(self, y_true):
        grads = super().backward(y_true)
        grads["W2"] = np.ascontiguousarray(grads["W2"].T)
        return grads
