"""Wrong: the variance from np.cov(values, aweights=probabilities).

np.cov's default (bias=False) is the unbiased sample estimate: with weights summing to 1 it divides
by 1 - sum p² instead of 1, which is right for a sample, not for a distribution.
"""

VARIANT = {"correct": False, "loses": ["expectation_variance"], "misconceptions": ["variance_sample_correction"]}

import numpy as np

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import expectation_variance as _reference  # noqa: E402


def expectation_variance(values, probabilities):
    mean, _ = _reference(values, probabilities)  # the reference's input checks
    x = np.asarray(values, dtype=np.float64)
    p = np.asarray(probabilities, dtype=np.float64)
    return mean, float(np.cov(x, aweights=p))
