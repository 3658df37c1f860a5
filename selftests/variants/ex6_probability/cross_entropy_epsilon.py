"""Wrong: the chapter's cross-entropy -sum(p * log(q + 1e-10)) (line 912).

The fudge avoids log 0 but shifts every value and turns +inf (the true class gets probability 0)
into about 23. The figure is the reference's and shows the right losses.
"""

VARIANT = {"correct": False, "loses": ["cross_entropy"], "misconceptions": ["cross_entropy_epsilon"]}

import numpy as np

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import _two_distributions  # noqa: E402


def cross_entropy(p, q):
    p, q = _two_distributions(p, q)
    return float(-np.sum(p * np.log(q + 1e-10)))
