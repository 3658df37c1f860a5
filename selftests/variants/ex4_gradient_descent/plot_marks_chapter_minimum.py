"""Wrong: the figure marks the chapter's (2, 3) as the minimum (ERRATA line 1251).

Contours and paths are right; only the '*' marker sits at (2, 3) instead of (4/3, 8/3).
"""

VARIANT = {"correct": False, "loses": ["plot_trajectories"], "misconceptions": ["marker_at_2_3"]}

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def plot_trajectories(grad, x0s, learning_rate, n_steps, *, f=_ref.f, minimum=None, tol=None,
                      xlim=(-1.0, 5.0), ylim=(-1.0, 7.0), levels=20):
    return _ref.plot_trajectories(grad, x0s, learning_rate, n_steps, f=f,
                                  minimum=(2.0, 3.0) if minimum is None else minimum,
                                  tol=tol, xlim=xlim, ylim=ylim, levels=levels)
