"""Wrong: each eigenvector is taken perpendicular to a nonzero column of A = M - λI, not to a row.

(-q, p) for a column (p, q) spans the null space of A.T, so the vectors are those of M.T (a slip
between A[0] and A[:, 0]). The eigenvalues are right, and so is every symmetric matrix; the shear
[[1, 0.5], [0, 1]] gets e2 instead of e1.
"""

VARIANT = {"correct": False, "loses": ["real_eigenpairs"], "misconceptions": ["perpendicular_to_column"]}

import numpy as np

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def real_eigenpairs(M, tol=1e-9):
    values, _ = _ref.real_eigenpairs(M, tol)
    _, vectors = _ref.real_eigenpairs(np.asarray(M, dtype=np.float64).T, tol)
    return values, vectors
