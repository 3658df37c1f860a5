"""Wrong: the temperature is not validated (the chapter's version).

T = 0 divides by zero (nan or a one-hot with warnings), a negative T silently turns the softmax
into a "softmin", and T = inf or nan gives nan: none of them raises ValueError.
"""

VARIANT = {"correct": False, "loses": ["softmax"]}

import numpy as np

from solutions.ex3_attention import *  # noqa: F401,F403,E402


def softmax(x, axis=-1, temperature=1.0):
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = x / temperature
        e = np.exp(z - np.max(z, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)
