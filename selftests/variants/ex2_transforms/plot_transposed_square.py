"""Wrong: plot_transform draws the transformed square as square.T @ M (points as rows).

That is M.T applied to the columns: right for symmetric matrices, wrong for the shear and the
rotation. Eigen-direction lines and the title are right.
"""

VARIANT = {"correct": False, "loses": ["plot_transform"]}

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
    square = _ref.UNIT_SQUARE.T                   # (5, 2): points as rows
    moved = square @ A
    ax.plot(square[:, 0], square[:, 1], "b-", label="original square")
    ax.plot(moved[:, 0], moved[:, 1], "r-", label="transformed square")
    values, vectors = _ref.real_eigenpairs(A)
    for lam, v in zip(values, vectors.T):
        ax.plot([-3 * v[0], 3 * v[0]], [-3 * v[1], 3 * v[1]], "--", label=f"eigen λ={lam:.2f}")
    (a, b), (c, d) = A
    ax.set_title(f"M = [[{a:g}, {b:g}], [{c:g}, {d:g}]]")
    return fig
