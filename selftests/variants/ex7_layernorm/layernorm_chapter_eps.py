"""Wrong: the chapter's ε = 1e-6 hard-coded (line 956), whatever eps is passed.

The eps argument is still checked, but the value used is always the chapter's.
"""

VARIANT = {"correct": False, "loses": ["layer_norm"], "misconceptions": ["layernorm_chapter_eps"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import _check_eps  # noqa: E402


class LayerNorm:
    """The chapter's class, kept as it is."""

    def __init__(self, eps=1e-6):
        self.eps = eps

    def forward(self, x):
        mean = np.mean(x, axis=-1, keepdims=True)
        var = np.var(x, axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps), mean, var


def layer_norm(x, gamma=None, beta=None, eps=1e-5):
    _check_eps(eps)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError("x needs a non-empty last axis")
    d = x.shape[-1]
    g = np.ones(d) if gamma is None else np.asarray(gamma, dtype=np.float64)
    b = np.zeros(d) if beta is None else np.asarray(beta, dtype=np.float64)
    if g.shape != (d,) or b.shape != (d,):
        raise ValueError("gamma and beta must have shape (d,)")
    x_hat, _, _ = LayerNorm().forward(x)
    return g * x_hat + b
