"""Wrong: the angle is computed from the first two components only (the chapter's plot, 223-244).

Correct for 2-d vectors, wrong for every other length, and it never notices a length mismatch
beyond the first two entries.
"""

VARIANT = {"correct": False, "loses": ["cosine_similarity"], "misconceptions": ["first_two_components"]}

import numpy as np

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def cosine_similarity(a, b) -> float:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim == 1 and b.ndim == 1 and a.size > 2 and b.size > 2:
        a, b = a[:2], b[:2]
    return _ref.cosine_similarity(a, b)
