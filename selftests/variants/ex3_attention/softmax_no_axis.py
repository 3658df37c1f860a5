"""Wrong: the chapter's temperature softmax (3.2, lines 850-854) with no axis.

``exp(x - max(x)) / sum(exp(...))`` over the whole array: a 1-D vector is fine, but a score
matrix is normalised as one distribution, so its rows do not sum to 1. It also accepts any
temperature (T = 0 divides by zero). The attention and the figure use this softmax.
"""

VARIANT = {"correct": False, "loses": ["softmax", "scaled_dot_product_attention"], "misconceptions": ["softmax_whole_matrix"]}

import math  # noqa: F401  (globals of the re-bound reference functions)
import types

import numpy as np
from matplotlib.figure import Figure  # noqa: F401

from solutions.ex3_attention import plot_temperature_effect as _ref_plot  # noqa: E402
from solutions.ex3_attention import scaled_dot_product_attention as _ref_attention  # noqa: E402
from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import attention_entropy  # noqa: F401,E402


def softmax(x, axis=-1, temperature=1.0):
    x = np.asarray(x, dtype=np.float64) / temperature
    exp_x = np.exp(x - np.max(x))
    return exp_x / np.sum(exp_x)


def _rebind(f):
    """The reference function, but looking up softmax etc. in this module."""
    return types.FunctionType(f.__code__, globals(), f.__name__, f.__defaults__, f.__closure__)


scaled_dot_product_attention = _rebind(_ref_attention)
plot_temperature_effect = _rebind(_ref_plot)
