"""Wrong: the mask convention is inverted (True = blocked, like a "padding mask" of some libraries).

torch's scaled_dot_product_attention and this workbook use True = may attend. With the inverted
convention a causal torch.tril mask lets each query see only the future, and the last row is
reported as fully masked.
"""

VARIANT = {"correct": False, "loses": ["scaled_dot_product_attention"]}

import numpy as np

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import scaled_dot_product_attention as _ref_attention  # noqa: E402


def scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0):
    if mask is not None:
        m = np.asarray(mask)
        if m.dtype != bool:
            raise ValueError("mask must be boolean")
        mask = ~m  # True means "masked out" here: the wrong convention
    return _ref_attention(Q, K, V, mask=mask, temperature=temperature)
