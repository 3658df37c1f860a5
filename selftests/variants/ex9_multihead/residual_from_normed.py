"""Wrong: the input is overwritten by its normalised value before the residual, x = LN1(x);
x = x + MHA(x), so the residual path adds LN1(x) and LN2(h) instead of x and h.
"""

VARIANT = {"correct": False, "loses": ["transformer_block"], "misconceptions": ["residual_from_normed"]}

import numpy as np

from solutions.ex9_multihead import *  # noqa: F401,F403,E402
from solutions.ex9_multihead import transformer_block as _reference  # noqa: E402


def transformer_block(x, params, n_heads, causal=False):
    _reference(x, params, n_heads, causal)  # the reference's input checks
    p = params
    x = layer_norm(x, p["gamma1"], p["beta1"])
    x = x + multi_head_attention(x, p["W_q"], p["W_k"], p["W_v"], p["W_o"], n_heads, causal=causal)
    x = layer_norm(x, p["gamma2"], p["beta2"])
    return x + np.maximum(x @ p["W_1"] + p["b_1"], 0.0) @ p["W_2"] + p["b_2"]
