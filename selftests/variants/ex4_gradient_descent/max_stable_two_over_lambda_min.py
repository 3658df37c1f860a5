"""Wrong: returns 2/λ_min, the bound for the flattest direction instead of the steepest.

Every eigen-direction needs η < 2/λ_i; the binding one is the largest eigenvalue. With 2/λ_min
(1.33 for the chapter's Hessian) the top direction diverges.
"""

VARIANT = {"correct": False, "loses": ["max_stable_learning_rate"], "misconceptions": ["two_over_lambda_min"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def max_stable_learning_rate(hessian):
    _ref.max_stable_learning_rate(hessian)  # same validation
    return float(2.0 / np.linalg.eigvalsh(np.asarray(hessian, dtype=np.float64))[0])
