"""Wrong: split_heads trusts n_heads: True is taken as 1 head (no TypeError), and the
divisibility and sign checks are left to reshape (whose errors happen to be ValueError or
ZeroDivisionError, not the ones the text asks for).
"""

VARIANT = {"correct": False, "loses": ["split_heads"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402


def split_heads(x, n_heads):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError("x must be 3-D")
    b, s, d = x.shape
    return x.reshape(b, s, n_heads, d // n_heads).transpose(0, 2, 1, 3)
