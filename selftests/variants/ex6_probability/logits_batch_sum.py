"""Wrong: the per-sample losses summed over the batch instead of averaged.

The loss then grows with the batch size N; torch's cross_entropy (reduction="mean") divides by N.
"""

VARIANT = {"correct": False, "loses": ["cross_entropy_from_logits"], "misconceptions": ["logits_batch_sum"]}

import numpy as np

from solutions.ex6_probability import *  # noqa: F401,F403,E402
from solutions.ex6_probability import cross_entropy_from_logits as _reference  # noqa: E402


def cross_entropy_from_logits(logits, targets):
    return _reference(logits, targets) * np.shape(logits)[0]
