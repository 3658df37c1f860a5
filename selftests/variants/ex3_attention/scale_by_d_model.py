"""Wrong: the scores are divided by sqrt(d_model) with the chapter's d_model = 64, not by sqrt(d_k).

This is the chapter's own code (lines 478-501: ``self.scale = np.sqrt(d_model)``) while it prints
"divide by sqrt(d_k)". The weights come out too flat whenever d_k != 64.
"""

VARIANT = {"correct": False, "loses": ["scaled_dot_product_attention"], "misconceptions": ["scale_by_sqrt_d_model"]}

import numpy as np

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import softmax  # noqa: E402

D_MODEL = 64


def scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0):
    Q = np.asarray(Q, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    if K.shape[-1] != Q.shape[-1]:
        raise ValueError("Q and K disagree on d_k")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError("K and V disagree on n_k")
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(D_MODEL)
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
