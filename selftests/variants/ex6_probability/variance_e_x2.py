"""Wrong: the variance as E[X²] = sum p x², forgetting to subtract E[X]².

It equals the variance only when the mean is 0; Binomial(20, 0.3) gives 40.2 instead of 4.2.
"""

VARIANT = {"correct": False, "loses": ["expectation_variance"], "misconceptions": ["variance_without_mean_squared"]}

import numpy as np

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import expectation_variance as _reference  # noqa: E402


def expectation_variance(values, probabilities):
    mean, _ = _reference(values, probabilities)  # the reference's input checks
    x = np.asarray(values, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    return mean, float(np.sum(p * x ** 2))
