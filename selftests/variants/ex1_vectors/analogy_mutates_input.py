"""Wrong: analogy builds the target in place, ``target = word_vectors[a]; target -= ...; target += ...``.

``word_vectors[a]`` is the caller's array, not a copy, so after the call it holds v[a] - v[b] + v[c]
(for king - man + woman, "king" now holds the queen's vector). The first call's ranking is right;
the next call with the same dictionary starts from the changed vector.
"""

VARIANT = {"correct": False, "loses": ["analogy"], "misconceptions": ["target_computed_in_place"]}

import numpy as np

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    # The same checks of topn, the three words and the target, on a vocabulary of the inputs only.
    _ref.analogy({w: word_vectors[w] for w in (a, b, c) if w in word_vectors}, a, b, c, topn=topn)
    target = np.asarray(word_vectors[a], dtype=np.float64)   # no copy for a float64 array
    target -= np.asarray(word_vectors[b], dtype=np.float64)
    target += np.asarray(word_vectors[c], dtype=np.float64)
    candidates = {w: v for w, v in word_vectors.items() if not (exclude_inputs and w in (a, b, c))}
    scored = [(w, _ref.cosine_similarity(target, v)) for w, v in candidates.items()]
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:topn]
