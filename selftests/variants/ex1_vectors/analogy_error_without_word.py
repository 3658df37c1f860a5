"""Wrong: an invalid candidate vector raises ValueError, but the message does not name the word.

The text asks that the message name the word whose vector is invalid (zero, wrong length, ...);
here cosine_similarity's own error ("b is the zero vector") escapes unchanged.
Found by mutation testing (issue 11): the mutant without the ``except ValueError`` kept full marks.
"""

VARIANT = {"correct": False, "loses": ["analogy"]}

import numpy as np

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def analogy(word_vectors, a, b, c, *, topn=1, exclude_inputs=True):
    # The same checks of topn, the three words and the target, on a vocabulary of the inputs only.
    _ref.analogy({w: word_vectors[w] for w in (a, b, c) if w in word_vectors}, a, b, c, topn=topn)
    target = (np.asarray(word_vectors[a], dtype=np.float64) - np.asarray(word_vectors[b], dtype=np.float64)
              + np.asarray(word_vectors[c], dtype=np.float64))
    scored = [(w, cosine_similarity(target, v)) for w, v in word_vectors.items()
              if not (exclude_inputs and w in (a, b, c))]
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:topn]
