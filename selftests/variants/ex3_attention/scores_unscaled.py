"""Wrong: the scores are not divided at all (no 1 / sqrt(d_k)).

q . k has standard deviation sqrt(d_k): unscaled, the scores grow with d_k and softmax
puts nearly all the weight on one key (a newcomer instructor tried this one).
"""

VARIANT = {"correct": False, "loses": ["scaled_dot_product_attention"], "misconceptions": ["scores_unscaled"]}

import numpy as np

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import softmax  # noqa: E402


def scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0):
    Q = np.asarray(Q, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    d_k = Q.shape[-1]
    if K.shape[-1] != d_k:
        raise ValueError("Q and K disagree on d_k")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError("K and V disagree on n_k")
    scores = Q @ np.swapaxes(K, -1, -2)
    if mask is not None:
        m = np.asarray(mask)
        if m.dtype != bool:
            raise ValueError("mask must be boolean")
        shape = np.broadcast_shapes(scores.shape, m.shape)
        m = np.broadcast_to(m, shape)
        empty = np.argwhere(~m.any(axis=-1))
        if len(empty):
            raise ValueError(f"query row {int(empty[0][-1])} has every key masked")
        scores = np.where(m, np.broadcast_to(scores, shape), -np.inf)
    weights = softmax(scores, axis=-1, temperature=temperature)
    return weights @ V, weights
