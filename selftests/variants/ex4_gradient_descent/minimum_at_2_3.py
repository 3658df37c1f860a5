"""Wrong: returns the chapter's (2, 3) as the minimum (ERRATA line 1251).

The chapter marks (2, 3) as the minimum of f(x, y) = (x-2)² + (y-3)² + 0.5xy, ignoring the 0.5xy
term; the gradient there is (1.5, 1), not zero. The true minimiser is (4/3, 8/3).
"""

VARIANT = {"correct": False, "loses": ["true_minimum"], "misconceptions": ["minimum_at_2_3"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402


def true_minimum():
    return np.array([2.0, 3.0])
