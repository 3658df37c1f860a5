"""Wrong: the oscillation rule compares ‖g_n‖ with ‖g_{n-1}‖ instead of ‖g_{n-2}‖.

With factors -1 and -0.1 (g(x, y) = (2x, 1.1y), η = 1) the norm barely changes from g_1 to g_2
but shrank by a third from g_0: the text's rule says not_converged, this says oscillating.
Found by mutation testing (issue 11): the mutant ``grads[-3]`` → ``grads[-2]`` kept full marks.
"""

VARIANT = {"correct": False, "loses": ["compare_learning_rates"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def compare_learning_rates(grad, x0, learning_rates, n_steps, tol):
    out = _ref.compare_learning_rates(grad, x0, learning_rates, n_steps, tol)
    for eta, res in out.items():
        if res["status"] not in ("not_converged", "oscillating"):
            continue
        x = np.array(x0, dtype=np.float64)
        grads = [np.asarray(grad(x), dtype=np.float64)]
        for _ in range(n_steps):
            x = x - eta * grads[-1]
            grads.append(np.asarray(grad(x), dtype=np.float64))
        overshoot = n_steps >= 2 and float(np.dot(grads[-2], grads[-1])) < 0
        flat = n_steps >= 2 and np.linalg.norm(grads[-1]) >= OSCILLATION_RATIO * np.linalg.norm(grads[-2])
        res["status"] = "oscillating" if overshoot and flat else "not_converged"
    return out
