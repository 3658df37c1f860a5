"""Wrong: the heads are merged but W_O is never applied ("Concat(head_1, ..., head_h)" without
the final "W_O"). The block uses this attention too: it must lose points in
multi_head_attention only (the block test accepts the block built around the submission's own
attention).
"""

VARIANT = {"correct": False, "loses": ["multi_head_attention"], "misconceptions": ["no_output_projection"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402
from solutions.ex9_multihead import layer_norm  # noqa: E402


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError("x must be (batch, seq, d_model)")
    if not isinstance(causal, bool):
        raise TypeError("causal must be a bool")
    d = x.shape[-1]
    for W in (W_q, W_k, W_v, W_o):
        if np.shape(W) != (d, d):
            raise ValueError("weights must be (d_model, d_model)")
    Q, K, V = (split_heads(x @ W, n_heads) for W in (W_q, W_k, W_v))
    S = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if causal:
        S = np.where(np.tril(np.ones(S.shape[-2:], dtype=bool)), S, -np.inf)
    A = np.exp(S - S.max(-1, keepdims=True))
    A /= A.sum(-1, keepdims=True)
    return merge_heads(A @ V)  # forgot "@ W_o"


def transformer_block(x, params, n_heads, causal=False):
    if not isinstance(params, dict):
        raise TypeError("params must be a dict")
    missing = [k for k in ("gamma1", "beta1", "W_q", "W_k", "W_v", "W_o", "gamma2", "beta2", "W_1", "b_1", "W_2",
                           "b_2") if k not in params]
    if missing:
        raise ValueError(f"missing {missing}")
    p = params
    if np.shape(p["W_2"]) != (np.shape(p["W_1"])[1], np.shape(x)[-1]):
        raise ValueError("W_2 must be (d_ff, d_model)")
    x = np.asarray(x, dtype=np.float64)
    h = x + multi_head_attention(layer_norm(x, p["gamma1"], p["beta1"]), p["W_q"], p["W_k"], p["W_v"], p["W_o"],
                                 n_heads, causal)
    u = layer_norm(h, p["gamma2"], p["beta2"])
    return h + np.maximum(0.0, u @ p["W_1"] + p["b_1"]) @ p["W_2"] + p["b_2"]
