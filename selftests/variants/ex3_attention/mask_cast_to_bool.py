"""Wrong: the mask is converted with astype(bool) and fully masked rows are not checked.

A 0/1 integer mask happens to work, but an additive float mask (0 / -inf) becomes all True
(-inf is truthy), no ValueError is raised for non-boolean masks, and a query row with every key
blocked silently gives nan (softmax of all -inf) instead of a ValueError naming the row.
"""

VARIANT = {"correct": False, "loses": ["scaled_dot_product_attention"]}

import numpy as np

from solutions.ex3_attention import *  # noqa: F401,F403,E402
from solutions.ex3_attention import softmax  # noqa: E402


def scaled_dot_product_attention(Q, K, V, mask=None, temperature=1.0):
    Q = np.asarray(Q, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    d_k = Q.shape[-1]
    if K.shape[-1] != d_k:
        raise ValueError(f"Q and K disagree on d_k ({d_k} vs {K.shape[-1]})")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K and V disagree on n_k ({K.shape[-2]} vs {V.shape[-2]})")
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d_k)
    if mask is not None:
        scores = np.where(np.asarray(mask).astype(bool), scores, -np.inf)
    with np.errstate(invalid="ignore"):
        weights = softmax(scores, axis=-1, temperature=temperature)
    return weights @ V, weights
