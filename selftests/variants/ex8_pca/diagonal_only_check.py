"""Wrong: the covariance check looks at the shape, finiteness, symmetry and the diagonal (variances ≥ 0) only.

The chapter's [[2, 1.5], [1.5, 1]] passes such a check (its variances 2 and 1 are positive) although
det = 2 − 2.25 < 0 gives it a negative eigenvalue. The negative eigenvalue is then clipped to 0.
"""

VARIANT = {"correct": False, "loses": ["validates_covariance"]}

import numpy as np

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import principal_components as _ref_pc  # noqa: E402


def principal_components(C, tol=1e-10):
    A = np.asarray(C, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.size == 0 or not np.all(np.isfinite(A)):
        raise ValueError("C must be a finite square matrix")
    if np.any(np.abs(A - A.T) > tol * np.abs(A).max()) or np.any(np.diag(A) < 0) or tol < 0:
        raise ValueError("C must be symmetric with non-negative variances")
    # Remove the negative part so that the reference (which would reject C) accepts it.
    w, V = np.linalg.eigh((A + A.T) / 2)
    return _ref_pc((V * np.maximum(w, 0.0)) @ V.T, tol)
