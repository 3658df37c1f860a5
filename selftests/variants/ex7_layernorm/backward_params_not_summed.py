"""Wrong: dgamma and dbeta returned per vector, shape x.shape, instead of summed to shape (d,).

The gradient of a parameter must have the parameter's shape. No catalogue entry: the shape itself
is wrong, and the message says so.
"""

VARIANT = {"correct": False, "loses": ["layer_norm_backward"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import layer_norm_backward as _reference  # noqa: E402


def layer_norm_backward(x, gamma, dy, eps=1e-5):
    dx, _, _ = _reference(x, gamma, dy, eps)
    x = np.asarray(x, dtype=np.float64)
    dy = np.asarray(dy, dtype=np.float64)
    x_hat = (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    return dx, dy * x_hat, dy.copy()
