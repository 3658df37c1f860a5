"""Wrong: apply_transform treats points as rows (n, 2), returning points @ M.T.

The chapter stores points as columns (square has shape (2, 5)). This version requires shape
(n, 2): the chapter's square raises, and an (n, 2) array of row points is accepted.
"""

VARIANT = {"correct": False, "loses": ["apply_transform"]}

import numpy as np

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def apply_transform(M, points):
    A = _ref._check_matrix(M)
    P = np.asarray(points, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {P.shape}")
    return P @ A.T
