"""Wrong: eigh sorted in decreasing order, but the signs of the eigenvectors left as LAPACK returns them.

The order is right; the sign convention (largest-magnitude entry positive) is not applied.
"""

VARIANT = {"correct": False, "loses": ["principal_components"], "misconceptions": ["sign_not_normalised"]}

import numpy as np

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import principal_components as _checked  # noqa: E402


def principal_components(C, tol=1e-10):
    values, _ = _checked(C, tol)
    _, vectors = np.linalg.eigh(np.asarray(C, dtype=np.float64))
    return values, vectors[:, ::-1].copy()
