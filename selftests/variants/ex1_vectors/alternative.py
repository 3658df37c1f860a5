"""Correct, written differently: unit vectors through a stable 2-norm, einsum, heapq ranking.

Each vector x is turned into x / ‖x‖ with ‖x‖ = s · sqrt(Σ (x_i / s)²), s = max |x_i| (no
overflow or underflow), the similarity is the dot product of unit vectors (einsum), clipped.
analogy scores all candidates with one cosine_similarity_matrix call and picks the best with
heapq.nsmallest on the key (-similarity, word).
"""

VARIANT = {"correct": True, "loses": []}

import heapq

import numpy as np


def _unit_rows(X, name):
    X = np.array(X, dtype=np.float64, copy=True)
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains nan or inf")
    s = np.abs(X).max(axis=-1, keepdims=True)
    if (s == 0).any():
        raise ValueError(f"{name} contains a zero vector: cosine similarity is undefined")
    Y = X / s
    return Y / np.sqrt(np.einsum("...i,...i->...", Y, Y))[..., None]


def cosine_similarity(a, b) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"vectors must be 1-D, got shapes {a.shape} and {b.shape}")
    if len(a) != len(b) or len(a) == 0:
        raise ValueError(f"lengths must be equal and non-zero, got {len(a)} and {len(b)}")
    c = np.einsum("i,i->", _unit_rows(a, "a"), _unit_rows(b, "b"))
    return float(min(1.0, max(-1.0, c)))


def cosine_similarity_matrix(A, B) -> np.ndarray:
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2:
        raise ValueError(f"A and B must be 2-D, got shapes {A.shape} and {B.shape}")
    if A.shape[1] != B.shape[1] or A.shape[1] == 0:
        raise ValueError(f"A and B need the same non-zero number of columns, got {A.shape} and {B.shape}")
    S = np.einsum("ik,jk->ij", _unit_rows(A, "A"), _unit_rows(B, "B"))
    return np.minimum(1.0, np.maximum(-1.0, S))


def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    if type(topn) is not int and not isinstance(topn, np.integer):
        raise TypeError(f"topn must be an int, got {topn!r}")
    if topn < 1:
        raise ValueError(f"topn must be >= 1, got {topn}")
    missing = [w for w in (a, b, c) if w not in word_vectors]
    if missing:
        raise KeyError(f"unknown word {missing[0]!r}")
    skip = {a, b, c} if exclude_inputs else set()
    words = [w for w in word_vectors if w not in skip]
    if not words:
        return []
    target = (np.asarray(word_vectors[a], dtype=np.float64) - np.asarray(word_vectors[b], dtype=np.float64)
              + np.asarray(word_vectors[c], dtype=np.float64))
    rows = []
    for w in words:
        row = np.asarray(word_vectors[w], dtype=np.float64)
        if row.shape != target.shape:
            raise ValueError(f"the vector of {w!r} has shape {row.shape}, expected {target.shape}")
        rows.append(row)
    try:
        sims = cosine_similarity_matrix(target[None, :], np.stack(rows))[0]
    except ValueError as exc:
        bad = [w for w, row in zip(words, rows) if not (np.isfinite(row).all() and row.any())]
        raise ValueError(f"invalid vector for {bad[0]!r}: {exc}" if bad else str(exc)) from exc
    best = heapq.nsmallest(topn, zip(words, sims.tolist()), key=lambda p: (-p[1], p[0]))
    return [(w, float(s)) for w, s in best]
