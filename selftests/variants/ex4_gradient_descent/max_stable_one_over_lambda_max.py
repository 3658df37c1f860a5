"""Wrong: returns 1/λ_max instead of 2/λ_max.

1/λ_max is the learning rate that removes the top eigen-direction's error in one step (factor
1 - ηλ_max = 0), not the stability bound |1 - ηλ_max| < 1 ⇔ η < 2/λ_max.
"""

VARIANT = {"correct": False, "loses": ["max_stable_learning_rate"], "misconceptions": ["one_over_lambda_max"]}

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def max_stable_learning_rate(hessian):
    return _ref.max_stable_learning_rate(hessian) / 2.0
