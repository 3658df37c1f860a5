"""Wrong: symmetry tested with exact equality (C == C.T), which rejects rounding-level asymmetry.

A covariance computed in floating point can differ from its transpose in the last bit; the text
asks for a relative tolerance (max|C − Cᵀ| ≤ tol·s).
"""

VARIANT = {"correct": False, "loses": ["validates_covariance"]}

import numpy as np

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import principal_components as _ref_pc  # noqa: E402


def principal_components(C, tol=1e-10):
    A = np.asarray(C, dtype=np.float64)
    if A.ndim == 2 and A.shape[0] == A.shape[1] and not np.array_equal(A, A.T):
        raise ValueError("C is not symmetric")
    return _ref_pc(C, tol)
