"""Wrong: cosine_similarity_matrix returns A @ B.T, the raw dot products (the chapter's "3. 内積").

A dot product grows with the rows' lengths; the similarity divides it by both norms. Rows of unit
length hide it.
"""

VARIANT = {"correct": False, "loses": ["cosine_similarity_matrix"],
           "misconceptions": ["similarity_matrix_raw_dot"]}

import numpy as np  # noqa: E402

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def cosine_similarity_matrix(A, B):
    _ref.cosine_similarity_matrix(A, B)  # its input checks: ValueError where they raise
    return np.asarray(A, dtype=np.float64) @ np.asarray(B, dtype=np.float64).T
