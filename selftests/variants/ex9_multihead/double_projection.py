"""Wrong: the chapter's formula taken literally (lines 1513-1514): "Q = XW_Q" and then
"head_i = Attention(QW_i^Q, KW_i^K, VW_i^V)", so the projections are projected again
(X W_Q W_Q, X W_K W_K, X W_V W_V). A head is Attention(XW_i^Q, XW_i^K, XW_i^V).
"""

VARIANT = {"correct": False, "loses": ["multi_head_attention"], "misconceptions": ["double_projection"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    x = np.asarray(x, dtype=np.float64)
    Q, K, V = x @ W_q, x @ W_k, x @ W_v  # "Q = XW_Q, K = XW_K, V = XW_V"
    # "head_i = Attention(QW_i^Q, KW_i^K, VW_i^V)": each head projects Q, K, V once more.
    q, k, v = split_heads(Q @ W_q, n_heads), split_heads(K @ W_k, n_heads), split_heads(V @ W_v, n_heads)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if causal:
        s = scores.shape[-1]
        scores = np.where(np.triu(np.ones((s, s), dtype=bool), 1), -np.inf, scores)
    w = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return merge_heads(w / w.sum(axis=-1, keepdims=True) @ v) @ W_o
