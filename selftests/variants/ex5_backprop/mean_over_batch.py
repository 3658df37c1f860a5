"""Wrong: for a batch the gradients are averaged over the samples instead of summed.

The loss is defined as the SUM over the batch, ½ Σ_n Σ_k (y_nk - t_nk)², so its gradients are
sums of the per-sample gradients; dividing by N is the gradient of the mean loss instead. (For a
single input N = 1 and nothing changes.)
"""

VARIANT = {"correct": False, "loses": ["backward"], "misconceptions": ["gradient_mean_over_batch"]}

import numpy as np  # noqa: E402

from solutions.ex5_backprop import *  # noqa: F401,F403,E402
from solutions.ex5_backprop import TwoLayerNet as _Base  # noqa: E402


class TwoLayerNet(_Base):
    def backward(self, y_true):
        grads = super().backward(y_true)
        n = np.atleast_2d(self.cache["x"]).shape[0]
        return {k: v / n for k, v in grads.items()}  # BUG: mean instead of sum
