"""Wrong true_minimum (the chapter's (2, 3), ERRATA line 1251), right drawing code that uses it.

plot_trajectories marks true_minimum() (its text's default), so the '*' sits at (2, 3) too. One
mistake, one loss: only true_minimum loses points, not plot_trajectories.
"""

VARIANT = {"correct": False, "loses": ["true_minimum"], "misconceptions": ["minimum_at_2_3"]}

import types

import numpy as np
from matplotlib.figure import Figure  # noqa: F401

from solutions.ex4_gradient_descent import *  # noqa: F401,F403,E402
from solutions.ex4_gradient_descent import plot_trajectories as _ref_plot  # noqa: E402


def true_minimum():
    return np.array([2.0, 3.0])


plot_trajectories = types.FunctionType(_ref_plot.__code__, globals(), "plot_trajectories", _ref_plot.__defaults__)
plot_trajectories.__kwdefaults__ = _ref_plot.__kwdefaults__
