"""Wrong: a run counts as diverged only once it overflows to inf/nan; there is no growth bound.

Every run makes all n_steps updates. A clearly divergent η = 1.0 is still finite after 200 steps
(1.5^200 ≈ 1e35), so it is misclassified, and large learning rates overflow, emitting
RuntimeWarnings before inf/nan is noticed.
"""

VARIANT = {"correct": False, "loses": ["compare_learning_rates"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def compare_learning_rates(grad, x0, learning_rates, n_steps, tol):
    _ref.compare_learning_rates(lambda x: np.zeros_like(x), x0, learning_rates, n_steps, tol)  # validation
    results = {}
    for eta in learning_rates:
        eta = float(eta)
        x = np.array(x0, dtype=np.float64)
        grads = [np.asarray(grad(x), dtype=np.float64)]
        status, k = None, 0
        while True:
            g = grads[-1]
            if not (np.all(np.isfinite(x)) and np.all(np.isfinite(g))):
                status = "diverged"
                break
            if np.linalg.norm(g) < tol:
                status = "converged"
                break
            if k == n_steps:
                break
            x = x - eta * g
            grads.append(np.asarray(grad(x), dtype=np.float64))
            k += 1
        if status is None:
            if (n_steps >= 2 and grads[-2] @ grads[-1] < 0
                    and np.linalg.norm(grads[-1]) >= OSCILLATION_RATIO * np.linalg.norm(grads[-3])):
                status = "oscillating"
            else:
                status = "not_converged"
        results[eta] = {"status": status, "steps": k, "final": x}
    return results
