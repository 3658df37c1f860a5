"""Wrong attention_entropy (log base 2: bits, not nats), right drawing code that uses it.

The figure writes "H = ..." with this module's attention_entropy, as its text says (the entropy
attention_entropy(p) of the bars), so its numbers are in bits too. One mistake, one loss: only
attention_entropy loses points, not plot_temperature_effect.
"""

VARIANT = {"correct": False, "loses": ["attention_entropy"], "misconceptions": ["entropy_in_bits"]}

import math  # noqa: F401
import types

import numpy as np
from matplotlib.figure import Figure  # noqa: F401

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import plot_temperature_effect as _ref_plot  # noqa: E402


def attention_entropy(weights):
    p = np.asarray(weights, dtype=np.float64)
    return -np.sum(np.where(p > 0, p * np.log2(np.where(p > 0, p, 1.0)), 0.0), axis=-1)


plot_temperature_effect = types.FunctionType(_ref_plot.__code__, globals(), "plot_temperature_effect")
