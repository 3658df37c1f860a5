import matplotlib

matplotlib.use("Agg")  # no window wanted, also when run outside the grader

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ._ref_ex2_transforms import *  # noqa: F401,F403,E402
from ._ref_ex2_transforms import UNIT_SQUARE, _check_matrix, apply_transform, real_eigenpairs  # noqa: E402


def plot_transform(M, ax=None):
    A = _check_matrix(M)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    plt.sca(ax)  # from here on pyplot draws into ax, and plt.gcf() is ax's figure

    moved = apply_transform(A, UNIT_SQUARE)
    values, vectors = real_eigenpairs(A)
    extent = 1.15 * max(1.5, float(np.max(np.abs(moved))))
    for lam, v in zip(values, vectors.T):
        plt.plot([-2 * extent * v[0], 2 * extent * v[0]], [-2 * extent * v[1], 2 * extent * v[1]], "--",
                 label=f"eigen-direction λ = {lam:.3g}")
    plt.plot(UNIT_SQUARE[0], UNIT_SQUARE[1], color="tab:blue", alpha=0.5, label="original square")
    plt.plot(moved[0], moved[1], color="tab:red", label="transformed square")
    (a, b), (c, d) = A
    plt.title(f"M = [[{a:.4g}, {b:.4g}], [{c:.4g}, {d:.4g}]]")
    plt.xlim(-extent, extent)
    plt.ylim(-extent, extent)
    plt.gca().set_aspect("equal")
    plt.legend(loc="upper left", fontsize=8)
    return plt.gcf()
