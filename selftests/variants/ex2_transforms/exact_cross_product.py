"""Wrong: preserves_direction tests the cross product v × M v == 0 exactly, without a tolerance.

Exact inputs such as the reflection pass, but eigenvectors computed in floating point (e.g. by
numpy.linalg.eig) have a cross product of about 1e-16 and are rejected.
"""

VARIANT = {"correct": False, "loses": ["preserves_direction"]}

import numpy as np

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def preserves_direction(M, v, tol=1e-9):
    _ref.preserves_direction(M, v, tol)            # validation only
    A = np.asarray(M, dtype=np.float64)
    x = np.asarray(v, dtype=np.float64)
    w = A @ x
    return bool(x[0] * w[1] - x[1] * w[0] == 0.0)
