"""Wrong: the chapter's formula dot(a, b) / (norm(a) * norm(b)) without rescaling.

Fine for moderate values, but entries like 1e200 overflow (norm = inf, result 0 or nan) and
entries like 1e-200 underflow (0 / 0 = nan). Clipping and input checks are kept.
"""

VARIANT = {"correct": False, "loses": ["cosine_similarity", "cosine_similarity_matrix"],
           "misconceptions": ["norms_overflow"]}

import numpy as np

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def cosine_similarity(a, b) -> float:
    _ref.cosine_similarity(a, b)  # same input validation as the reference
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(all="ignore"):
        cos = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.clip(cos, -1.0, 1.0))


def cosine_similarity_matrix(A, B) -> np.ndarray:
    _ref.cosine_similarity_matrix(A, B)  # same input validation as the reference
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    with np.errstate(all="ignore"):
        S = (A @ B.T) / np.outer(np.linalg.norm(A, axis=1), np.linalg.norm(B, axis=1))
    return np.clip(S, -1.0, 1.0)
