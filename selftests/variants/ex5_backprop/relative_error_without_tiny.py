"""Wrong: relative_error divides by max(max|a|, max|b|) without the tiny guard.

Two zero arrays (e.g. the gradients through dead ReLUs) give 0/0 = nan instead of 0.
"""

VARIANT = {"correct": False, "loses": ["relative_error"]}

import numpy as np  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402


def relative_error(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError("a and b have different shapes")
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b))))
