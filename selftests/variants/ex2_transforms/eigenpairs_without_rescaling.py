"""Wrong: real_eigenpairs works on M as given, without dividing it by its largest entry first.

Right at ordinary scales, but s² = ‖M‖_F² overflows for entries near 1e200 (1e200 × a shear then
returns two eigenpairs: every Δ looks "repeated" and every M looks like λI) and underflows near
1e-200 (1e-200 × [[0, 1], [1, 0]] returns the eigenvalues [0, 0] instead of ±1e-200).
"""

VARIANT = {"correct": False, "loses": ["real_eigenpairs"]}

import numpy as np

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def real_eigenpairs(M, tol=1e-9):
    _ref.real_eigenpairs(M, tol)                   # validation only
    A = np.asarray(M, dtype=np.float64)
    (a, b), (c, d) = A
    s = np.sqrt(np.sum(A * A))
    trace, det = a + d, a * d - b * c
    disc = (a - d) ** 2 + 4.0 * b * c
    if disc < -tol * s * s:
        return np.zeros(0), np.zeros((2, 0))
    if abs(disc) <= tol * s * s:
        lam = trace / 2.0
        shifted = A - lam * np.eye(2)
        if np.sqrt(np.sum(shifted * shifted)) <= np.sqrt(tol) * s:
            return np.array([lam, lam]), np.eye(2)
        v = _ref._canonical_sign(_ref._null_direction(shifted), tol)
        return np.array([lam]), v.reshape(2, 1)
    root = np.sqrt(disc)
    lam1 = (trace + root) / 2.0 if trace >= 0 else det / ((trace - root) / 2.0)
    lam2 = det / lam1 if trace >= 0 else (trace - root) / 2.0
    vectors = np.column_stack([_ref._canonical_sign(_ref._null_direction(A - lam * np.eye(2)), tol)
                               for lam in (lam1, lam2)])
    return np.array([lam1, lam2]), vectors
