from ._ref_ex6_probability import *  # noqa: F401,F403

import numpy as np


def _as_lists(p, q):
    """Meant to turn nested inputs into flat lists; the base case was forgotten."""
    return _as_lists(list(p), list(q))


def kl_divergence(p, q):
    p, q = _as_lists(p, q)
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return float(np.sum(np.where(p > 0, p * np.log(p / q), 0.0)))
