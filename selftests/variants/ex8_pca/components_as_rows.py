"""Wrong: the components returned as rows (the transpose), the habit of sklearn's ``components_``.

Eigenvalues, order and signs are right, but component i is components[i] instead of components[:, i].
"""

VARIANT = {"correct": False, "loses": ["principal_components"], "misconceptions": ["components_as_rows"]}

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import principal_components as _ref_pc  # noqa: E402


def principal_components(C, tol=1e-10):
    values, vectors = _ref_pc(C, tol)
    return values, vectors.T.copy()
