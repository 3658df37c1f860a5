"""Wrong: each eigenvalue divided by the largest one instead of by their sum.

The first "ratio" is always 1 and the ratios do not sum to 1.
"""

VARIANT = {"correct": False, "loses": ["explained_variance_ratio"], "misconceptions": ["ratio_by_largest"]}

import numpy as np

from solutions.ex8_pca import *  # noqa: F401,F403,E402
from solutions.ex8_pca import explained_variance_ratio as _checked  # noqa: E402


def explained_variance_ratio(eigenvalues):
    _checked(eigenvalues)  # the reference's input checks
    lam = np.asarray(eigenvalues, dtype=np.float64)
    return lam / lam.max()
