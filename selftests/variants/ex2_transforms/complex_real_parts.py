"""Wrong: a rotation's complex eigenpairs are returned as real parts (k = 2 instead of k = 0).

np.linalg.eig gives cos θ ± i sin θ and complex vectors for a rotation; taking ``.real`` of both
(and normalising) invents two "eigenvectors" that M does not map onto their lines.
"""

VARIANT = {"correct": False, "loses": ["real_eigenpairs"], "misconceptions": ["complex_real_parts"]}

import numpy as np

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def real_eigenpairs(M, tol=1e-9):
    values, vectors = _ref.real_eigenpairs(M, tol)
    if values.size:
        return values, vectors
    w, V = np.linalg.eig(np.asarray(M, dtype=np.float64))
    order = np.argsort(-w.real, kind="stable")
    values = w.real[order]
    vectors = V.real[:, order]
    vectors = vectors / np.linalg.norm(vectors, axis=0)
    vectors = vectors * np.where(vectors[0] < 0, -1.0, 1.0)
    return values, vectors
