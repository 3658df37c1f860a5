"""Wrong: the eigenpairs come in np.linalg.eig's order with eig's signs (the chapter's 426-472).

The set of eigenpairs is right, but eig gives no ordering and no sign convention, so the result
is not the documented one (descending eigenvalues, first nonzero component positive): e.g.
[[-1, 0], [0, 1]] gives values [-1, 1], and the chapter's covariance gets eig's signs.
"""

VARIANT = {"correct": False, "loses": ["real_eigenpairs"], "misconceptions": ["eig_order_as_sorted"]}

import numpy as np

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def real_eigenpairs(M, tol=1e-9):
    values, vectors = _ref.real_eigenpairs(M, tol)
    if values.size != 2 or values[0] == values[1]:
        return values, vectors
    w, V = np.linalg.eig(np.asarray(M, dtype=np.float64))
    order = [int(np.argmin(np.abs(values - lam))) for lam in w.real]       # eig's order
    values, vectors = values[order], vectors[:, order]
    signs = np.sign(np.sum(vectors * V.real, axis=0))                      # eig's signs
    return values, vectors * np.where(signs == 0, 1.0, signs)
