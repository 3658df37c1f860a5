"""Wrong: the contours are drawn for (x-2)² + (y-3)², dropping the chapter's 0.5·x·y term.

The paths and the minimum marker are right, but the level curves are circles around (2, 3), not
the tilted ellipses of f, so the paths do not cross them at right angles.
"""

VARIANT = {"correct": False, "loses": ["plot_trajectories"]}

import numpy as np

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions import ex4_gradient_descent as _ref  # noqa: E402


def _circles(p):
    p = np.asarray(p, dtype=np.float64)
    return (p[..., 0] - 2.0) ** 2 + (p[..., 1] - 3.0) ** 2


def plot_trajectories(grad, x0s, learning_rate, n_steps, *, f=_ref.f, minimum=None, tol=None,
                      xlim=(-1.0, 5.0), ylim=(-1.0, 7.0), levels=20):
    return _ref.plot_trajectories(grad, x0s, learning_rate, n_steps, f=_circles, minimum=minimum,
                                  tol=tol, xlim=xlim, ylim=ylim, levels=levels)
