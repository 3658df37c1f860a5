"""Wrong: the reconstruction stops at Z W_kᵀ and forgets to add the mean back.

The reconstruction is centred at the origin instead of at the data; the error computed from it is
wrong as well (same task).
"""

VARIANT = {"correct": False, "loses": ["pca_reconstruct"], "misconceptions": ["mean_not_added_back"]}

import numpy as np

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import _as_data, _check_k  # noqa: E402


def pca_reconstruct(X, k):
    A = _as_data(X)
    k = _check_k(k, A.shape[1])
    _, W = principal_components(covariance(A))
    Wk = W[:, :k]
    X_hat = (A - A.mean(axis=0)) @ Wk @ Wk.T
    return X_hat, float(np.sum((A - X_hat) ** 2) / (A.shape[0] - 1))
