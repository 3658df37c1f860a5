"""Wrong: split_heads reshapes (batch, seq, d_model) straight to (batch, n_heads, seq, d_k),
cutting the data in memory order and mixing sequence positions and features. The variant's own
multi_head_attention uses it (otherwise correct): the mistake must cost split_heads only.
"""

VARIANT = {"correct": False, "loses": ["split_heads"], "misconceptions": ["split_without_transpose"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402


def split_heads(x, n_heads):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError("x must be 3-D")
    if isinstance(n_heads, bool) or not isinstance(n_heads, int):
        raise TypeError("n_heads must be an int")
    b, s, d = x.shape
    if n_heads < 1 or d % n_heads:
        raise ValueError("n_heads must divide d_model")
    return x.reshape(b, n_heads, s, d // n_heads)  # no transpose


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError("x must be 3-D")
    if not isinstance(causal, bool):
        raise TypeError("causal must be a bool")
    d = x.shape[-1]
    if any(np.shape(W) != (d, d) for W in (W_q, W_k, W_v, W_o)):
        raise ValueError("weights must be (d_model, d_model)")
    q, k, v = split_heads(x @ W_q, n_heads), split_heads(x @ W_k, n_heads), split_heads(x @ W_v, n_heads)
    scores = q @ k.swapaxes(-1, -2) / np.sqrt(d // n_heads)
    if causal:
        scores = np.where(np.tril(np.ones(scores.shape[-2:], dtype=bool)), scores, -np.inf)
    w = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return merge_heads(w / w.sum(axis=-1, keepdims=True) @ v) @ W_o
