"""Wrong: plot_transform draws a line for every column of np.linalg.eig (real parts).

The rotation gets two eigen-direction lines although it has no real eigenvector, and the shear
gets two (parallel) lines although it has one eigen-direction. The squares and the title are right.
"""

VARIANT = {"correct": False, "loses": ["plot_transform"]}

import numpy as np
from matplotlib.figure import Figure

from solutions.ex2_transforms import *  # noqa: F401,F403,E402
from solutions import ex2_transforms as _ref  # noqa: E402


def plot_transform(M, ax=None):
    A = _ref._check_matrix(M)
    if ax is None:
        fig = Figure()
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    moved = A @ _ref.UNIT_SQUARE
    ax.plot(_ref.UNIT_SQUARE[0], _ref.UNIT_SQUARE[1], "b-", label="original square")
    ax.plot(moved[0], moved[1], "r-", label="transformed square")
    w, V = np.linalg.eig(A)
    for lam, v in zip(w.real, V.real.T):
        v = v / np.linalg.norm(v)
        ax.plot([-3 * v[0], 3 * v[0]], [-3 * v[1], 3 * v[1]], "--", label=f"eigen λ={lam:.2f}")
    (a, b), (c, d) = A
    ax.set_title(f"M = [[{a:g}, {b:g}], [{c:g}, {d:g}]]")
    return fig
