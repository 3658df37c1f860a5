"""Wrong real_eigenpairs (np.linalg.eig's real parts), right drawing code that uses it.

real_eigenpairs returns every column of np.linalg.eig (real parts, normalised): two "eigenvectors"
for a rotation and two parallel ones for a shear. plot_transform is the reference drawing code
calling this module's real_eigenpairs, so it draws those lines, as its text says (one line per
eigenpair of real_eigenpairs(M)). One mistake, one loss: only real_eigenpairs loses points.
"""

VARIANT = {"correct": False, "loses": ["real_eigenpairs"], "misconceptions": ["complex_real_parts", "defective_counted_twice"]}

import types

import numpy as np
from matplotlib.figure import Figure  # noqa: F401

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions.ex2_transforms import _check_matrix  # noqa: F401,E402
from solutions.ex2_transforms import plot_transform as _ref_plot  # noqa: E402


def real_eigenpairs(M, tol=1e-9):
    A = _check_matrix(M)
    w, V = np.linalg.eig(A)
    order = np.argsort(-w.real, kind="stable")
    vectors = V.real[:, order]
    vectors = vectors / np.linalg.norm(vectors, axis=0)
    return w.real[order].copy(), vectors * np.where(vectors[0] < 0, -1.0, 1.0)


plot_transform = types.FunctionType(_ref_plot.__code__, globals(), "plot_transform", _ref_plot.__defaults__)
