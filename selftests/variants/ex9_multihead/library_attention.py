"""Wrong: multi_head_attention hands each head to torch's scaled_dot_product_attention, which
the task forbids (the "from scratch" rule). The block calls this attention too: the violation
must cost multi_head_attention only, since the block's rule forbids Transformer layers alone.
"""

VARIANT = {"correct": False, "loses": ["multi_head_attention"]}

import numpy as np
import torch
import torch.nn.functional as F

from solutions.ex9_multihead import *  # noqa: F401,F403,E402
from solutions.ex9_multihead import layer_norm  # noqa: E402


def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads, causal=False):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or any(np.shape(W) != (x.shape[-1],) * 2 for W in (W_q, W_k, W_v, W_o)):
        raise ValueError("x must be (batch, seq, d_model) and the weights (d_model, d_model)")
    if not isinstance(causal, bool):
        raise TypeError("causal must be a bool")
    q, k, v = (torch.from_numpy(split_heads(x @ W, n_heads)) for W in (W_q, W_k, W_v))
    context = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    return merge_heads(context.numpy()) @ W_o


def transformer_block(x, params, n_heads, causal=False):
    if not isinstance(params, dict):
        raise TypeError("params must be a dict")
    need = ("gamma1", "beta1", "W_q", "W_k", "W_v", "W_o", "gamma2", "beta2", "W_1", "b_1", "W_2", "b_2")
    for key in need:
        if key not in params:
            raise ValueError(f"params has no {key}")
    p = {key: np.asarray(params[key], dtype=np.float64) for key in need}
    x = np.asarray(x, dtype=np.float64)
    if p["W_2"].shape != (p["W_1"].shape[1], x.shape[-1]):
        raise ValueError("W_2 must be (d_ff, d_model)")
    h = x + multi_head_attention(layer_norm(x, p["gamma1"], p["beta1"]), p["W_q"], p["W_k"], p["W_v"], p["W_o"],
                                 n_heads, causal=causal)
    hidden = np.maximum(layer_norm(h, p["gamma2"], p["beta2"]) @ p["W_1"] + p["b_1"], 0.0)
    return h + hidden @ p["W_2"] + p["b_2"]
