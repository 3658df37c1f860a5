"""Wrong: dgamma and dbeta averaged over the batch's vectors instead of summed.

A habit from losses that are means: here the loss adds up every vector's contribution (and the
upstream gradient dy already carries any 1/N), so the parameter gradients are sums.
"""

VARIANT = {"correct": False, "loses": ["layer_norm_backward"], "misconceptions": ["backward_params_averaged"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import layer_norm_backward as _reference  # noqa: E402


def layer_norm_backward(x, gamma, dy, eps=1e-5):
    dx, dgamma, dbeta = _reference(x, gamma, dy, eps)
    n_vectors = int(np.prod(np.shape(x)[:-1]))
    return dx, dgamma / n_vectors, dbeta / n_vectors
