"""Wrong: np.linalg.eigh's ascending order kept (the first "component" has the smallest variance).

The signs follow the convention and the checks are right; only the order is reversed.
"""

VARIANT = {"correct": False, "loses": ["principal_components"], "misconceptions": ["ascending_order"]}

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import principal_components as _ref_pc  # noqa: E402


def principal_components(C, tol=1e-10):
    values, vectors = _ref_pc(C, tol)
    return values[::-1].copy(), vectors[:, ::-1].copy()
