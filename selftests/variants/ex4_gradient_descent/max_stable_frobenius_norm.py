"""Wrong: λ_max taken as np.linalg.norm(H), which is the Frobenius norm, not the spectral norm.

np.linalg.norm of a matrix defaults to ord="fro", √(Σ h_ij²) = √(Σ λ_i²) for a symmetric H: larger
than λ_max whenever H has more than one nonzero eigenvalue, so 2/‖H‖_F (≈ 0.686 for the chapter's
Hessian) is smaller than the bound 2/λ_max = 0.8. The validation is the reference's.
"""

VARIANT = {"correct": False, "loses": ["max_stable_learning_rate"], "misconceptions": ["frobenius_norm_as_lambda_max"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def max_stable_learning_rate(hessian):
    _ref.max_stable_learning_rate(hessian)  # same validation
    return float(2.0 / np.linalg.norm(np.asarray(hessian, dtype=np.float64)))
