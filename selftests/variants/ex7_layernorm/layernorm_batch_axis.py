"""Wrong: the statistics are taken along the first (batch) axis, axis=0, as BatchNorm does.

Right for a single vector (its only axis is the last one), wrong for any batch.
"""

VARIANT = {"correct": False, "loses": ["layer_norm"], "misconceptions": ["layernorm_batch_axis"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import _check_eps  # noqa: E402


def layer_norm(x, gamma=None, beta=None, eps=1e-5):
    e = _check_eps(eps)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError("x needs a non-empty last axis")
    d = x.shape[-1]
    g = np.ones(d) if gamma is None else np.asarray(gamma, dtype=np.float64)
    b = np.zeros(d) if beta is None else np.asarray(beta, dtype=np.float64)
    if g.shape != (d,) or b.shape != (d,):
        raise ValueError("gamma and beta must have shape (d,)")
    mu = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    return g * (x - mu) / np.sqrt(var + e) + b
