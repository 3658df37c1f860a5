"""Wrong: preserves_direction demands M v = c v with c > 0 ("keeps its direction", chapter 412).

Eigenvectors of a negative eigenvalue (the reflection's e2, -I) and of a zero eigenvalue (M v = 0)
are rejected, although M v lies on the line of v.
"""

VARIANT = {"correct": False, "loses": ["preserves_direction"], "misconceptions": ["negative_eigenvalue_not_preserved"]}

import numpy as np

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def preserves_direction(M, v, tol=1e-9):
    on_line = _ref.preserves_direction(M, v, tol)
    Mv = np.asarray(M, dtype=np.float64) @ np.asarray(v, dtype=np.float64)
    return bool(on_line and float(np.dot(Mv, v)) > 0.0)
