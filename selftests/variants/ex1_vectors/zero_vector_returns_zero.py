"""Wrong: a zero vector gives similarity 0 instead of raising ValueError.

Guarding the division with "if norm == 0: return 0" hides the error: a zero vector has no
direction, so its cosine similarity is undefined. Everything else matches the reference.
"""

VARIANT = {"correct": False, "loses": ["cosine_similarity", "cosine_similarity_matrix"]}

import numpy as np

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def cosine_similarity(a, b) -> float:
    if not np.any(np.asarray(a, dtype=np.float64)) or not np.any(np.asarray(b, dtype=np.float64)):
        return 0.0
    return _ref.cosine_similarity(a, b)


def cosine_similarity_matrix(A, B) -> np.ndarray:
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if A.ndim == 2 and B.ndim == 2 and A.shape[1] == B.shape[1] and A.shape[1] > 0:
        ra = np.any(A != 0, axis=1)
        rb = np.any(B != 0, axis=1)
        S = np.zeros((A.shape[0], B.shape[0]))
        if ra.any() and rb.any():
            S[np.ix_(ra, rb)] = _ref.cosine_similarity_matrix(A[ra], B[rb])
        return S
    return _ref.cosine_similarity_matrix(A, B)
