"""Wrong: preserves_direction puts an absolute tolerance on the cross product v × M v.

Right for vectors and matrices of size about 1, but the answer depends on the length of v and the
scale of M: a 45° rotation "preserves" v = [1e-12, 0] (the cross product is 1e-24), and a true
eigenvector scaled by 1e7 is rejected (its rounding error, about 1e-2, exceeds the tolerance).
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
    return bool(abs(x[0] * w[1] - x[1] * w[0]) <= tol)
