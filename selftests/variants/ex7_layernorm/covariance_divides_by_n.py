"""Wrong: the covariance divided by N (ddof=0, like np.var's default) instead of N - 1 (np.cov's default).

The correlation is the same either way (the factor cancels), so correlation_matrix keeps its points
even when it is built on this covariance.
"""

VARIANT = {"correct": False, "loses": ["covariance_matrix"], "misconceptions": ["covariance_divides_by_n"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import covariance_matrix as _reference  # noqa: E402


def covariance_matrix(X):
    _reference(X)  # the input checks
    X = np.asarray(X, dtype=np.float64)
    centred = X - X.mean(axis=0)
    return centred.T @ centred / X.shape[0]


def correlation_matrix(X):
    C = covariance_matrix(X)
    X = np.asarray(X, dtype=np.float64)
    for j in range(X.shape[1]):
        if X[:, j].max() == X[:, j].min():
            raise ValueError(f"column {j} is constant")
    sd = np.sqrt(np.diag(C))
    return np.clip(C / np.outer(sd, sd), -1.0, 1.0)
