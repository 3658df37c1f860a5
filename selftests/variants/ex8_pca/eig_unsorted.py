"""Wrong: the chapter's np.linalg.eig output used as it comes (lines 426-472, docs/ERRATA.md).

The input checks are the reference's; then the eigenvalues and eigenvectors of np.linalg.eig are
returned in LAPACK's order with LAPACK's signs. eig does not sort: for the test data the
eigenvalues come out of order.
"""

VARIANT = {"correct": False, "loses": ["principal_components"], "misconceptions": ["eig_unsorted"]}

import numpy as np

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import principal_components as _checked  # noqa: E402


def principal_components(C, tol=1e-10):
    _checked(C, tol)  # the reference's input checks (raises for what is not a covariance)
    values, vectors = np.linalg.eig(np.asarray(C, dtype=np.float64))
    return np.maximum(values.real, 0.0), vectors.real
