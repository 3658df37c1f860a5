from ._ref_ex4_gradient_descent import *  # noqa: F401,F403
from ._ref_ex4_gradient_descent import f as _chapter_f
from ._ref_ex4_gradient_descent import gradient_descent, true_minimum

import numpy as np
from matplotlib.figure import Figure


def plot_trajectories(grad, x0s, learning_rate, n_steps, *, f=_chapter_f, minimum=None, tol=None,
                      xlim=(-1.0, 5.0), ylim=(-1.0, 7.0), levels=20):
    starts = [np.asarray(x0, dtype=np.float64) for x0 in x0s]
    for start in starts:
        if start.shape != (2,):
            raise ValueError(f"every start must have shape (2,), got shape {start.shape}")
    mark = true_minimum() if minimum is None else np.asarray(minimum, dtype=np.float64)

    fig = Figure(figsize=(7, 7))
    ax = fig.add_subplot()
    xs, ys = np.linspace(*xlim, 45), np.linspace(*ylim, 45)
    for x in xs:  # the sample grid, one light dot per point (single points: not paths)
        for y in ys:
            ax.plot(x, y, ".", markersize=2, color="0.75")
    X, Y = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    ax.contour(X, Y, f(np.stack([X, Y], axis=-1)), levels=levels, alpha=0.5)
    for start in starts:
        path = gradient_descent(grad, start, learning_rate, n_steps, tol)
        ax.plot(path[:, 0], path[:, 1], "-o", markersize=3, label=f"start ({start[0]:g}, {start[1]:g})")
    ax.plot([mark[0]], [mark[1]], linestyle="none", marker="*", markersize=16, color="red", label="minimum")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"Gradient descent paths (learning rate {learning_rate:g})")
    ax.legend(loc="lower left")
    return fig
