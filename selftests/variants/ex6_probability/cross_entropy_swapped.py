"""Wrong: H(q, p) = -sum q log p, the arguments of the cross-entropy swapped.

The weights must be the true distribution p and the log that of the prediction q. With a one-hot
p the swapped version takes log 0 and gives +inf.
"""

VARIANT = {"correct": False, "loses": ["cross_entropy"], "misconceptions": ["cross_entropy_swapped"]}

import math

import numpy as np

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import _two_distributions  # noqa: E402


def cross_entropy(p, q):
    p, q = _two_distributions(p, q)
    s = q > 0
    if np.any(p[s] == 0):
        return math.inf
    return float(-np.sum(q[s] * np.log(p[s])))
