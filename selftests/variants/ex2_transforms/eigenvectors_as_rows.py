"""Wrong: real_eigenpairs returns the eigenvectors as rows (vectors.T), shape (k, 2).

The values are right. Symmetric results (λI, the reflections, symmetric matrices with the sign
convention) hide it; [[2, 4], [1, 2]], a shear (shape (1, 2)) and a rotation (shape (0, 2)) show it.
"""

VARIANT = {"correct": False, "loses": ["real_eigenpairs"], "misconceptions": ["eigenvectors_as_rows"]}

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def real_eigenpairs(M, tol=1e-9):
    values, vectors = _ref.real_eigenpairs(M, tol)
    return values, vectors.T.copy()
