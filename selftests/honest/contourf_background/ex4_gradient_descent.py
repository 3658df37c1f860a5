from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ._ref_ex4_gradient_descent import *  # noqa: F401,F403
from ._ref_ex4_gradient_descent import f, gradient_descent, true_minimum


def plot_trajectories(grad, x0s, learning_rate, n_steps, *, f=f, minimum=None, tol=None,
                      xlim=(-1.0, 5.0), ylim=(-1.0, 7.0), levels=20):
    """Contours of f with one gradient-descent path per start and the true minimum (3.3).

    f の等高線の上に、開始点ごとの勾配降下法の軌跡と真の最小点を描いた図を返す。
    本文の図: 開始点 (-0.5, 6), (4.5, 0), (4, 6)、学習率 0.1、50 ステップ。

    Draw on one Axes (``fig.axes[0]``; no colorbar or other Axes):

    - the contours of ``f`` over ``xlim`` × ``ylim`` (``ax.contour``, ``levels`` levels);
    - for each start, in order, ONE ``Line2D`` whose data are the whole trajectory
      ``gradient_descent(grad, x0, learning_rate, n_steps, tol)`` (x = column 0, y = column 1),
      labelled ``"start (x, y)"``; draw no other line with more than one point;
    - the true minimum as a single-point ``Line2D`` with marker ``"*"`` at ``minimum``
      (default: ``true_minimum()``, the chapter's f), labelled ``"minimum"``;
    - axis labels "x" and "y", a legend and a title naming the learning rate.

    1 つの Axes (``fig.axes[0]``) に、等高線、開始点ごとに 1 本の軌跡 (全点を通る Line2D、
    2 点以上の線は軌跡だけ)、真の最小点 (マーカー "*" の 1 点だけの Line2D) を描く。
    ``plt.show()`` は呼ばない。Agg バックエンドで動くこと。

    Args:
        grad: gradient callable, as in ``gradient_descent``.
        x0s: sequence of starting points, each of shape (2,).
        learning_rate, n_steps, tol: passed to ``gradient_descent``.
        f: the function whose contours are drawn (callable on (..., 2) arrays; default the
            chapter's ``f``).
        minimum: the point marked as the true minimum, shape (2,); None means ``true_minimum()``.
        xlim, ylim: (low, high) ranges of the contour grid and of the axes.
        levels: number of contour levels (int).

    Returns:
        matplotlib.figure.Figure.

    Raises:
        ValueError: a start is not of shape (2,), or as ``gradient_descent``.
    """
    ### BEGIN SOLUTION
    starts = [np.asarray(x0, dtype=np.float64) for x0 in x0s]
    for start in starts:
        if start.shape != (2,):
            raise ValueError(
                f"開始点は形状 (2,) である必要がありますが、形状 {start.shape} がありました。 / "
                f"every start must have shape (2,), got shape {start.shape}."
            )
    mark = true_minimum() if minimum is None else np.asarray(minimum, dtype=np.float64)

    fig = Figure(figsize=(7, 7))
    ax = fig.add_subplot(1, 1, 1)
    xs = np.linspace(xlim[0], xlim[1], 200)
    ys = np.linspace(ylim[0], ylim[1], 200)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = f(np.stack([grid_x, grid_y], axis=-1))
    ax.contourf(grid_x, grid_y, values, levels=levels, cmap="Greys", alpha=0.25)  # a background first
    ax.contour(grid_x, grid_y, values, levels=levels, alpha=0.5)

    for start in starts:
        path = gradient_descent(grad, start, learning_rate, n_steps, tol)
        ax.plot(path[:, 0], path[:, 1], "-o", markersize=3, linewidth=1.5,
                label=f"start ({start[0]:g}, {start[1]:g})")
    ax.plot([mark[0]], [mark[1]], linestyle="none", marker="*", markersize=16, color="red",
            label=f"minimum ({mark[0]:.3f}, {mark[1]:.3f})")

    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    ax.set_title(f"Gradient descent paths (learning rate η = {learning_rate:g})")
    ax.legend(loc="lower left")
    return fig
    ### END SOLUTION


# ---------------------------------------------------------------------------------------------
# ヒント (段階式): `workbook hint ex4_gradient_descent [課題]` で 1 段ずつ表示されます。まず自分で考えてから。
# Graded hints: `workbook hint ex4_gradient_descent [TASK]` shows them one level at a time. Try first.
# 各要素は (日本語, English)。答えそのものは書いていません。 / Each entry is (Japanese, English).
