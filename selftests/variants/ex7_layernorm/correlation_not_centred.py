"""Wrong: the correlation computed from uncentred columns, i.e. their cosine similarity.

Looks like a correlation (unit diagonal, entries in [-1, 1]) but changes when a column is shifted.
"""

VARIANT = {"correct": False, "loses": ["correlation_matrix"], "misconceptions": ["correlation_not_centred"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import correlation_matrix as _reference  # noqa: E402


def correlation_matrix(X):
    _reference(X)  # the input checks (a constant column raises)
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=0)
    return np.clip(X.T @ X / np.outer(norms, norms), -1.0, 1.0)
