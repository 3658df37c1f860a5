"""Wrong: the causal mask keeps the upper triangle (np.triu) as "allowed", so each query attends
to itself and the future instead of itself and the past.
"""

VARIANT = {"correct": False, "loses": ["multi_head_attention"], "misconceptions": ["causal_mask_inverted"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    x = np.asarray(x, dtype=np.float64)
    b, s, d = x.shape
    d_k = d // n_heads
    split = lambda m: split_heads(m, n_heads)  # noqa: E731
    out = np.empty((b, n_heads, s, d_k))
    Q, K, V = split(x @ W_q), split(x @ W_k), split(x @ W_v)
    allowed = np.triu(np.ones((s, s), dtype=bool)) if causal else np.ones((s, s), dtype=bool)  # should be tril
    for i in range(b):
        for h in range(n_heads):
            sc = Q[i, h] @ K[i, h].T / np.sqrt(d_k)
            sc[~allowed] = -np.inf
            w = np.exp(sc - sc.max(axis=1, keepdims=True))
            out[i, h] = (w / w.sum(axis=1, keepdims=True)) @ V[i, h]
    return merge_heads(out) @ W_o
