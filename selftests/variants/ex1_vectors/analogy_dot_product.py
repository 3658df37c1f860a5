"""Wrong: analogy ranks candidates by the raw dot product with the target, not by cosine.

The dot product grows with a vector's length, so a long vector in another direction wins. The
chapter's six vectors happen to give the same top three either way; the similarities reported
are the dot products.
"""

VARIANT = {"correct": False, "loses": ["analogy"], "misconceptions": ["dot_product_not_cosine"]}

import numpy as np

from solutions.ex1_vectors import *  # noqa: F401,F403,E402


def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    if isinstance(topn, bool) or not isinstance(topn, (int, np.integer)):
        raise TypeError("topn must be an int")
    if topn < 1:
        raise ValueError("topn must be >= 1")
    for word in (a, b, c):
        if word not in word_vectors:
            raise KeyError(f"unknown word {word!r}")
    v = {w: np.asarray(x, dtype=np.float64) for w, x in word_vectors.items()}
    target = v[a] - v[b] + v[c]
    scored = [(w, float(np.dot(target, x))) for w, x in v.items()
              if not (exclude_inputs and w in (a, b, c))]
    scored.sort(key=lambda p: (-p[1], p[0]))
    return scored[:topn]
