"""Wrong: merge_heads reshapes (batch, n_heads, seq, d_k) straight to (batch, seq, n_heads·d_k)
without moving the head axis back first. The variant's own multi_head_attention uses it
(otherwise correct): the mistake must cost merge_heads only.
"""

VARIANT = {"correct": False, "loses": ["merge_heads"], "misconceptions": ["merge_without_transpose"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402
from solutions.ex9_multihead import multi_head_attention as _reference  # noqa: E402


def merge_heads(x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError("x must be 4-D")
    b, h, s, d_k = x.shape
    return x.reshape(b, s, h * d_k)  # no transpose


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    _reference(x, W_q, W_k, W_v, W_o, n_heads, causal)  # the reference's input checks
    x = np.asarray(x, dtype=np.float64)
    q, k, v = (split_heads(x @ W, n_heads) for W in (W_q, W_k, W_v))
    scores = q @ k.swapaxes(-1, -2) / np.sqrt(q.shape[-1])
    if causal:
        scores = np.where(np.tril(np.ones(scores.shape[-2:], dtype=bool)), scores, -np.inf)
    w = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return merge_heads(w / w.sum(axis=-1, keepdims=True) @ v) @ W_o
