"""Wrong: the covariance is Xᵀ X / (n − 1), without subtracting the mean first.

A common slip: the formula "Xᵀ X / (n − 1)" is remembered without the word "centred". For data
whose mean is not 0 (all the test data) every entry is off by n μ_i μ_j / (n − 1).
"""

VARIANT = {"correct": False, "loses": ["covariance"], "misconceptions": ["covariance_not_centred"]}

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import _as_data  # noqa: E402


def covariance(X):
    A = _as_data(X)
    return A.T @ A / (A.shape[0] - 1)
