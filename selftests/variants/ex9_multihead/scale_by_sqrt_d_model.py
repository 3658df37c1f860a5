"""Wrong: the scores are divided by sqrt(d_model), as the chapter's attention of lines 478-501
does, instead of sqrt(d_k) with d_k = d_model / n_heads, one head's key dimension.
"""

VARIANT = {"correct": False, "loses": ["multi_head_attention"], "misconceptions": ["scale_by_sqrt_d_model"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    x = np.asarray(x, dtype=np.float64)
    d_model = x.shape[-1]
    Q = split_heads(x @ np.asarray(W_q), n_heads)
    K = split_heads(x @ np.asarray(W_k), n_heads)
    V = split_heads(x @ np.asarray(W_v), n_heads)
    scores = np.matmul(Q, K.transpose(0, 1, 3, 2)) / np.sqrt(d_model)  # should be sqrt(d_k)
    if causal:
        seq = x.shape[1]
        scores[..., np.triu_indices(seq, 1)[0], np.triu_indices(seq, 1)[1]] = -np.inf
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return merge_heads(weights @ V) @ np.asarray(W_o)
