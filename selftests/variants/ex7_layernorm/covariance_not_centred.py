"""Wrong: Xᵀ X / (N - 1) without subtracting the column means (the "second moment", not the covariance).

Right only for data whose columns already have mean 0.
"""

VARIANT = {"correct": False, "loses": ["covariance_matrix"], "misconceptions": ["covariance_not_centred"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import covariance_matrix as _reference  # noqa: E402


def covariance_matrix(X):
    _reference(X)  # the input checks
    X = np.asarray(X, dtype=np.float64)
    return X.T @ X / (X.shape[0] - 1)
