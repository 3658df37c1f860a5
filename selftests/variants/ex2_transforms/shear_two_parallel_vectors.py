"""Wrong: np.linalg.eig's columns are used as is, so a shear gets two (parallel) eigenvectors.

Complex eigenvalues are dropped correctly, but a defective matrix is not detected: for the shear
[[1, 0.5], [0, 1]] eig returns λ = 1 twice with columns (1, 0) and (-1, 4.4e-16), reported here as
k = 2. It also breaks -I written as a rotation by 180° (eig returns a complex pair ±1.2e-16 i).
"""

VARIANT = {"correct": False, "loses": ["real_eigenpairs"], "misconceptions": ["defective_counted_twice"]}

import numpy as np

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def real_eigenpairs(M, tol=1e-9):
    A = _ref._check_matrix(M)
    if tol < 0:
        raise ValueError("tol must be >= 0")
    w, V = np.linalg.eig(A)
    keep = np.abs(w.imag) <= tol * max(np.linalg.norm(A), 1.0)
    w, V = w.real[keep], V.real[:, keep]
    order = np.argsort(-w, kind="stable")
    values, vectors = w[order], V[:, order]
    if values.size:
        vectors = vectors / np.linalg.norm(vectors, axis=0)
        first = np.where(np.abs(vectors[0]) > tol, vectors[0], vectors[1])
        vectors = vectors * np.where(first < 0, -1.0, 1.0)
    return values, vectors.reshape(2, -1) + 0.0
