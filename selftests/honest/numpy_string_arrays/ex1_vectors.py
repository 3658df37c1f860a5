from ._ref_ex1_vectors import *  # noqa: F401,F403
from . import _ref_ex1_vectors as _ref

import numpy as np


def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    """The reference's ranking, each word returned as the np.str_ of an array of the vocabulary."""
    ranked = _ref.analogy(word_vectors, a, b, c, topn=topn, exclude_inputs=exclude_inputs)
    vocabulary = np.array(sorted(word_vectors))
    where = {str(w): i for i, w in enumerate(vocabulary)}
    return [(vocabulary[where[word]], score) for word, score in ranked]
