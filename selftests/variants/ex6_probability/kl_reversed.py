"""Wrong: D_KL(q || p) = sum q log(q / p), the divergence in the other direction.

The KL divergence is not symmetric: p = (1/2, 1/2), q = (0.9, 0.1) gives 0.368 instead of 0.511.
"""

VARIANT = {"correct": False, "loses": ["kl_divergence"], "misconceptions": ["kl_reversed"]}

import math

import numpy as np

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import _two_distributions  # noqa: E402


def kl_divergence(p, q):
    p, q = _two_distributions(p, q)
    s = q > 0
    if np.any(p[s] == 0):
        return math.inf
    return max(0.0, float(np.sum(q[s] * np.log(q[s] / p[s]))))
