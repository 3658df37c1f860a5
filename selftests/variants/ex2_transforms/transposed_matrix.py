"""Wrong: apply_transform computes (points.T @ M).T = M.T @ points (row-vector habit x M).

Shapes are right and symmetric matrices (identity, scale, reflection) come out right, but the
45° rotation turns the other way and the shear shears along y.
"""

VARIANT = {"correct": False, "loses": ["apply_transform"], "misconceptions": ["transposed_matrix"]}

import numpy as np

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def apply_transform(M, points):
    _ref.apply_transform(M, points)                # validation only
    A = np.asarray(M, dtype=np.float64)
    P = np.asarray(points, dtype=np.float64)
    return (P.T @ A).T
