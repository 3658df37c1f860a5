"""Wrong: the scores are X W_k, the data projected without subtracting the mean.

The components are right (the covariance centres the data), but the projection forgets it:
every score is shifted by μ W_k.
"""

VARIANT = {"correct": False, "loses": ["pca_project"], "misconceptions": ["project_not_centred"]}

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import _as_data, _check_k  # noqa: E402


def pca_project(X, k):
    A = _as_data(X)
    k = _check_k(k, A.shape[1])
    _, W = principal_components(covariance(A))
    return A @ W[:, :k]
