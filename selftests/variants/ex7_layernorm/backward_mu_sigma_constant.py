"""Wrong: dx = γ dy / √(σ² + ε), as if μ and σ did not depend on x.

The "direct path" only: the two mean terms that come from μ and σ are missing. dgamma and dbeta
are right.
"""

VARIANT = {"correct": False, "loses": ["layer_norm_backward"], "misconceptions": ["backward_mu_sigma_constant"]}

import numpy as np

from solutions.ex7_layernorm import *  # noqa: F401,F403,E402
from solutions.ex7_layernorm import layer_norm_backward as _reference  # noqa: E402


def layer_norm_backward(x, gamma, dy, eps=1e-5):
    _, dgamma, dbeta = _reference(x, gamma, dy, eps)  # the input checks and the parameter gradients
    x = np.asarray(x, dtype=np.float64)
    g = 1.0 if gamma is None else np.asarray(gamma, dtype=np.float64)
    var = np.var(x, axis=-1, keepdims=True)
    return g * np.asarray(dy, dtype=np.float64) / np.sqrt(var + eps), dgamma, dbeta
