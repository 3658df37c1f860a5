"""Wrong: any run whose last step overshoots (g_{n-1}·g_n < 0) is called "oscillating".

The shrink condition ‖g_n‖ ≥ OSCILLATION_RATIO·‖g_{n-2}‖ is missing, so a run with η = 0.6 that
overshoots but shrinks fourfold every two steps is reported as oscillating instead of
not_converged.
"""

VARIANT = {"correct": False, "loses": ["compare_learning_rates"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def compare_learning_rates(grad, x0, learning_rates, n_steps, tol):
    results = _ref.compare_learning_rates(grad, x0, learning_rates, n_steps, tol)
    for eta, res in results.items():
        if res["status"] != "not_converged" or res["steps"] < 1:
            continue
        traj = _ref.gradient_descent(grad, x0, eta, res["steps"])
        g_prev = np.asarray(grad(traj[-2]), dtype=np.float64)
        g_last = np.asarray(grad(traj[-1]), dtype=np.float64)
        if g_prev @ g_last < 0:
            res["status"] = "oscillating"
    return results
