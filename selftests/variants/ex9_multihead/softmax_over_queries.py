"""Wrong: the softmax normalises over the query axis (axis=-2) instead of the key axis, so the
columns of each head's weight matrix sum to 1 and the rows do not.
"""

VARIANT = {"correct": False, "loses": ["multi_head_attention"], "misconceptions": ["softmax_over_queries"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    x = np.asarray(x, dtype=np.float64)
    q, k, v = (split_heads(x @ W, n_heads) for W in (W_q, W_k, W_v))
    scores = np.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(q.shape[-1])
    if causal:
        n = scores.shape[-1]
        scores = scores + np.where(np.tril(np.ones((n, n))) > 0, 0.0, -np.inf)
    e = np.exp(scores - scores.max(axis=-2, keepdims=True))
    weights = e / e.sum(axis=-2, keepdims=True)  # axis=-2: over the queries
    return merge_heads(np.einsum("bhqk,bhkd->bhqd", weights, v)) @ W_o
