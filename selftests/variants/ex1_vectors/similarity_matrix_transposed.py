"""Wrong: cosine_similarity_matrix returns the (n, m) matrix B_unit @ A_unit.T, the transpose.

Entry (i, j) should be the similarity of row i of A with row j of B (shape (m, n)); here the rows
of B come first. Square inputs with A = B hide it.
"""

VARIANT = {"correct": False, "loses": ["cosine_similarity_matrix"],
           "misconceptions": ["similarity_matrix_transposed"]}

from solutions.ex1_vectors import *  # noqa: F401,F403,E402
from solutions import ex1_vectors as _ref  # noqa: E402


def cosine_similarity_matrix(A, B):
    return _ref.cosine_similarity_matrix(B, A)
