"""Wrong: the chapter's entropy -sum(p * log(p + 1e-10)) (3.2, softmax_as_probability).

The fudge term avoids log 0 but biases every value: a one-hot row gives -1e-10 (negative
entropy), [1/2, 1/2] gives log 2 - 2e-10. The definition is 0 log 0 = 0.
"""

VARIANT = {"correct": False, "loses": ["attention_entropy"], "misconceptions": ["entropy_epsilon"]}

import numpy as np

from solutions.ex3_attention import *  # noqa: F401,F403,E402


def attention_entropy(weights):
    p = np.asarray(weights, dtype=np.float64)
    return -np.sum(p * np.log(p + 1e-10), axis=-1)
