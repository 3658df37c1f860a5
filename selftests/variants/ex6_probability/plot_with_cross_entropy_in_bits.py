"""Wrong cross_entropy (log base 2: bits, not nats), right drawing code that uses it.

The figure's titles show this module's cross_entropy(p, q), as its text says, so they are in bits
too. One mistake, one loss: only cross_entropy loses points, not plot_predictions.
"""

VARIANT = {"correct": False, "loses": ["cross_entropy"], "misconceptions": ["cross_entropy_in_bits"]}

import math
import types

import numpy as np
from matplotlib.figure import Figure  # noqa: F401

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import _two_distributions  # noqa: E402
from solutions.ex6_probability import plot_predictions as _ref_plot  # noqa: E402


def cross_entropy(p, q):
    p, q = _two_distributions(p, q)
    s = p > 0
    if np.any(q[s] == 0):
        return math.inf
    return float(-np.sum(p[s] * np.log2(q[s])))


plot_predictions = types.FunctionType(_ref_plot.__code__, globals(), "plot_predictions")
