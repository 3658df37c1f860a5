"""Wrong (a "from scratch" rule): covariance calls np.cov instead of computing X_cᵀ X_c / (n − 1).

The values are right, but the text forbids library covariances in this task: every covariance test
fails with a message naming the call, and no other task loses points.
"""

VARIANT = {"correct": False, "loses": ["covariance"]}

import numpy as np

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import _as_data  # noqa: E402


def covariance(X):
    return np.atleast_2d(np.cov(_as_data(X), rowvar=False))
