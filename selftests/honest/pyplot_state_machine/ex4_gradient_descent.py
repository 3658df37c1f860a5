from ._ref_ex4_gradient_descent import *  # noqa: F401,F403
from ._ref_ex4_gradient_descent import f as _chapter_f
from ._ref_ex4_gradient_descent import gradient_descent, true_minimum

import matplotlib.pyplot as plt
import numpy as np


def plot_trajectories(grad, x0s, learning_rate, n_steps, *, f=_chapter_f, minimum=None, tol=None,
                      xlim=(-1.0, 5.0), ylim=(-1.0, 7.0), levels=20):
    starts = [np.asarray(x0, dtype=np.float64) for x0 in x0s]
    wrong = [s.shape for s in starts if s.shape != (2,)]
    if wrong:
        raise ValueError(f"every start must have shape (2,), got shapes {wrong}")
    mark = np.asarray(true_minimum() if minimum is None else minimum, dtype=np.float64)

    plt.figure(figsize=(7, 7))  # a new current figure, whatever is still open
    X, Y = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    plt.contour(X, Y, f(np.stack([X, Y], axis=-1)), levels=levels, alpha=0.5)
    for start in starts:
        path = gradient_descent(grad, start, learning_rate, n_steps, tol)
        plt.plot(path[:, 0], path[:, 1], "-o", markersize=3, label=f"start ({start[0]:g}, {start[1]:g})")
    plt.plot(mark[0], mark[1], "r*", markersize=16, label="minimum")
    plt.xlim(*xlim)
    plt.ylim(*ylim)
    plt.xlabel("x")
    plt.ylabel("y")
    plt.title(f"Gradient descent paths (learning rate {learning_rate:g})")
    plt.legend(loc="lower left")
    return plt.gcf()
