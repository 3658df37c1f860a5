"""Wrong: the covariance divides by n (the maximum-likelihood estimate, ddof=0), not by n − 1.

np.var's default is ddof=0 while np.cov's is ddof=1; mixing them up gives a covariance that is
(n − 1) / n times the right one.
"""

VARIANT = {"correct": False, "loses": ["covariance"], "misconceptions": ["covariance_divides_by_n"]}

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import _as_data  # noqa: E402


def covariance(X):
    A = _as_data(X)
    centred = A - A.mean(axis=0)
    return centred.T @ centred / A.shape[0]
