"""Wrong: the cosine is not clipped, so parallel vectors can give 1.0000000000000002.

The formula (with the stable max-abs rescaling) is right, but rounding pushes some values just
outside [-1, 1]; np.arccos of such a value is nan.
"""

VARIANT = {"correct": False, "loses": ["cosine_similarity", "cosine_similarity_matrix"]}

import numpy as np

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def cosine_similarity(a, b) -> float:
    _ref.cosine_similarity(a, b)  # same input validation as the reference
    u = np.asarray(a, dtype=np.float64)
    w = np.asarray(b, dtype=np.float64)
    u = u / np.max(np.abs(u))
    w = w / np.max(np.abs(w))
    return float(np.dot(u, w) / (np.sqrt(np.dot(u, u)) * np.sqrt(np.dot(w, w))))


def cosine_similarity_matrix(A, B) -> np.ndarray:
    _ref.cosine_similarity_matrix(A, B)  # same input validation as the reference
    U = np.asarray(A, dtype=np.float64)
    W = np.asarray(B, dtype=np.float64)
    U = U / np.max(np.abs(U), axis=1, keepdims=True)
    W = W / np.max(np.abs(W), axis=1, keepdims=True)
    U = U / np.linalg.norm(U, axis=1, keepdims=True)
    W = W / np.linalg.norm(W, axis=1, keepdims=True)
    return U @ W.T
