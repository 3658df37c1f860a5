from ._ref_ex1_vectors import *  # noqa: F401,F403
from ._ref_ex1_vectors import cosine_similarity

import heapq

import numpy as np


#: (test, message) pairs, checked in order on a float64 matrix: each test is a small function
_MATRIX_CHECKS = (
    (lambda M: M.ndim == 2, "{name} must be a 2-D array (rows, d), got shape {shape}"),
    (lambda M: M.shape[1] > 0, "{name} has d = 0 columns"),
    (lambda M: np.isfinite(M).all(), "{name} contains nan or inf"),
    (lambda M: (np.abs(M).max(axis=1) > 0).all(), "{name} has a zero row (cosine similarity is undefined)"),
)


def _unit_rows(name):
    """A closure that checks one matrix argument and turns its rows into unit vectors."""
    def convert(X):
        M = np.asarray(X, dtype=np.float64)
        for ok, message in _MATRIX_CHECKS:
            if not ok(M):
                raise ValueError(message.format(name=name, shape=M.shape))
        M = M / np.abs(M).max(axis=1, keepdims=True)  # no overflow or underflow in the norms
        return M / np.sqrt((M * M).sum(axis=1, keepdims=True))
    return convert


def cosine_similarity_matrix(A, B) -> np.ndarray:
    U, W = (_unit_rows(name)(X) for name, X in (("A", A), ("B", B)))
    if U.shape[1] != W.shape[1]:
        raise ValueError(f"A and B have different numbers of columns d ({U.shape[1]} and {W.shape[1]})")
    rows = (np.clip(W @ u, -1.0, 1.0) for u in U)  # one row of S at a time
    return np.array(list(rows), dtype=np.float64).reshape(U.shape[0], W.shape[0])


def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    if not isinstance(topn, (int, np.integer)) or isinstance(topn, bool):
        raise TypeError(f"topn must be an int, got {topn!r}")
    if topn < 1:
        raise ValueError(f"topn must be >= 1, got {topn}")
    unknown = next((w for w in (a, b, c) if w not in word_vectors), None)
    if unknown is not None:
        raise KeyError(f"unknown word {unknown!r}: not in word_vectors")
    va, vb, vc = (np.asarray(word_vectors[w], dtype=np.float64) for w in (a, b, c))
    target = va - vb + vc
    if target.ndim == 1 and target.size and not np.any(target):
        raise ValueError(f"the target v[{a!r}] - v[{b!r}] + v[{c!r}] is the zero vector")
    skip = {a, b, c} if exclude_inputs else set()

    def candidates():
        for word, vector in word_vectors.items():
            if word not in skip:
                yield word, vector

    def ranked_against(t):
        def key(item):  # (-similarity, word): the smallest key is the best candidate
            word, vector = item
            try:
                return -cosine_similarity(t, vector), word
            except ValueError as exc:
                raise ValueError(f"invalid vector for word {word!r}: {exc}") from exc
        return key

    best = heapq.nsmallest(topn, map(ranked_against(target), candidates()))
    return [(word, -negative) for negative, word in best]
