"""Wrong: sum p log(p / (q + 1e-10)), a 1e-10 added to q as the chapter does in its cross-entropy.

Where q_i = 0 and p_i > 0 the divergence is +inf; the fudge gives a finite number instead.
"""

VARIANT = {"correct": False, "loses": ["kl_divergence"], "misconceptions": ["kl_epsilon"]}

import numpy as np

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import _two_distributions  # noqa: E402


def kl_divergence(p, q):
    p, q = _two_distributions(p, q)
    s = p > 0
    return float(np.sum(p[s] * np.log(p[s] / (q[s] + 1e-10))))
