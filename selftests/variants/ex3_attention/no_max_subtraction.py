"""Wrong: softmax without subtracting the maximum: exp(x / T) / sum(exp(x / T)).

Mathematically equal, numerically broken: exp(1000) overflows to inf (inf / inf = nan) and
exp(-1000) underflows to 0 (0 / 0 = nan); a small temperature overflows moderate scores. The
attention and the figure use this softmax.
"""

VARIANT = {"correct": False, "loses": ["softmax", "scaled_dot_product_attention"],
           "misconceptions": ["softmax_overflow"]}

import math
import types

import numpy as np
from matplotlib.figure import Figure  # noqa: F401

from solutions.ex3_attention import plot_temperature_effect as _ref_plot  # noqa: E402
from solutions.ex3_attention import scaled_dot_product_attention as _ref_attention  # noqa: E402
from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import attention_entropy  # noqa: F401,E402


def softmax(x, axis=-1, temperature=1.0):
    if not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be positive and finite, got {temperature!r}")
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(x, dtype=np.float64) / temperature)
        return e / np.sum(e, axis=axis, keepdims=True)


def _rebind(f):
    """The reference function, but looking up softmax etc. in this module."""
    return types.FunctionType(f.__code__, globals(), f.__name__, f.__defaults__, f.__closure__)


scaled_dot_product_attention = _rebind(_ref_attention)
plot_temperature_effect = _rebind(_ref_plot)
