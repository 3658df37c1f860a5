"""Wrong: analogy sorts by similarity only, so ties keep the dictionary's insertion order.

Python's sort is stable, so equal similarities are not ordered by word: the result depends on
how word_vectors was built instead of being deterministic.
"""

VARIANT = {"correct": False, "loses": ["analogy"], "misconceptions": ["ties_in_insertion_order"]}

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    if topn < 1:
        raise ValueError("topn must be >= 1")
    for word in (a, b, c):
        if word not in word_vectors:
            raise KeyError(f"unknown word {word!r}")
    target = word_vectors[a] - word_vectors[b] + word_vectors[c]
    scored = [(w, _ref.cosine_similarity(target, x)) for w, x in word_vectors.items()
              if not (exclude_inputs and w in (a, b, c))]
    scored.sort(key=lambda p: p[1], reverse=True)
    return scored[:topn]
