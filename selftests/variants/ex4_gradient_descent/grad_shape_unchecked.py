"""Wrong: gradient_descent never checks the shape grad returns.

A gradient of shape (1,) broadcasts over x silently (every coordinate moves by the same amount)
instead of raising the ValueError the text asks for ("grad returned a shape other than (d,)").
Found by mutation testing (issue 11): the mutant ``g.shape > x.shape`` kept full marks.
"""

VARIANT = {"correct": False, "loses": ["gradient_descent"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def gradient_descent(grad, x0, learning_rate, n_steps, tol=None):
    # The gradient is broadcast to x's shape instead of being checked.
    def broadcast_grad(x):
        return np.broadcast_to(np.asarray(grad(x), dtype=np.float64), x.shape)
    return _ref.gradient_descent(broadcast_grad, x0, learning_rate, n_steps, tol)
