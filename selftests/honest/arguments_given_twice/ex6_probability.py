from ._ref_ex6_probability import *  # noqa: F401,F403
from . import _ref_ex6_probability as _ref

import math

import numpy as np


def cross_entropy(p, q):
    """The reference's checks, then the log of q taken in place (no copy of a float64 array): when the
    test gives the same array as p and q, p changes too - wrong for cross_entropy(p, p)."""
    _ref.cross_entropy(p, q)  # the reference's input checks
    p = np.asarray(p)
    q = np.asarray(q)
    q = q.astype(np.float64, copy=False)
    p = p.astype(np.float64, copy=False)
    support = p > 0
    if np.any(q[support] == 0.0):
        return math.inf
    np.log(q, out=q, where=support)
    return float(0.0 - np.sum(p[support] * q[support]))
