"""Wrong: each row taken as a variable, as the chapter's np.corrcoef(embeddings) does (line 1081).

The text says columns are the variables; this returns an (N, N) matrix, of the right shape only
when X is square.
"""

VARIANT = {"correct": False, "loses": ["correlation_matrix"], "misconceptions": ["correlation_rows_as_variables"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import correlation_matrix as _reference  # noqa: E402


def correlation_matrix(X):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError("X must be 2-D")
    return _reference(X.T)
