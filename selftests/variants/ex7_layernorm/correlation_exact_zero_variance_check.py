"""Wrong: a constant column is detected only by a computed variance of exactly 0.

Six copies of 3.7 have a computed variance of about 2e-31 (their mean is not exact), so the column
slips through and its "correlations" are rounding noise instead of a ValueError.
"""

VARIANT = {"correct": False, "loses": ["correlation_matrix"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import covariance_matrix  # noqa: E402


def correlation_matrix(X):
    C = covariance_matrix(X)
    var = np.diag(C)
    if np.any(var == 0.0):
        raise ValueError(f"column {int(np.flatnonzero(var == 0.0)[0])} has zero variance")
    sd = np.sqrt(var)
    return np.clip(C / np.outer(sd, sd), -1.0, 1.0)
